import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDateTime, Pager, ProblemAlert, useAppNavigate } from '../../../app/ui.tsx';
import type { EmailTemplate, Page } from './types.ts';

const STARTER_HTML = `<html>
<head><style>p { line-height: 1.7; } .btn { background: #2563eb; color: #fff; padding: 10px 18px; border-radius: 6px; text-decoration: none; }</style></head>
<body>
<p>{{ person.company }}<br>{{ person.lastName | default: 'ご担当者' }} 様</p>
<p>いつもお世話になっております。{{ sender.name }}です。</p>
<p><a class="btn" href="https://example.com/">詳しくはこちら</a></p>
</body>
</html>`;

/** /emails: the templates, newest first. */
export function TemplatesPage() {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('emails:write');
  const navigate = useAppNavigate();
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['email-templates', q, cursor],
    queryFn: () => api<Page<EmailTemplate>>(`/api/v1/email-templates${qs({ q, cursor, limit: 50 })}`),
  });
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      api<EmailTemplate>('/api/v1/email-templates', {
        method: 'POST',
        body: {
          name,
          subject: "{{ person.lastName | default: 'ご担当者' }} 様へのご案内",
          html: STARTER_HTML,
          kind: 'marketing',
          locale: i18n.language.startsWith('ja') ? 'ja' : 'en',
        },
      }),
    onSuccess: (tpl) => navigate(`/emails/${tpl.id}`),
  });
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('emails.title')}</h1>
          <p className="subtitle">{t('emails.subtitle')}</p>
        </div>
        <div className="page-actions">
          <AppLink to="/mail-settings" className="btn">
            {t('emails.settings')}
          </AppLink>
          {canWrite && (
            <button type="button" onClick={() => setCreating(true)} data-testid="new-template">
              {t('emails.new')}
            </button>
          )}
        </div>
      </div>
      {creating && (
        <form
          className="card row"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <label className="form-row">
            {t('emails.name')}
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={200}
              data-testid="template-name"
            />
          </label>
          <div className="form-actions">
            <button type="submit" disabled={!name.trim() || create.isPending}>
              {t('common.create')}
            </button>
            <button type="button" className="btn" onClick={() => setCreating(false)}>
              {t('common.cancel')}
            </button>
          </div>
          <ProblemAlert error={create.error} />
        </form>
      )}
      <div className="toolbar">
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
        <table className="table">
          <thead>
            <tr>
              <th>{t('emails.name')}</th>
              <th>{t('emails.subject')}</th>
              <th>{t('emails.kind')}</th>
              <th>{t('segments.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((tpl) => (
              <tr key={tpl.id}>
                <td>
                  <AppLink to={`/emails/${tpl.id}`}>{tpl.name}</AppLink>{' '}
                  <span className="badge badge-muted">{t('emails.version', { version: tpl.version })}</span>
                </td>
                <td>{tpl.subject}</td>
                <td>{t(`outbox.kind.${tpl.kind}`)}</td>
                <td className="nowrap">{formatDateTime(tpl.updatedAt, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data?.items.length === 0 && <p className="empty">{t('emails.empty')}</p>}
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
