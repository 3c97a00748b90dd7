import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useSession } from '../../../app/session.tsx';
import { ProblemAlert } from '../../../app/ui.tsx';
import { useHandoffSettings } from './shared.tsx';
import type { Rep } from './types.ts';

/** A rep's own out-of-office dates: while away, the round robin passes them over. */
export function MyAvailability() {
  const session = useSession();
  const settings = useHandoffSettings();
  const me = session.data?.user?.id;
  const rep = settings.data?.reps.find((r) => r.userId === me);
  if (!rep) return null;
  return <AvailabilityForm key={`${rep.outOfOfficeFrom}-${rep.outOfOfficeTo}-${rep.available}`} rep={rep} />;
}

function AvailabilityForm({ rep }: { rep: Rep }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState(rep.outOfOfficeFrom ?? '');
  const [to, setTo] = useState(rep.outOfOfficeTo ?? '');
  const save = useMutation({
    mutationFn: () =>
      api(`/api/v1/handoff/reps/${rep.userId}`, {
        method: 'PUT',
        body: { outOfOfficeFrom: from || null, outOfOfficeTo: to || null },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['handoff-settings'] }),
  });
  return (
    <details className="card">
      <summary>
        {t('handoff.me.title')}{' '}
        {rep.availableToday ? (
          <span className="badge badge-success">{t('handoff.me.available')}</span>
        ) : (
          <span className="badge badge-warn">{t('handoff.settings.awayToday')}</span>
        )}
      </summary>
      <p className="muted">{t('handoff.me.help')}</p>
      <div className="row">
        <label>
          {t('handoff.settings.oooFrom')}
          <input type="date" name="outOfOfficeFrom" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('handoff.settings.oooTo')}
          <input type="date" name="outOfOfficeTo" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" className="btn-primary" disabled={save.isPending} onClick={() => save.mutate()}>
          {t('common.save')}
        </button>
      </div>
      <ProblemAlert error={save.error} />
      {save.isSuccess && <div className="alert alert-success">{t('handoff.settings.saved')}</div>}
    </details>
  );
}
