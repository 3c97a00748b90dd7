import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { AppLink, formatDateTime, Pager, ProblemAlert } from '../../../app/ui.tsx';
import type { Delivery, Subscription } from './types.ts';

const STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
const badge = (s: Delivery['status']) =>
  s === 'delivered'
    ? 'badge-success'
    : s === 'failed'
      ? 'badge-danger'
      : s === 'pending'
        ? 'badge-warn'
        : 'badge-muted';

/** /webhooks/$id: the delivery log — each attempt with status code and response time, next retry, replay. */
export function WebhookDeliveriesPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams({ strict: false }) as { id: string };
  const qc = useQueryClient();
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const cursor = cursors.at(-1);
  const sub = useQuery({
    queryKey: ['webhook', id],
    queryFn: () => api<Subscription>(`/api/v1/webhooks/${id}`),
  });
  const log = useQuery({
    queryKey: ['webhook-deliveries', id, status, cursor ?? ''],
    queryFn: () =>
      api<{ items: Delivery[]; nextCursor: string | null }>(
        `/api/v1/webhooks/${id}/deliveries${qs({ status, cursor, limit: 50 })}`,
      ),
    refetchInterval: 5000,
  });
  const replay = useMutation({
    mutationFn: (deliveryId: number) =>
      api<Delivery>(`/api/v1/webhooks/${id}/deliveries/${deliveryId}/replay`, { method: 'POST' }),
    onSuccess: async () => {
      setNotice(t('webhooks.log.replayed'));
      await qc.invalidateQueries({ queryKey: ['webhook-deliveries', id] });
    },
  });
  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/webhooks">{t('webhooks.back')}</AppLink>
      </div>
      <div className="page-header">
        <h1>{t('webhooks.deliveries')}</h1>
      </div>
      <ProblemAlert error={sub.error ?? log.error ?? replay.error} />
      {sub.data && (
        <p>
          <code>{sub.data.url}</code> · {sub.data.events.join(', ')} ·{' '}
          <span className={`badge ${sub.data.enabled ? 'badge-success' : 'badge-muted'}`}>
            {sub.data.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
          </span>
        </p>
      )}
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      <div className="toolbar">
        <label>
          {t('webhooks.log.filter')}
          <select
            name="status"
            value={status}
            onChange={(e) => {
              setCursors([]);
              setStatus(e.target.value);
            }}
          >
            <option value="">{t('common.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`webhooks.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="card table-wrap">
        <table className="table" data-testid="deliveries-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('webhooks.log.event')}</th>
              <th>{t('webhooks.log.status')}</th>
              <th>{t('webhooks.log.attempts')}</th>
              <th>{t('webhooks.log.next')}</th>
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(log.data?.items ?? []).map((d) => (
              <tr key={d.id} data-delivery={d.id}>
                <td>
                  {d.id}
                  {d.replayOf && (
                    <div className="muted">{t('webhooks.log.replayOf', { id: d.replayOf })}</div>
                  )}
                </td>
                <td>
                  <code>{d.eventType}</code>
                  <div className="muted">{formatDateTime(d.createdAt, i18n.language)}</div>
                </td>
                <td>
                  <span className={`badge ${badge(d.status)}`}>{t(`webhooks.status.${d.status}`)}</span>
                </td>
                <td>
                  <ol className="pipeline-attempts">
                    {d.attemptLog.map((a) => (
                      <li key={a.attempt}>
                        {formatDateTime(a.at, i18n.language)} · {t('webhooks.log.code')}{' '}
                        <strong>{a.statusCode ?? '—'}</strong> · {t('webhooks.log.time')}{' '}
                        <span data-testid="duration">{a.durationMs} ms</span>
                        {a.error && <span className="muted"> · {a.error}</span>}
                      </li>
                    ))}
                  </ol>
                </td>
                <td>{formatDateTime(d.nextAttemptAt, i18n.language)}</td>
                <td>
                  {d.status !== 'pending' && (
                    <button
                      type="button"
                      className="btn btn-sm"
                      onClick={() => replay.mutate(d.id)}
                      disabled={replay.isPending}
                    >
                      {t('webhooks.log.replay')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {log.data?.items.length === 0 && <p className="empty">{t('webhooks.log.empty')}</p>}
      </div>
      <Pager
        hasPrev={cursors.length > 0}
        hasNext={Boolean(log.data?.nextCursor)}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => log.data?.nextCursor && setCursors([...cursors, log.data.nextCursor])}
      />
    </div>
  );
}
