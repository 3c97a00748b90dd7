import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDateTime, ProblemAlert } from '../../../app/ui.tsx';
import { StatusBadge } from './scenario-page.tsx';
import type { ScenarioListItem } from './types.ts';

/** /scenarios: every scenario with its status, trigger and how many people are in it. */
export function ScenarioListPage() {
  const { t, i18n } = useTranslation();
  const canEdit = useCan('scenarios:write');
  const list = useQuery({
    queryKey: ['scenarios'],
    queryFn: () => api<{ items: ScenarioListItem[] }>('/api/v1/scenarios'),
  });
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('scenarios.title')}</h1>
          <div className="subtitle">{t('scenarios.subtitle')}</div>
        </div>
        {canEdit && (
          <div className="page-actions">
            <AppLink to="/scenarios/new" className="btn btn-primary" data-testid="new-scenario">
              {t('scenarios.new')}
            </AppLink>
          </div>
        )}
      </div>
      <ProblemAlert error={list.error} />
      {list.isLoading && <div className="loading">{t('common.loading')}</div>}
      {list.data && list.data.items.length === 0 && <div className="card empty">{t('scenarios.empty')}</div>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="scenario-list">
            <thead>
              <tr>
                <th>{t('scenarios.col.name')}</th>
                <th>{t('scenarios.col.status')}</th>
                <th>{t('scenarios.col.trigger')}</th>
                <th className="num">{t('scenarios.col.active')}</th>
                <th className="num">{t('scenarios.col.completed')}</th>
                <th className="num">{t('scenarios.col.total')}</th>
                <th>{t('scenarios.col.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <AppLink to={`/scenarios/${s.id}`}>{s.name}</AppLink>
                  </td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>{t(`scenarios.trigger.${s.trigger.type}`)}</td>
                  <td className="num">{s.stats.active}</td>
                  <td className="num">{s.stats.completed}</td>
                  <td className="num">{s.stats.total}</td>
                  <td className="nowrap">{formatDateTime(s.updatedAt, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
