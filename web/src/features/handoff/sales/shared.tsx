import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useSession } from '../../../app/session.tsx';
import { FieldError, fieldError, ProblemAlert } from '../../../app/ui.tsx';
import type { HandoffSettings, RejectionReason } from './types.ts';

export function useHandoffSettings() {
  return useQuery({
    queryKey: ['handoff-settings'],
    queryFn: () => api<HandoffSettings>('/api/v1/handoff/settings'),
    staleTime: 60_000,
  });
}

/** Whether the signed-in user may accept or reject a lead with this owner (the server has the last word). */
export function useMayDecide() {
  const session = useSession();
  const role = session.data?.role;
  const me = session.data?.user?.id;
  return (ownerId: string | null) =>
    role === 'admin' || (role === 'sales' && (ownerId === null || ownerId === me));
}

/** Invalidates everything that shows a handoff after an accept, reject or new SGL. */
export function useRefreshHandoff() {
  const queryClient = useQueryClient();
  return async (personId?: string) => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['handoff-inbox'] }),
      queryClient.invalidateQueries({ queryKey: ['handoff-summary'] }),
      personId ? queryClient.invalidateQueries({ queryKey: ['handoff', personId] }) : undefined,
      personId ? queryClient.invalidateQueries({ queryKey: ['person', personId] }) : undefined,
      personId ? queryClient.invalidateQueries({ queryKey: ['timeline', personId] }) : undefined,
    ]);
  };
}

const HOUR = 3_600_000;

/** "残り 5時間" / "超過 3時間": the time left before the SLA breaches, or how long ago it did. */
export function SlaClock({ dueAt, now = Date.now() }: { dueAt: string | null; now?: number }) {
  const { t } = useTranslation();
  if (!dueAt) return <span className="muted">{t('handoff.sla.none')}</span>;
  const left = new Date(dueAt).getTime() - now;
  const span = Math.abs(left);
  const text =
    span >= 48 * HOUR
      ? t('handoff.sla.days', { n: Math.floor(span / (24 * HOUR)) })
      : t('handoff.sla.hours', { n: Math.max(1, Math.round(span / HOUR)) });
  if (left <= 0) {
    return (
      <span className="badge badge-danger" data-testid="sla-clock" data-breached="true">
        {t('handoff.sla.overdue', { time: text })}
      </span>
    );
  }
  return (
    <span
      className={left < 8 * HOUR ? 'badge badge-warn' : 'badge'}
      data-testid="sla-clock"
      data-breached="false"
    >
      {t('handoff.sla.left', { time: text })}
    </span>
  );
}

/** A channel key (webinar, document_request…) in the reader's language, using capture's channel names. */
export function useChannelLabel() {
  const { t } = useTranslation();
  return (channel: string | null) => (channel ? t(`forms.ch.${channel}`, { defaultValue: channel }) : null);
}

export function reasonLabel(r: RejectionReason, lang: string) {
  return lang.startsWith('ja') ? r.ja : r.en;
}

/** Accept (→ SAL) and reject-with-reason buttons for one lead. */
export function DecideButtons({
  personId,
  name,
  onDone,
}: {
  personId: string;
  name: string;
  onDone?: () => void;
}) {
  const { t } = useTranslation();
  const refresh = useRefreshHandoff();
  const [rejecting, setRejecting] = useState(false);
  const accept = useMutation({
    mutationFn: () => api(`/api/v1/people/${personId}/accept`, { method: 'POST', body: {} }),
    onSuccess: async () => {
      await refresh(personId);
      onDone?.();
    },
  });
  return (
    <div className="row" style={{ gap: 6 }}>
      <button
        type="button"
        className="btn-primary btn-sm"
        disabled={accept.isPending}
        onClick={() => accept.mutate()}
        data-testid="accept"
      >
        {t('handoff.accept')}
      </button>
      <button type="button" className="btn btn-sm" onClick={() => setRejecting(true)} data-testid="reject">
        {t('handoff.reject')}
      </button>
      <ProblemAlert error={accept.error} />
      {rejecting && (
        <RejectDialog
          personId={personId}
          name={name}
          onClose={() => setRejecting(false)}
          onDone={async () => {
            await refresh(personId);
            onDone?.();
          }}
        />
      )}
    </div>
  );
}

/** The reject dialog: a reason from the configured list, a note, and "disqualify" pre-ticked by the reason. */
export function RejectDialog({
  personId,
  name,
  onClose,
  onDone,
}: {
  personId: string;
  name: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, i18n } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const settings = useHandoffSettings();
  const reasons = (settings.data?.reasons ?? []).filter((r) => r.active);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [disqualify, setDisqualify] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const reject = useMutation({
    mutationFn: () =>
      api(`/api/v1/people/${personId}/reject`, {
        method: 'POST',
        body: { reason, note: note.trim() || undefined, disqualify },
      }),
    onSuccess: () => {
      ref.current?.close();
      onDone();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    reject.mutate();
  }
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="reject-title">
      <form onSubmit={submit} noValidate>
        <h2 id="reject-title">{t('handoff.rejectTitle', { name })}</h2>
        {!fieldError(reject.error, 'reason') && <ProblemAlert error={reject.error} />}
        <div className="form-row">
          <label>
            {t('handoff.reason')}
            <select
              name="reason"
              value={reason}
              aria-invalid={Boolean(fieldError(reject.error, 'reason'))}
              onChange={(e) => {
                setReason(e.target.value);
                setDisqualify(reasons.find((r) => r.code === e.target.value)?.disqualify ?? false);
              }}
            >
              <option value="">{t('handoff.chooseReason')}</option>
              {reasons.map((r) => (
                <option key={r.code} value={r.code}>
                  {reasonLabel(r, i18n.language)}
                </option>
              ))}
            </select>
          </label>
          <FieldError error={reject.error} path="reason" />
        </div>
        <div className="form-row">
          <label>
            {t('handoff.note')}
            <textarea name="note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
        </div>
        <label className="row" style={{ flexDirection: 'row', gap: 6 }}>
          <input
            type="checkbox"
            name="disqualify"
            checked={disqualify}
            onChange={(e) => setDisqualify(e.target.checked)}
          />
          {t('handoff.disqualify')}
        </label>
        <p className="muted">{disqualify ? t('handoff.willDisqualify') : t('handoff.willRecycle')}</p>
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => ref.current?.close()}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn-danger"
            disabled={reject.isPending}
            data-testid="confirm-reject"
          >
            {t('handoff.reject')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
