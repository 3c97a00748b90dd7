import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDate } from '../../../app/ui.tsx';
import { OpportunityDialog } from './opportunity-dialog.tsx';
import { formatMoney, type Opportunity } from './types.ts';

/** The lead page's opportunities: every deal of the person with status and amount, and "create". */
export function PersonOpportunitiesPanel({ personId }: { personId: string }) {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('opportunities:write');
  const [creating, setCreating] = useState(false);
  const q = useQuery({
    queryKey: ['opportunities', 'person', personId],
    queryFn: () => api<{ items: Opportunity[] }>(`/api/v1/opportunities?personId=${personId}&limit=100`),
  });
  return (
    <section className="card" aria-label={t('pipeline.panel.title')} data-testid="opportunities-panel">
      <div className="card-header">
        <h2>{t('pipeline.panel.title')}</h2>
        {canWrite && (
          <button type="button" className="btn btn-sm" onClick={() => setCreating(true)}>
            {t('pipeline.panel.create')}
          </button>
        )}
      </div>
      {q.data && q.data.items.length === 0 && <p className="muted">{t('pipeline.panel.none')}</p>}
      {q.data && q.data.items.length > 0 && (
        <table className="table">
          <tbody>
            {q.data.items.map((o) => (
              <tr key={o.id}>
                <td>
                  <AppLink to={`/opportunities/${o.id}`}>{o.name}</AppLink>
                </td>
                <td>
                  {o.status === 'open' ? t(`pipeline.stage.${o.stage}`) : t(`pipeline.status.${o.status}`)}
                </td>
                <td className="num">{formatMoney(o.amount, o.currency, i18n.language)}</td>
                <td>{formatDate(o.closedAt ?? o.expectedCloseDate, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && <OpportunityDialog personId={personId} onClose={() => setCreating(false)} />}
    </section>
  );
}
