import { useMutation, useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import {
  AppLink,
  formatDate,
  formatDateTime,
  ProblemAlert,
  StageBadge,
  useAppNavigate,
} from '../../../app/ui.tsx';
import { CloseControls, OpportunityDialog } from './opportunity-dialog.tsx';
import { formatMoney, type Opportunity } from './types.ts';

/** /opportunities/$id: the deal with its lead and account, edit, close won/lost, reopen, delete. */
export function OpportunityPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams({ strict: false }) as { id: string };
  const canWrite = useCan('opportunities:write');
  const navigate = useAppNavigate();
  const [editing, setEditing] = useState(false);
  const q = useQuery({
    queryKey: ['opportunity', id],
    queryFn: () => api<Opportunity>(`/api/v1/opportunities/${id}`),
  });
  const remove = useMutation({
    mutationFn: () => api<void>(`/api/v1/opportunities/${id}`, { method: 'DELETE' }),
    onSuccess: () => navigate('/pipeline'),
  });
  if (q.isLoading) return <p>{t('common.loading')}</p>;
  if (q.error || !q.data) return <ProblemAlert error={q.error ?? new Error('not found')} />;
  const o = q.data;
  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/pipeline">{t('pipeline.back')}</AppLink>
      </div>
      <div className="page-header">
        <h1>{o.name}</h1>
        <span
          className={`badge ${o.status === 'won' ? 'badge-success' : o.status === 'lost' ? 'badge-danger' : ''}`}
          data-testid="opportunity-status"
        >
          {t(`pipeline.status.${o.status}`)}
        </span>
        {canWrite && (
          <div className="page-actions">
            <button type="button" className="btn" onClick={() => setEditing(true)}>
              {t('common.edit')}
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => {
                if (window.confirm(t('pipeline.confirmDelete'))) remove.mutate();
              }}
            >
              {t('common.delete')}
            </button>
          </div>
        )}
      </div>
      <ProblemAlert error={remove.error} />
      <div className="grid grid-2">
        <section className="card">
          <dl className="kv">
            <dt>{t('pipeline.field.amount')}</dt>
            <dd data-testid="opportunity-amount">{formatMoney(o.amount, o.currency, i18n.language)}</dd>
            <dt>{t('pipeline.field.stage')}</dt>
            <dd>{t(`pipeline.stage.${o.stage}`)}</dd>
            <dt>{t('pipeline.field.expectedCloseDate')}</dt>
            <dd>{formatDate(o.expectedCloseDate, i18n.language)}</dd>
            <dt>{t('pipeline.field.closedAt')}</dt>
            <dd>{formatDateTime(o.closedAt, i18n.language)}</dd>
            {o.status === 'lost' && (
              <>
                <dt>{t('pipeline.field.lossReason')}</dt>
                <dd>{o.lossReason}</dd>
              </>
            )}
            <dt>{t('pipeline.field.owner')}</dt>
            <dd>{o.ownerName ?? ''}</dd>
            <dt>{t('pipeline.field.externalId')}</dt>
            <dd>{o.externalId ?? ''}</dd>
            <dt>{t('pipeline.field.source')}</dt>
            <dd>{o.source}</dd>
          </dl>
          {o.description && <p className="pipeline-notes">{o.description}</p>}
        </section>
        <section className="card">
          <dl className="kv">
            <dt>{t('pipeline.field.person')}</dt>
            <dd>
              {o.person ? (
                <>
                  <AppLink to={`/people/${o.person.id}`}>{o.person.name}</AppLink>{' '}
                  <StageBadge stage={o.person.stage} />
                </>
              ) : (
                ''
              )}
            </dd>
            {(o.contacts?.length ?? 0) > 0 && (
              <>
                <dt>{t('pipeline.field.contacts')}</dt>
                <dd>
                  <ul className="pipeline-contacts">
                    {o.contacts?.map((c) => (
                      <li key={c.id}>
                        <AppLink to={`/people/${c.id}`}>{c.name}</AppLink> <StageBadge stage={c.stage} />
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            <dt>{t('pipeline.field.account')}</dt>
            <dd>
              {o.accountId ? (
                <AppLink to={`/accounts/${o.accountId}`}>{o.accountName ?? ''}</AppLink>
              ) : (
                (o.person?.company ?? '')
              )}
            </dd>
          </dl>
          {canWrite && <CloseControls opportunity={o} />}
        </section>
      </div>
      {editing && <OpportunityDialog opportunity={o} onClose={() => setEditing(false)} />}
    </div>
  );
}
