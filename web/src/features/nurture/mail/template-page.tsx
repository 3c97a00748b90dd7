import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, qs } from '../../../app/api.ts';
import { useCan, useSession } from '../../../app/session.tsx';
import { AppLink, FieldError, formatNumber, ProblemAlert, useAppNavigate } from '../../../app/ui.tsx';
import type { EmailTemplate, Page, PersonLite, Rendered } from './types.ts';

type Draft = Pick<EmailTemplate, 'name' | 'kind' | 'subject' | 'preheader' | 'html' | 'text' | 'locale'>;

const draftOf = (tpl: EmailTemplate): Draft => ({
  name: tpl.name,
  kind: tpl.kind,
  subject: tpl.subject,
  preheader: tpl.preheader ?? '',
  html: tpl.html,
  text: tpl.text ?? '',
  locale: tpl.locale,
});

/** /emails/{id}: edit the parts, preview for a chosen person, send a test, see delivery. */
export function TemplatePage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useAppNavigate();
  const canWrite = useCan('emails:write');
  const tpl = useQuery({
    queryKey: ['email-template', id],
    queryFn: () => api<EmailTemplate>(`/api/v1/email-templates/${id}`),
  });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (tpl.data) setDraft(draftOf(tpl.data));
  }, [tpl.data]);
  const save = useMutation({
    mutationFn: (d: Draft) =>
      api<EmailTemplate>(`/api/v1/email-templates/${id}`, { method: 'PATCH', body: d }),
    onSuccess: (saved) => {
      qc.setQueryData(['email-template', id], saved);
      void qc.invalidateQueries({ queryKey: ['email-templates'] });
      setNotice(t('emails.saved'));
    },
    onError: () => setNotice(null),
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/email-templates/${id}`, { method: 'DELETE' }),
    onSuccess: () => navigate('/emails'),
  });
  if (tpl.error instanceof ApiError && tpl.error.status === 404)
    return <p className="empty">{t('common.notFound')}</p>;
  if (!tpl.data || !draft) return <p className="loading">{t('common.loading')}</p>;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const input = (key: 'name' | 'subject' | 'preheader', label: string) => (
    <label className="form-row">
      {label}
      <input
        value={draft[key] ?? ''}
        onChange={(e) => set({ [key]: e.target.value })}
        disabled={!canWrite}
        data-testid={`tpl-${key}`}
        aria-invalid={Boolean(
          save.error instanceof ApiError && save.error.errors.some((x) => x.path === key),
        )}
      />
      <FieldError error={save.error} path={key} />
    </label>
  );
  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/emails">{t('emails.back')}</AppLink> / {tpl.data.name}
      </div>
      <div className="page-header">
        <div>
          <h1>{tpl.data.name}</h1>
          <p className="subtitle">{t('emails.version', { version: tpl.data.version })}</p>
        </div>
        {canWrite && (
          <div className="page-actions">
            <button
              type="button"
              onClick={() => save.mutate(draft)}
              disabled={save.isPending}
              data-testid="save-template"
            >
              {t('common.save')}
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => window.confirm(t('emails.deleteConfirm')) && remove.mutate()}
            >
              {t('common.delete')}
            </button>
          </div>
        )}
      </div>
      {notice && <div className="alert alert-success">{notice}</div>}
      <ProblemAlert error={save.error ?? remove.error} />
      <div className="grid-2">
        <section className="card stack">
          {input('name', t('emails.name'))}
          <div className="row">
            <label className="form-row">
              {t('emails.kind')}
              <select
                value={draft.kind}
                onChange={(e) => set({ kind: e.target.value as Draft['kind'] })}
                disabled={!canWrite}
              >
                <option value="marketing">{t('emails.kind.marketing')}</option>
                <option value="transactional">{t('emails.kind.transactional')}</option>
              </select>
            </label>
            <label className="form-row">
              {t('emails.locale')}
              <select
                value={draft.locale}
                onChange={(e) => set({ locale: e.target.value as Draft['locale'] })}
                disabled={!canWrite}
              >
                <option value="ja">日本語</option>
                <option value="en">English</option>
              </select>
            </label>
          </div>
          {input('subject', t('emails.subject'))}
          {input('preheader', t('emails.preheader'))}
          <label className="form-row">
            {t('emails.html')}
            <textarea
              className="mail-code"
              rows={16}
              value={draft.html}
              onChange={(e) => set({ html: e.target.value })}
              disabled={!canWrite}
              spellCheck={false}
              data-testid="tpl-html"
            />
            <FieldError error={save.error} path="html" />
          </label>
          <label className="form-row">
            {t('emails.text')}
            <textarea
              className="mail-code"
              rows={6}
              value={draft.text ?? ''}
              onChange={(e) => set({ text: e.target.value })}
              disabled={!canWrite}
              spellCheck={false}
            />
            <FieldError error={save.error} path="text" />
          </label>
          <Variables />
        </section>
        <div className="stack">
          <PreviewCard templateId={id} draft={draft} version={tpl.data.version} />
          <TestSend templateId={id} />
          <Stats templateId={id} />
        </div>
      </div>
    </div>
  );
}

function Variables() {
  const { t } = useTranslation();
  const vars = useQuery({
    queryKey: ['template-variables'],
    queryFn: () => api<{ variables: Record<string, string[]> }>('/api/v1/email-templates/variables'),
  });
  return (
    <details>
      <summary>{t('emails.variables')}</summary>
      <p className="mail-muted">
        {t('emails.variablesHint')} <code>{"{{ person.lastName | default: 'ご担当者' }} 様"}</code>
      </p>
      <ul className="mail-vars">
        {Object.entries(vars.data?.variables ?? {}).map(([root, props]) =>
          props.length ? (
            props.map((p) => (
              <li key={`${root}.${p}`}>
                <code>{`{{ ${root}.${p} }}`}</code>
              </li>
            ))
          ) : (
            <li key={root}>
              <code>{`{{ ${root} }}`}</code>
            </li>
          ),
        )}
      </ul>
    </details>
  );
}

/** Renders the draft (unsaved edits included) for a person found by search, or sample values. */
function PreviewCard({ draft, version }: { templateId: string; draft: Draft; version: number }) {
  const { t } = useTranslation();
  const [personId, setPersonId] = useState<string | undefined>(undefined);
  const [view, setView] = useState<'html' | 'text'>('html');
  const [query, setQuery] = useState('');
  const found = useQuery({
    queryKey: ['preview-people', query],
    queryFn: () => api<Page<PersonLite>>(`/api/v1/people${qs({ q: query, limit: 8 })}`),
    enabled: query.trim().length > 0,
  });
  const body = {
    subject: draft.subject,
    preheader: draft.preheader || null,
    html: draft.html,
    text: draft.text || null,
    kind: draft.kind,
    locale: draft.locale,
    personId,
  };
  const preview = useQuery({
    queryKey: ['template-preview', JSON.stringify(body), version],
    queryFn: () => api<Rendered>('/api/v1/email-templates/preview', { method: 'POST', body }),
    placeholderData: (prev) => prev,
    retry: false,
  });
  return (
    <section className="card stack" data-testid="template-preview">
      <div className="card-header row">
        <h2>{t('emails.preview')}</h2>
        <span className="spacer" />
        <div className="tabs">
          <button
            type="button"
            className={`tab${view === 'html' ? ' active' : ''}`}
            onClick={() => setView('html')}
          >
            {t('emails.htmlView')}
          </button>
          <button
            type="button"
            className={`tab${view === 'text' ? ' active' : ''}`}
            onClick={() => setView('text')}
          >
            {t('emails.textView')}
          </button>
        </div>
      </div>
      <div className="row">
        <label className="form-row">
          {t('emails.previewFor')}
          <select
            value={personId ?? ''}
            onChange={(e) => setPersonId(e.target.value || undefined)}
            data-testid="preview-person"
          >
            <option value="">{t('emails.samplePerson')}</option>
            {found.data?.items.map((p) => (
              <option key={p.id} value={p.id}>
                {[p.lastName, p.firstName].filter(Boolean).join(' ') || p.email} — {p.company ?? p.email}
              </option>
            ))}
          </select>
        </label>
        <label className="form-row">
          {t('emails.searchPerson')}
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="preview-search"
          />
        </label>
      </div>
      {preview.error ? (
        <ul className="alert alert-error" data-testid="preview-errors">
          {preview.error instanceof ApiError && preview.error.errors.length ? (
            preview.error.errors.map((e) => (
              <li key={`${e.path}${e.message}`}>
                <code>{e.path}</code> {e.message}
              </li>
            ))
          ) : (
            <li>{(preview.error as Error).message}</li>
          )}
        </ul>
      ) : (
        preview.data && (
          <>
            <dl className="kv">
              <dt>From</dt>
              <dd>{preview.data.from}</dd>
              <dt>To</dt>
              <dd>{preview.data.to}</dd>
              <dt>{t('emails.subject')}</dt>
              <dd data-testid="preview-subject">{preview.data.subject}</dd>
            </dl>
            {view === 'html' ? (
              <iframe
                className="mail-frame"
                title={t('emails.preview')}
                sandbox=""
                srcDoc={preview.data.html}
                data-testid="preview-frame"
              />
            ) : (
              <pre className="mail-text">{preview.data.text}</pre>
            )}
          </>
        )
      )}
    </section>
  );
}

function TestSend({ templateId }: { templateId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const canSend = useCan('emails:send');
  const [to, setTo] = useState('');
  useEffect(() => {
    if (!to && session.data?.user?.email) setTo(session.data.user.email);
  }, [session.data, to]);
  const send = useMutation({
    mutationFn: () =>
      api<{ messageId: string }>(`/api/v1/email-templates/${templateId}/test`, {
        method: 'POST',
        body: { to },
      }),
  });
  if (!canSend) return null;
  return (
    <form
      className="card row"
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate();
      }}
    >
      <label className="form-row">
        {t('emails.testTo')}
        <input
          type="email"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          required
          data-testid="test-to"
        />
      </label>
      <button type="submit" disabled={send.isPending} data-testid="test-send">
        {t('emails.testSend')}
      </button>
      {send.isSuccess && (
        <span className="alert alert-success">
          {t('emails.testSent')} —{' '}
          <AppLink to={`/outbox/${send.data.messageId}`}>{t('outbox.title')}</AppLink>
        </span>
      )}
      <ProblemAlert error={send.error} />
    </form>
  );
}

function Stats({ templateId }: { templateId: string }) {
  const { t, i18n } = useTranslation();
  const stats = useQuery({
    queryKey: ['template-stats', templateId],
    queryFn: () => api<Record<string, number>>(`/api/v1/email-templates/${templateId}/stats`),
  });
  if (!stats.data) return null;
  const keys = ['sent', 'opened', 'clicked', 'bounced', 'unsubscribed', 'failed'];
  const sent = stats.data.sent || 0;
  return (
    <section className="card">
      <h2 className="card-header">{t('emails.stats')}</h2>
      <div className="grid-3">
        {keys.map((k) => (
          <div className="stat" key={k}>
            <div className="stat-label">{t(`emails.stats.${k}`)}</div>
            <div className="stat-value">{formatNumber(stats.data[k] ?? 0, i18n.language)}</div>
            {k !== 'sent' && sent > 0 && (
              <div className="mail-muted">{(((stats.data[k] ?? 0) / sent) * 100).toFixed(1)}%</div>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
