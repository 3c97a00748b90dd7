import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { AppLink, formatDateTime, Pager, ProblemAlert } from '../../../app/ui.tsx';
import type { Submission } from './types.ts';

/** A form's submissions, newest first, each linked to its lead. */
export function SubmissionsTable({ formId }: { formId: string }) {
  const { t, i18n } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const subs = useQuery({
    queryKey: ['form-submissions', formId, cursor],
    queryFn: () =>
      api<{ items: Submission[]; nextCursor: string | null }>(
        `/api/v1/forms/${formId}/submissions${qs({ limit: 50, cursor })}`,
      ),
  });
  return (
    <div className="card flush">
      <ProblemAlert error={subs.error} />
      {subs.data?.items.length ? (
        <div className="table-wrap">
          <table className="table" data-testid="submissions-table">
            <thead>
              <tr>
                <th>{t('forms.sub.when')}</th>
                <th>{t('forms.sub.who')}</th>
                <th>{t('forms.sub.page')}</th>
                <th>{t('forms.sub.utm')}</th>
                <th>{t('forms.sub.consent')}</th>
              </tr>
            </thead>
            <tbody>
              {subs.data.items.map((s) => (
                <tr key={s.id}>
                  <td className="nowrap">{formatDateTime(s.createdAt, i18n.language)}</td>
                  <td>
                    <AppLink to={`/people/${s.personId}`}>{s.name || s.email}</AppLink>
                    <div className="muted">{s.email}</div>
                  </td>
                  <td className="intake-url">{s.pageUrl ?? ''}</td>
                  <td className="mono">
                    {Object.entries(s.utm)
                      .map(([k, v]) => `${k.replace('utm_', '')}=${v}`)
                      .join(' ')}
                  </td>
                  <td>{s.consent ? t('common.yes') : t('common.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="empty">{subs.isLoading ? t('common.loading') : t('forms.sub.empty')}</p>
      )}
      <Pager
        hasPrev={cursors.length > 0}
        hasNext={Boolean(subs.data?.nextCursor)}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => subs.data?.nextCursor && setCursors([...cursors, subs.data.nextCursor])}
      />
    </div>
  );
}
