import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, qs } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDateTime, Pager, ProblemAlert } from '../../../app/ui.tsx';
import type { OutboxItem, OutboxMessage, Page } from './types.ts';

const STATUSES = ['queued', 'sent', 'outbox', 'failed', 'suppressed'];
const STATUS_BADGE: Record<string, string> = {
  sent: 'badge-success',
  outbox: 'badge-success',
  failed: 'badge-danger',
  suppressed: 'badge-warn',
  queued: 'badge-muted',
};

function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge ${STATUS_BADGE[status] ?? 'badge-muted'}`}>{t(`outbox.status.${status}`)}</span>
  );
}

/** /outbox: what was (or, without SMTP, would have been) sent. */
export function OutboxPage() {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['outbox', status, q, cursor],
    queryFn: () =>
      api<Page<OutboxItem> & { smtp: boolean }>(`/api/v1/outbox${qs({ status, q, cursor, limit: 50 })}`),
    refetchInterval: 5000,
  });
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('outbox.title')}</h1>
          <p className="subtitle">
            {list.data && (list.data.smtp ? t('outbox.subtitleSmtp') : t('outbox.subtitleOutbox'))}
          </p>
        </div>
      </div>
      <div className="toolbar">
        <select
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            setCursors([]);
          }}
          aria-label={t('outbox.status')}
        >
          <option value="">{t('common.all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`outbox.status.${s}`)}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder={t('common.search')}
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setCursors([]);
          }}
        />
      </div>
      <ProblemAlert error={list.error} />
      <div className="card flush">
        <table className="table" data-testid="outbox-table">
          <thead>
            <tr>
              <th>{t('outbox.created')}</th>
              <th>{t('outbox.to')}</th>
              <th>{t('outbox.subject')}</th>
              <th>{t('outbox.kind')}</th>
              <th>{t('outbox.status')}</th>
              <th>{t('outbox.opened')}</th>
              <th>{t('outbox.clicked')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((m) => (
              <tr key={m.id}>
                <td className="nowrap">{formatDateTime(m.createdAt, i18n.language)}</td>
                <td>{m.to}</td>
                <td>
                  <AppLink to={`/outbox/${m.id}`}>{m.subject}</AppLink>
                </td>
                <td>{t(`outbox.kind.${m.kind}`)}</td>
                <td>
                  <StatusBadge status={m.status} />
                  {m.lastError && <div className="mail-muted mail-error">{m.lastError}</div>}
                </td>
                <td className="nowrap">{m.openedAt ? formatDateTime(m.openedAt, i18n.language) : '—'}</td>
                <td className="nowrap">{m.clickedAt ? formatDateTime(m.clickedAt, i18n.language) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data?.items.length === 0 && <p className="empty">{t('outbox.empty')}</p>}
      </div>
      <Pager
        hasPrev={cursors.length > 0}
        hasNext={Boolean(list.data?.nextCursor)}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}
      />
    </div>
  );
}

/** /outbox/{id}: one message as it was rendered, with its headers and delivery state. */
export function OutboxMessagePage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const canSend = useCan('emails:send');
  const [view, setView] = useState<'html' | 'text' | 'headers'>('html');
  const msg = useQuery({
    queryKey: ['outbox-message', id],
    queryFn: () => api<OutboxMessage>(`/api/v1/outbox/${id}`),
  });
  const retry = useMutation({
    mutationFn: () => api(`/api/v1/outbox/${id}/retry`, { method: 'POST' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['outbox-message', id] }),
  });
  if (msg.error instanceof ApiError && msg.error.status === 404)
    return <p className="empty">{t('common.notFound')}</p>;
  if (!msg.data) return <p className="loading">{t('common.loading')}</p>;
  const m = msg.data;
  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/outbox">{t('outbox.back')}</AppLink> / {m.subject}
      </div>
      <div className="page-header">
        <div>
          <h1 data-testid="message-subject">{m.subject}</h1>
          <p className="subtitle">
            <StatusBadge status={m.status} /> {t(`outbox.kind.${m.kind}`)}
          </p>
        </div>
        {canSend && m.status === 'failed' && (
          <div className="page-actions">
            <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
              {t('outbox.retry')}
            </button>
          </div>
        )}
      </div>
      <ProblemAlert error={retry.error} />
      <section className="card">
        <dl className="kv">
          <dt>From</dt>
          <dd>{m.from}</dd>
          <dt>{t('outbox.to')}</dt>
          <dd>
            {m.to}
            {m.personId && (
              <>
                {' '}
                (<AppLink to={`/people/${m.personId}`}>{t('outbox.person')}</AppLink>)
              </>
            )}
          </dd>
          <dt>{t('outbox.created')}</dt>
          <dd>{formatDateTime(m.createdAt, i18n.language)}</dd>
          <dt>{t('outbox.sent')}</dt>
          <dd>{m.sentAt ? formatDateTime(m.sentAt, i18n.language) : '—'}</dd>
          <dt>{t('outbox.attempts')}</dt>
          <dd>{m.attempts}</dd>
          <dt>{t('outbox.opened')}</dt>
          <dd>{m.openedAt ? `${formatDateTime(m.openedAt, i18n.language)} (${m.openCount})` : '—'}</dd>
          <dt>{t('outbox.clicked')}</dt>
          <dd>{m.clickedAt ? `${formatDateTime(m.clickedAt, i18n.language)} (${m.clickCount})` : '—'}</dd>
          {m.lastError && (
            <>
              <dt>{t('outbox.error')}</dt>
              <dd className="mail-error">{m.lastError}</dd>
            </>
          )}
        </dl>
      </section>
      <section className="card">
        <div className="tabs">
          {(['html', 'text', 'headers'] as const).map((v) => (
            <button
              key={v}
              type="button"
              className={`tab${view === v ? ' active' : ''}`}
              onClick={() => setView(v)}
            >
              {v === 'headers' ? t('outbox.headers') : t(`emails.${v}View`)}
            </button>
          ))}
        </div>
        {view === 'html' && (
          <iframe
            className="mail-frame"
            title={m.subject}
            sandbox=""
            srcDoc={m.html ?? ''}
            data-testid="message-frame"
          />
        )}
        {view === 'text' && <pre className="mail-text">{m.text}</pre>}
        {view === 'headers' && (
          <pre className="mail-text" data-testid="message-headers">
            {Object.entries(m.headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n')}
          </pre>
        )}
      </section>
    </div>
  );
}
