import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDateTime } from '../../../app/ui.tsx';
import type { OutboxItem, Page } from './types.ts';

interface PersonMailState {
  consent: boolean;
  unsubscribedAt: string | null;
  bouncedAt: string | null;
}

/** On the lead page: whether the person can receive marketing mail, and the mails sent to them. */
export function MailPanel({ personId }: { personId: string }) {
  const { t, i18n } = useTranslation();
  const canRead = useCan('outbox:read');
  const person = useQuery({
    queryKey: ['person', personId, 'mail-state'],
    queryFn: () => api<PersonMailState>(`/api/v1/people/${personId}`),
  });
  const mails = useQuery({
    queryKey: ['outbox', 'person', personId],
    queryFn: () => api<Page<OutboxItem>>(`/api/v1/outbox${qs({ personId, limit: 10 })}`),
    enabled: canRead,
  });
  const p = person.data;
  return (
    <section className="card" data-testid="mail-panel">
      <h2 className="card-header">{t('mail.panel.title')}</h2>
      {p && (
        <p>
          {p.bouncedAt ? (
            <span className="badge badge-danger">
              {t('mail.panel.bounced', { at: formatDateTime(p.bouncedAt, i18n.language) })}
            </span>
          ) : p.unsubscribedAt ? (
            <span className="badge badge-warn">
              {t('mail.panel.unsubscribed', { at: formatDateTime(p.unsubscribedAt, i18n.language) })}
            </span>
          ) : p.consent ? (
            <span className="badge badge-success">{t('mail.panel.consent')}</span>
          ) : (
            <span className="badge badge-muted">{t('mail.panel.noConsent')}</span>
          )}
        </p>
      )}
      {canRead && (
        <ul className="timeline">
          {mails.data?.items.map((m) => (
            <li key={m.id}>
              <time>{formatDateTime(m.createdAt, i18n.language)}</time>
              <span className="what">
                <AppLink to={`/outbox/${m.id}`}>{m.subject}</AppLink>
              </span>
              <span className="detail">
                {t(`outbox.status.${m.status}`)}
                {m.openedAt ? ` · ${t('outbox.opened')}` : ''}
                {m.clickedAt ? ` · ${t('outbox.clicked')}` : ''}
              </span>
            </li>
          ))}
          {mails.data?.items.length === 0 && <li className="empty">{t('outbox.empty')}</li>}
        </ul>
      )}
    </section>
  );
}
