import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDate, Pager, ProblemAlert, useAppNavigate } from '../../../app/ui.tsx';
import { useUsers } from '../../people/use-users.ts';
import { PipelineSettingsCard } from './settings-card.tsx';
import { formatAmounts, formatMoney, type Opportunity, type PipelineSummary, SALES_STAGES } from './types.ts';

interface Search {
  ownerId?: string;
  view?: 'board' | 'list';
  status?: string;
}

/** /pipeline: open deals per sales stage with counts and sums (board), or every deal in a list; filter by owner. */
export function PipelinePage() {
  const { t, i18n } = useTranslation();
  const search = useSearch({ strict: false }) as Search;
  const navigate = useAppNavigate();
  const users = useUsers();
  const view = search.view === 'list' ? 'list' : 'board';
  const canConfigure = useCan('settings:write');
  const setSearch = (next: Search) => {
    const merged = { ...search, ...next };
    navigate(
      '/pipeline',
      Object.fromEntries(Object.entries(merged).filter(([, v]) => v)) as Record<string, string>,
      { replace: true },
    );
  };
  const summary = useQuery({
    queryKey: ['pipeline', search.ownerId ?? ''],
    queryFn: () => api<PipelineSummary>(`/api/v1/opportunities/pipeline${qs({ ownerId: search.ownerId })}`),
  });
  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('pipeline.title')}</h1>
        <div className="page-actions">
          <AppLink to="/pipeline/outcomes" className="btn">
            {t('pipeline.importOutcomes')}
          </AppLink>
        </div>
      </div>
      <div className="toolbar">
        <label>
          {t('pipeline.owner')}
          <select
            name="ownerId"
            value={search.ownerId ?? ''}
            onChange={(e) => setSearch({ ownerId: e.target.value || undefined })}
          >
            <option value="">{t('pipeline.allOwners')}</option>
            {(users.data?.items ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email}
              </option>
            ))}
          </select>
        </label>
        <div className="tabs" role="tablist">
          {(['board', 'list'] as const).map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={view === v}
              className={`tab${view === v ? ' active' : ''}`}
              onClick={() => setSearch({ view: v })}
            >
              {t(`pipeline.view.${v}`)}
            </button>
          ))}
        </div>
      </div>
      <ProblemAlert error={summary.error} />
      {summary.data && (
        <div className="grid grid-3 pipeline-totals">
          <div className="card stat">
            <div className="stat-label">{t('pipeline.openTotal')}</div>
            <div className="stat-value" data-testid="open-total">
              {formatAmounts(sumAmounts(summary.data.open.map((c) => c.amounts)), i18n.language)}
            </div>
            <div className="muted">
              {t('pipeline.count', { count: summary.data.open.reduce((s, c) => s + c.count, 0) })}
            </div>
          </div>
          <div className="card stat">
            <div className="stat-label">{t('pipeline.wonTotal')}</div>
            <div className="stat-value">{formatAmounts(summary.data.won.amounts, i18n.language)}</div>
            <div className="muted">{t('pipeline.count', { count: summary.data.won.count })}</div>
          </div>
          <div className="card stat">
            <div className="stat-label">{t('pipeline.lostTotal')}</div>
            <div className="stat-value">{formatAmounts(summary.data.lost.amounts, i18n.language)}</div>
            <div className="muted">{t('pipeline.count', { count: summary.data.lost.count })}</div>
          </div>
        </div>
      )}
      {view === 'board' ? (
        <Board ownerId={search.ownerId} summary={summary.data} />
      ) : (
        <List ownerId={search.ownerId} status={search.status} onStatus={(s) => setSearch({ status: s })} />
      )}
      {canConfigure && <PipelineSettingsCard />}
    </div>
  );
}

function sumAmounts(list: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of list) for (const [c, n] of Object.entries(a)) out[c] = (out[c] ?? 0) + n;
  return out;
}

function Board({ ownerId, summary }: { ownerId?: string; summary?: PipelineSummary }) {
  const { t, i18n } = useTranslation();
  const open = useQuery({
    queryKey: ['opportunities', 'board', ownerId ?? ''],
    queryFn: () =>
      api<{ items: Opportunity[] }>(`/api/v1/opportunities${qs({ status: 'open', ownerId, limit: 500 })}`),
  });
  if (open.isLoading) return <p>{t('common.loading')}</p>;
  return (
    <div className="pipeline-board" data-testid="pipeline-board">
      {SALES_STAGES.map((stage) => {
        const col = summary?.open.find((c) => c.stage === stage);
        const deals = (open.data?.items ?? []).filter((o) => o.stage === stage);
        return (
          <section
            key={stage}
            className="pipeline-column card"
            aria-label={t(`pipeline.stage.${stage}`)}
            data-stage={stage}
          >
            <header>
              <h2>{t(`pipeline.stage.${stage}`)}</h2>
              <div className="muted" data-testid={`column-total-${stage}`}>
                {t('pipeline.count', { count: col?.count ?? 0 })} ·{' '}
                {formatAmounts(col?.amounts ?? {}, i18n.language)}
              </div>
            </header>
            {deals.length === 0 ? (
              <p className="muted">{t('pipeline.empty')}</p>
            ) : (
              deals.map((o) => (
                <AppLink key={o.id} to={`/opportunities/${o.id}`} className="pipeline-card">
                  <strong>{o.name}</strong>
                  <span>{o.accountName ?? o.person?.company ?? ''}</span>
                  <span className="pipeline-amount">{formatMoney(o.amount, o.currency, i18n.language)}</span>
                  <span className="muted">
                    {o.ownerName ?? ''}{' '}
                    {o.expectedCloseDate ? `· ${formatDate(o.expectedCloseDate, i18n.language)}` : ''}
                  </span>
                </AppLink>
              ))
            )}
          </section>
        );
      })}
    </div>
  );
}

function List({
  ownerId,
  status,
  onStatus,
}: {
  ownerId?: string;
  status?: string;
  onStatus: (s: string | undefined) => void;
}) {
  const { t, i18n } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useQuery({
    queryKey: ['opportunities', 'list', ownerId ?? '', status ?? '', cursor ?? ''],
    queryFn: () =>
      api<{ items: Opportunity[]; nextCursor: string | null }>(
        `/api/v1/opportunities${qs({ ownerId, status, cursor, limit: 50 })}`,
      ),
  });
  return (
    <div className="card">
      <div className="toolbar">
        <label>
          {t('pipeline.field.status')}
          <select
            name="status"
            value={status ?? ''}
            onChange={(e) => {
              setCursors([]);
              onStatus(e.target.value || undefined);
            }}
          >
            <option value="">{t('common.all')}</option>
            {(['open', 'won', 'lost'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`pipeline.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{t('pipeline.field.name')}</th>
              <th>{t('pipeline.field.account')}</th>
              <th>{t('pipeline.field.person')}</th>
              <th>{t('pipeline.field.stage')}</th>
              <th>{t('pipeline.field.status')}</th>
              <th className="num">{t('pipeline.field.amount')}</th>
              <th>{t('pipeline.field.expectedCloseDate')}</th>
              <th>{t('pipeline.field.owner')}</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((o) => (
              <tr key={o.id}>
                <td>
                  <AppLink to={`/opportunities/${o.id}`}>{o.name}</AppLink>
                </td>
                <td>
                  {o.accountId ? (
                    <AppLink to={`/accounts/${o.accountId}`}>{o.accountName ?? ''}</AppLink>
                  ) : (
                    ''
                  )}
                </td>
                <td>{o.person ? <AppLink to={`/people/${o.person.id}`}>{o.person.name}</AppLink> : ''}</td>
                <td>{t(`pipeline.stage.${o.stage}`)}</td>
                <td>
                  <span
                    className={`badge ${o.status === 'won' ? 'badge-success' : o.status === 'lost' ? 'badge-danger' : ''}`}
                  >
                    {t(`pipeline.status.${o.status}`)}
                  </span>
                </td>
                <td className="num">{formatMoney(o.amount, o.currency, i18n.language)}</td>
                <td>{formatDate(o.expectedCloseDate, i18n.language)}</td>
                <td>{o.ownerName ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.data?.items.length === 0 && <p className="empty">{t('pipeline.empty')}</p>}
      </div>
      <Pager
        hasPrev={cursors.length > 0}
        hasNext={Boolean(page.data?.nextCursor)}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
      />
    </div>
  );
}
