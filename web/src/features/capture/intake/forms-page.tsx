import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDateTime, formatNumber, ProblemAlert } from '../../../app/ui.tsx';
import type { FormView } from './types.ts';

/** /forms: every live form with its campaign, submissions and blocked spam. */
export function FormsPage() {
  const { t, i18n } = useTranslation();
  const canEdit = useCan('forms:write');
  const forms = useQuery({
    queryKey: ['forms'],
    queryFn: () => api<{ items: FormView[] }>('/api/v1/forms?limit=200'),
  });
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('forms.title')}</h1>
          <div className="subtitle">{t('forms.subtitle')}</div>
        </div>
        <div className="page-actions">
          {canEdit && (
            <AppLink to="/forms/new" className="btn btn-primary">
              {t('forms.new')}
            </AppLink>
          )}
        </div>
      </div>
      <ProblemAlert error={forms.error} />
      <div className="card flush">
        {forms.isLoading ? (
          <p className="empty">{t('common.loading')}</p>
        ) : forms.data?.items.length ? (
          <div className="table-wrap">
            <table className="table" data-testid="forms-table">
              <thead>
                <tr>
                  <th>{t('forms.col.name')}</th>
                  <th>{t('forms.col.campaign')}</th>
                  <th className="num">{t('forms.col.submissions')}</th>
                  <th>{t('forms.col.last')}</th>
                  <th className="num">{t('forms.col.spam')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {forms.data.items.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <AppLink to={`/forms/${f.id}`}>{f.name}</AppLink>
                    </td>
                    <td>{f.campaignName ?? <span className="muted">{t('common.none')}</span>}</td>
                    <td className="num">{formatNumber(f.submissionCount ?? 0, i18n.language)}</td>
                    <td className="nowrap">{formatDateTime(f.lastSubmissionAt, i18n.language)}</td>
                    <td className="num">{formatNumber(f.spamBlocked, i18n.language)}</td>
                    <td className="nowrap">
                      <a href={f.hostedUrl} target="_blank" rel="noreferrer" className="btn btn-sm btn-ghost">
                        {t('forms.open')}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="empty">{t('forms.empty')}</p>
        )}
      </div>
    </div>
  );
}
