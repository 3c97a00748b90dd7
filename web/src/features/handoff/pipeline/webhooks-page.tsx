import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { AppLink, FieldError, formatDateTime, ProblemAlert } from '../../../app/ui.tsx';
import type { Subscription } from './types.ts';

/** /webhooks: endpoints with their event types and 24-hour health; add one (secret shown once), enable/disable, test, rotate, delete. */
export function WebhooksPage() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const subs = useQuery({
    queryKey: ['webhooks'],
    queryFn: () => api<{ items: Subscription[] }>('/api/v1/webhooks'),
  });
  const types = useQuery({
    queryKey: ['webhook-event-types'],
    queryFn: () => api<{ items: string[] }>('/api/v1/webhooks/event-types'),
  });
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['webhooks'] });

  const create = useMutation({
    mutationFn: () =>
      api<Subscription & { secret: string }>('/api/v1/webhooks', {
        method: 'POST',
        body: { url: url.trim(), events, description: description.trim() || null },
      }),
    onSuccess: async (s) => {
      setSecret({ id: s.id, secret: s.secret });
      setUrl('');
      setDescription('');
      setEvents([]);
      await refresh();
    },
  });
  const patch = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Record<string, unknown> }) =>
      api<Subscription>(`/api/v1/webhooks/${id}`, { method: 'PATCH', body }),
    onSuccess: () => refresh(),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>(`/api/v1/webhooks/${id}`, { method: 'DELETE' }),
    onSuccess: () => refresh(),
  });
  const rotate = useMutation({
    mutationFn: (id: string) =>
      api<{ secret: string }>(`/api/v1/webhooks/${id}/rotate-secret`, { method: 'POST' }),
    onSuccess: (r, id) => setSecret({ id, secret: r.secret }),
  });
  const test = useMutation({
    mutationFn: (id: string) => api<unknown>(`/api/v1/webhooks/${id}/test`, { method: 'POST' }),
    onSuccess: () => setNotice(t('webhooks.testSent')),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  const toggle = (type: string) =>
    setEvents(events.includes(type) ? events.filter((x) => x !== type) : [...events, type]);

  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('webhooks.title')}</h1>
      </div>
      <p className="muted">{t('webhooks.help')}</p>
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      {secret && (
        <div className="alert alert-warn" role="status" data-testid="webhook-secret">
          <p>{t('webhooks.secretOnce')}</p>
          <code className="copy-field">{secret.secret}</code>{' '}
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => void navigator.clipboard?.writeText(secret.secret)}
          >
            {t('common.copy')}
          </button>{' '}
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setSecret(null)}>
            {t('common.close')}
          </button>
        </div>
      )}
      <ProblemAlert error={patch.error ?? remove.error ?? rotate.error ?? test.error} />
      <section className="card">
        <h2>{t('webhooks.new')}</h2>
        <form onSubmit={submit} noValidate className="stack">
          {create.error && !(create.error as { errors?: unknown[] }).errors?.length ? (
            <ProblemAlert error={create.error} />
          ) : null}
          <div className="form-row">
            <label>
              {t('webhooks.url')}
              <input
                name="url"
                type="url"
                placeholder="https://sfa.example.co.jp/hooks/leadflow"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
              />
            </label>
            <FieldError error={create.error} path="url" />
          </div>
          <div className="form-row">
            <label>
              {t('webhooks.description')}
              <input
                name="description"
                value={description}
                onChange={(e) => setDescription(e.target.value)}
              />
            </label>
          </div>
          <fieldset>
            <legend>{t('webhooks.events')}</legend>
            <label className="row">
              <input type="checkbox" checked={events.includes('*')} onChange={() => toggle('*')} />{' '}
              {t('webhooks.allEvents')}
            </label>
            {(types.data?.items ?? []).map((type) => (
              <label key={type} className="row">
                <input
                  type="checkbox"
                  name="events"
                  value={type}
                  checked={events.includes(type)}
                  onChange={() => toggle(type)}
                />{' '}
                <code>{type}</code>
              </label>
            ))}
            <FieldError error={create.error} path="events" />
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="btn-primary" disabled={create.isPending}>
              {t('webhooks.add')}
            </button>
          </div>
        </form>
      </section>
      <section className="card">
        {subs.data?.items.length === 0 && <p className="empty">{t('webhooks.none')}</p>}
        {(subs.data?.items.length ?? 0) > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="webhooks-table">
              <thead>
                <tr>
                  <th>{t('webhooks.url')}</th>
                  <th>{t('webhooks.events')}</th>
                  <th>{t('webhooks.log.status')}</th>
                  <th>{t('webhooks.deliveries')}</th>
                  <th>{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {subs.data?.items.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <AppLink to={`/webhooks/${s.id}`}>{s.url}</AppLink>
                      {s.description && <div className="muted">{s.description}</div>}
                      <div className="muted">…{s.secretHint}</div>
                    </td>
                    <td>{s.events.join(', ')}</td>
                    <td>
                      <span className={`badge ${s.enabled ? 'badge-success' : 'badge-muted'}`}>
                        {s.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
                      </span>
                    </td>
                    <td>
                      {s.stats && t('webhooks.stats', s.stats)}
                      {s.stats?.lastAttemptAt && (
                        <div className="muted">
                          {formatDateTime(s.stats.lastAttemptAt, i18n.language)} ·{' '}
                          {s.stats.lastStatusCode ?? '—'}
                        </div>
                      )}
                    </td>
                    <td className="row">
                      <AppLink to={`/webhooks/${s.id}`} className="btn btn-sm">
                        {t('webhooks.deliveries')}
                      </AppLink>
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => patch.mutate({ id: s.id, body: { enabled: !s.enabled } })}
                      >
                        {s.enabled ? t('webhooks.disable') : t('webhooks.enable')}
                      </button>
                      <button
                        type="button"
                        className="btn btn-sm"
                        disabled={!s.enabled}
                        onClick={() => test.mutate(s.id)}
                      >
                        {t('webhooks.test')}
                      </button>
                      <button type="button" className="btn btn-sm" onClick={() => rotate.mutate(s.id)}>
                        {t('webhooks.rotate')}
                      </button>
                      <button
                        type="button"
                        className="btn btn-sm btn-danger"
                        onClick={() => {
                          if (window.confirm(t('webhooks.confirmDelete'))) remove.mutate(s.id);
                        }}
                      >
                        {t('common.delete')}
                      </button>
                    </td>
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
