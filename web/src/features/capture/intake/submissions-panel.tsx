import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { AppLink, formatDateTime } from '../../../app/ui.tsx';

interface PersonSubmission {
  id: string;
  formId: string;
  formName: string;
  answers: Record<string, unknown>;
  labels: Record<string, string>;
  consent: boolean;
  consentText: string | null;
  pageUrl: string | null;
  utm: Record<string, string>;
  createdAt: string;
}

function answerText(v: unknown, yes: string, no: string): string {
  if (v === true) return yes;
  if (v === false) return no;
  return String(v ?? '');
}

/** On the lead page: what the lead wrote in forms, where, and the consent text they agreed to. */
export function FormSubmissionsPanel({ personId }: { personId: string }) {
  const { t, i18n } = useTranslation();
  const subs = useQuery({
    queryKey: ['person-form-submissions', personId],
    queryFn: () => api<{ items: PersonSubmission[] }>(`/api/v1/people/${personId}/form-submissions?limit=20`),
  });
  if (!subs.data?.items.length) return null;
  return (
    <section className="card" data-testid="form-submissions-panel">
      <h2>{t('forms.panel.title')}</h2>
      <ul className="timeline">
        {subs.data.items.map((s) => (
          <li key={s.id}>
            <time>{formatDateTime(s.createdAt, i18n.language)}</time>
            <div className="what">
              <AppLink to={`/forms/${s.formId}`}>{s.formName}</AppLink>
              {s.utm.utm_source && <span className="badge badge-muted">{s.utm.utm_source}</span>}
            </div>
            <dl className="kv detail">
              {Object.entries(s.answers).map(([key, value]) => (
                <div key={key}>
                  <dt>{s.labels[key] ?? key}</dt>
                  <dd>{answerText(value, t('common.yes'), t('common.no'))}</dd>
                </div>
              ))}
              {s.consentText && (
                <div>
                  <dt>{t('forms.sub.consent')}</dt>
                  <dd>
                    {s.consent ? t('common.yes') : t('common.no')}{' '}
                    <span className="muted">（{s.consentText}）</span>
                  </dd>
                </div>
              )}
              {s.pageUrl && (
                <div>
                  <dt>{t('forms.sub.page')}</dt>
                  <dd className="intake-url">{s.pageUrl}</dd>
                </div>
              )}
            </dl>
          </li>
        ))}
      </ul>
    </section>
  );
}
