import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../app/api.ts';
import { useCan } from '../../app/session.tsx';
import { formatDate, ProblemAlert, StageBadge } from '../../app/ui.tsx';
import type { Person } from './types.ts';

/** The current stage and, for roles that may move people, the legal next stages with a reason. */
export function StageControl({ person }: { person: Person }) {
  const { t, i18n } = useTranslation();
  const canMove = useCan('people:stage');
  const queryClient = useQueryClient();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const moves = useQuery({
    queryKey: ['transitions', person.id, person.stage],
    queryFn: () => api<{ nextStages: string[] }>(`/api/v1/people/${person.id}/transitions`),
    enabled: canMove,
  });

  const move = useMutation({
    mutationFn: () => api<Person>(`/api/v1/people/${person.id}/stage`, { method: 'POST', body: { stage: to, reason: reason.trim() || undefined } }),
    onSuccess: (p) => {
      queryClient.setQueryData(['person', person.id], p);
      void queryClient.invalidateQueries({ queryKey: ['timeline', person.id] });
      setTo('');
      setReason('');
    },
    onError: (err) => {
      // Someone else moved the person meanwhile: load the truth so the choices are legal again.
      if (err instanceof ApiError && err.status === 409) {
        void queryClient.invalidateQueries({ queryKey: ['person', person.id] });
        void queryClient.invalidateQueries({ queryKey: ['transitions', person.id] });
      }
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (to) move.mutate();
  }

  const options = moves.data?.nextStages ?? [];
  const conflict = move.error instanceof ApiError && move.error.status === 409;
  return (
    <section className="card" aria-label={t('people.lead.stage')} data-testid="stage-card">
      <div className="card-header">
        <h2>{t('people.lead.stage')}</h2>
      </div>
      <div className="row">
        <StageBadge stage={person.stage} />
        <span className="muted">{t('people.lead.stageSince', { date: formatDate(person.stageChangedAt, i18n.language) })}</span>
      </div>
      {conflict && (
        <div className="alert alert-error" role="alert" data-testid="stage-conflict" style={{ marginTop: 10 }}>
          {t('people.lead.conflict', { detail: (move.error as ApiError).detail ?? (move.error as ApiError).title })}
        </div>
      )}
      {move.error && !conflict && <ProblemAlert error={move.error} />}
      {canMove &&
        (options.length === 0 && moves.isSuccess ? (
          <p className="muted">{t('people.lead.noMoves')}</p>
        ) : (
          <form onSubmit={submit} className="stack" style={{ marginTop: 10 }}>
            <label>
              {t('people.lead.moveTo')}
              <select name="stage" value={to} onChange={(e) => setTo(e.target.value)}>
                <option value="">—</option>
                {options.map((s) => (
                  <option key={s} value={s}>
                    {t(`stage.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('people.lead.reason')}
              <input name="reason" value={reason} maxLength={1000} placeholder={t('people.lead.reasonPlaceholder')} onChange={(e) => setReason(e.target.value)} />
            </label>
            <div>
              <button type="submit" className="btn-primary" disabled={!to || move.isPending}>
                {t('people.lead.move')}
              </button>
            </div>
          </form>
        ))}
    </section>
  );
}
