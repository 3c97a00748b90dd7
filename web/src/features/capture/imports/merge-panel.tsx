import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { useSession } from '../../../app/session.tsx';
import { fullName, ProblemAlert, StageBadge } from '../../../app/ui.tsx';

interface PersonHit {
  id: string;
  email: string;
  lastName: string | null;
  firstName: string | null;
  company: string | null;
  stage: string;
}

/** Lead page panel: find another record of the same person and merge it into this one. */
export function MergePanel({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [chosen, setChosen] = useState<PersonHit | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const allowed = session.data?.role === 'admin' || session.data?.role === 'marketing';
  const search = useQuery({
    queryKey: ['merge-search', q],
    queryFn: () => api<{ items: PersonHit[] }>(`/api/v1/people${qs({ q, limit: 8 })}`),
    enabled: allowed && q.trim().length >= 2,
  });
  const merge = useMutation({
    mutationFn: (otherId: string) =>
      api<{ moved: Record<string, number> }>(`/api/v1/people/${personId}/merge`, {
        method: 'POST',
        body: { otherId },
      }),
    onSuccess: (r) => {
      setDone(t('merge.done', { activities: r.moved.activities ?? 0 }));
      setChosen(null);
      setQ('');
      void qc.invalidateQueries();
    },
  });
  if (!allowed) return null;
  const hits = (search.data?.items ?? []).filter((p) => p.id !== personId);
  return (
    <section className="card" aria-label={t('merge.title')} data-testid="merge-panel">
      <h2>{t('merge.title')}</h2>
      <p className="muted">{t('merge.help')}</p>
      <input
        type="search"
        name="merge-search"
        value={q}
        placeholder={t('merge.search')}
        maxLength={200}
        onChange={(e) => {
          setQ(e.target.value);
          setDone(null);
        }}
      />
      {q.trim().length >= 2 && search.data && hits.length === 0 && <p className="muted">{t('merge.none')}</p>}
      {!chosen && hits.length > 0 && (
        <ul className="merge-results">
          {hits.map((p) => (
            <li key={p.id}>
              <span>
                {fullName(p)} &lt;{p.email}&gt; {p.company ?? ''}
              </span>
              <StageBadge stage={p.stage} />
              <button type="button" className="btn btn-sm" onClick={() => setChosen(p)}>
                {t('merge.select')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && (
        <div className="alert alert-warn" role="alertdialog">
          <p>{t('merge.confirm', { other: `${fullName(chosen)} <${chosen.email}>` })}</p>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-danger"
              disabled={merge.isPending}
              onClick={() => merge.mutate(chosen.id)}
            >
              {t('merge.run')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setChosen(null)}>
              {t('merge.cancel')}
            </button>
          </div>
        </div>
      )}
      {done && (
        <div className="alert alert-success" role="status">
          {done}
        </div>
      )}
      <ProblemAlert error={merge.error} />
    </section>
  );
}
