import { useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../../app/api.ts';
import { AppLink, formatDate, formatDateTime, formatNumber, ProblemAlert } from '../../../app/ui.tsx';
import { ENCODING_LABELS, type ImportCounts, type ImportDetail } from './types.ts';

const COUNTS: (keyof ImportCounts)[] = [
  'rows',
  'created',
  'updated',
  'unchanged',
  'duplicates',
  'invalid',
  'warnings',
  'campaignMembers',
];

/** /imports/$id: progress while the job runs, then the counts and every row error (deep link survives reload). */
export function ImportResultPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams({ strict: false }) as { id: string };
  const q = useQuery({
    queryKey: ['import', id],
    queryFn: () => api<ImportDetail>(`/api/v1/imports/${id}?issuesLimit=1000`),
    retry: false,
    refetchInterval: (query) =>
      query.state.data && ['pending', 'running'].includes(query.state.data.status) ? 1000 : false,
  });
  if (q.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (q.error instanceof ApiError && q.error.status === 404) {
    return (
      <div className="page">
        <div className="alert alert-error" role="alert">
          {t('common.notFound')}
        </div>
      </div>
    );
  }
  if (!q.data) return <ProblemAlert error={q.error} />;
  const r = q.data;
  const running = r.status === 'pending' || r.status === 'running';
  const pct = Math.round(r.progress * 100);
  return (
    <div className="page imports-page">
      <div className="breadcrumb">
        <AppLink to="/imports">{t('imports.title')}</AppLink>
      </div>
      <div className="page-header">
        <h1>
          {t('imports.result')}: {r.fileName}
        </h1>
        <div className="page-actions">
          <span
            data-testid="import-status"
            data-status={r.status}
            className={`badge ${r.status === 'failed' ? 'badge-danger' : r.status === 'completed' ? 'badge-success' : 'badge-muted'}`}
          >
            {t(`imports.state.${r.status}`)}
          </span>
          {r.dryRun && <span className="badge badge-warn">{t('imports.dryRunBadge')}</span>}
        </div>
      </div>
      {running && (
        <div
          className="imports-progress"
          role="progressbar"
          aria-valuenow={pct}
          aria-valuemin={0}
          aria-valuemax={100}
        >
          <div style={{ width: `${pct}%` }} />
          <span>
            {pct}% · {formatNumber(r.counts.rows, i18n.language)} {t('imports.count.rows')}
          </span>
        </div>
      )}
      {r.status === 'failed' && (
        <div className="alert alert-error" role="alert">
          {t('imports.error')}: {r.error}
        </div>
      )}
      {r.earlierImports.length > 0 && (
        <div className="alert alert-warn">
          {t('imports.earlier', { date: formatDate(r.earlierImports[0].createdAt, i18n.language) })}
        </div>
      )}
      <div className="grid-4 imports-counts">
        {COUNTS.filter((k) => k !== 'campaignMembers' || r.campaign).map((k) => (
          <div className="stat card" key={k} data-count={k}>
            <div className="stat-label">{t(`imports.count.${k}`)}</div>
            <div className="stat-value">{formatNumber(r.counts[k], i18n.language)}</div>
          </div>
        ))}
      </div>
      <section className="card">
        <dl className="kv">
          <dt>{t('imports.encoding')}</dt>
          <dd data-testid="result-encoding">
            {r.encoding ? (ENCODING_LABELS[r.encoding] ?? r.encoding) : '—'}
          </dd>
          {r.campaign && (
            <>
              <dt>{t('imports.campaignLabel')}</dt>
              <dd>
                <AppLink to={`/campaigns/${r.campaign.id}`}>{r.campaign.name}</AppLink> (
                {t(`imports.status.${r.options.campaignStatus ?? 'attended'}`)})
              </dd>
            </>
          )}
          <dt>{t('imports.by')}</dt>
          <dd>{r.createdBy}</dd>
          <dt>{t('imports.startedAt')}</dt>
          <dd>{formatDateTime(r.createdAt, i18n.language)}</dd>
        </dl>
        <div className="form-actions">
          <AppLink to="/people" className="btn">
            {t('imports.viewPeople')}
          </AppLink>
          <AppLink to="/imports" className="btn btn-ghost">
            {t('imports.again')}
          </AppLink>
        </div>
      </section>
      <section className="card flush">
        <div className="card-header">
          <h2>{t('imports.issues')}</h2>
          {r.issues.length > 0 && (
            <a className="btn btn-sm" href={`/api/v1/imports/${r.id}/issues.csv`} download>
              {t('imports.downloadIssues')}
            </a>
          )}
        </div>
        {r.issues.length === 0 ? (
          <p className="empty">{t('imports.noIssues')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="issues-table">
              <thead>
                <tr>
                  <th className="num">{t('imports.row')}</th>
                  <th>{t('imports.column')}</th>
                  <th />
                  <th>{t('imports.reason')}</th>
                  <th>{t('imports.value')}</th>
                </tr>
              </thead>
              <tbody>
                {r.issues.map((x, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: CSV columns, rows and issues are identified by their position
                  <tr key={`${x.row}-${i}`} data-row={x.row}>
                    <td className="num">{x.row}</td>
                    <td>{x.column}</td>
                    <td>
                      <span className={`badge ${x.level === 'error' ? 'badge-danger' : 'badge-warn'}`}>
                        {t(`imports.level.${x.level}`)}
                      </span>
                    </td>
                    <td>{x.message}</td>
                    <td className="muted">{x.value ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
