import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { FieldError, formatDateTime, ProblemAlert } from '../../../app/ui.tsx';
import type { MailSettings, Page } from './types.ts';

/** /mail-settings: the sender identity (特定電子メール法), rate limit, consent policy and the suppression list. */
export function MailSettingsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const canWrite = useCan('emails:write');
  const settings = useQuery({
    queryKey: ['mail-settings'],
    queryFn: () => api<MailSettings>('/api/v1/mail/settings'),
  });
  const [draft, setDraft] = useState<MailSettings | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (settings.data) setDraft(settings.data);
  }, [settings.data]);
  const save = useMutation({
    mutationFn: (d: MailSettings) => {
      const { defaultFrom: _d, smtp: _s, ...body } = d;
      return api<MailSettings>('/api/v1/mail/settings', { method: 'PUT', body });
    },
    onSuccess: () => {
      setSaved(true);
      void qc.invalidateQueries({ queryKey: ['mail-settings'] });
    },
    onError: () => setSaved(false),
  });
  if (!draft) return <p className="loading">{t('common.loading')}</p>;
  const text = (key: 'senderName' | 'fromEmail' | 'replyTo' | 'postalAddress' | 'contact', label: string) => (
    <label className="form-row">
      {label}
      <input
        value={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        disabled={!canWrite}
        data-testid={`ms-${key}`}
      />
      <FieldError error={save.error} path={key} />
    </label>
  );
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('mailSettings.title')}</h1>
          <p className="subtitle">{t('mailSettings.subtitle')}</p>
        </div>
      </div>
      {saved && <div className="alert alert-success">{t('common.saved')}</div>}
      <ProblemAlert error={save.error} />
      <form
        className="card form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(draft);
        }}
      >
        {text('senderName', t('mailSettings.senderName'))}
        {text('fromEmail', t('mailSettings.fromEmail', { default: draft.defaultFrom ?? '' }))}
        {text('replyTo', t('mailSettings.replyTo'))}
        {text('postalAddress', t('mailSettings.postalAddress'))}
        {text('contact', t('mailSettings.contact'))}
        <label className="form-row">
          {t('mailSettings.ratePerSecond')}
          <input
            type="number"
            min={1}
            max={1000}
            value={draft.ratePerSecond}
            onChange={(e) => setDraft({ ...draft, ratePerSecond: Number(e.target.value) })}
            disabled={!canWrite}
          />
        </label>
        <label className="row">
          <input
            type="checkbox"
            checked={draft.requireConsent}
            onChange={(e) => setDraft({ ...draft, requireConsent: e.target.checked })}
            disabled={!canWrite}
          />
          {t('mailSettings.requireConsent')}
        </label>
        {canWrite && (
          <div className="form-actions">
            <button type="submit" disabled={save.isPending} data-testid="save-mail-settings">
              {t('common.save')}
            </button>
          </div>
        )}
      </form>
      <Suppressions canWrite={canWrite} />
    </div>
  );
}

function Suppressions({ canWrite }: { canWrite: boolean }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['suppressions'],
    queryFn: () =>
      api<Page<{ email: string; reason: string; detail: string | null; createdAt: string }>>(
        '/api/v1/mail/suppressions?limit=200',
      ),
  });
  const [email, setEmail] = useState('');
  const add = useMutation({
    mutationFn: () => api('/api/v1/mail/suppressions', { method: 'POST', body: { email } }),
    onSuccess: () => {
      setEmail('');
      void qc.invalidateQueries({ queryKey: ['suppressions'] });
    },
  });
  const lift = useMutation({
    mutationFn: (e: string) =>
      api(`/api/v1/mail/suppressions/${encodeURIComponent(e)}`, { method: 'DELETE' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['suppressions'] }),
  });
  return (
    <section className="card flush">
      <h2 className="card-header">{t('mailSettings.suppressions')}</h2>
      {canWrite && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <input
            type="email"
            placeholder={t('mailSettings.suppressEmail')}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
          <button type="submit" className="btn-sm" disabled={add.isPending}>
            {t('mailSettings.suppress')}
          </button>
        </form>
      )}
      <ProblemAlert error={add.error ?? lift.error} />
      <table className="table">
        <tbody>
          {list.data?.items.map((s) => (
            <tr key={s.email}>
              <td>{s.email}</td>
              <td>{t(`mailSettings.reason.${s.reason}`)}</td>
              <td className="mail-muted">{s.detail}</td>
              <td className="nowrap">{formatDateTime(s.createdAt, i18n.language)}</td>
              <td>
                {canWrite && (
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => lift.mutate(s.email)}>
                    {t('mailSettings.lift')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.items.length === 0 && <p className="empty">{t('common.none')}</p>}
    </section>
  );
}
