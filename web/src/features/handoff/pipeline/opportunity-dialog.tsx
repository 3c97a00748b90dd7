import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { FieldError, fieldError, ProblemAlert } from '../../../app/ui.tsx';
import { useUsers } from '../../people/use-users.ts';
import { type Opportunity, type PipelineSettings, SALES_STAGES } from './types.ts';

const TEXT_FIELDS = ['name', 'amount', 'currency', 'expectedCloseDate', 'externalId'] as const;

/** Creates an opportunity on a lead, or edits one: name, amount, sales stage, close date, SFA id, owner, notes. */
export function OpportunityDialog({
  personId,
  opportunity,
  onClose,
}: {
  personId?: string;
  opportunity?: Opportunity;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const qc = useQueryClient();
  const users = useUsers();
  const [v, setV] = useState<Record<string, string>>(() => ({
    name: opportunity?.name ?? '',
    amount: opportunity ? String(opportunity.amount) : '',
    currency: opportunity?.currency ?? 'JPY',
    stage: opportunity?.stage ?? 'qualification',
    expectedCloseDate: opportunity?.expectedCloseDate ?? '',
    externalId: opportunity?.externalId ?? '',
    ownerId: opportunity?.ownerId ?? '',
    description: opportunity?.description ?? '',
  }));
  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const save = useMutation({
    mutationFn: () => {
      const body: Record<string, unknown> = {
        name: v.name.trim(),
        amount: v.amount.trim() === '' ? Number.NaN : Number(v.amount.replace(/[,\s]/g, '')),
        currency: v.currency.trim().toUpperCase(),
        stage: v.stage,
        expectedCloseDate: v.expectedCloseDate || null,
        externalId: v.externalId.trim() || null,
        description: v.description.trim() || null,
      };
      if (v.ownerId || opportunity) body.ownerId = v.ownerId || null;
      if (Number.isNaN(body.amount)) body.amount = null;
      return opportunity
        ? api<Opportunity>(`/api/v1/opportunities/${opportunity.id}`, { method: 'PATCH', body })
        : api<Opportunity>('/api/v1/opportunities', { method: 'POST', body: { ...body, personId } });
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['opportunities'] });
      await qc.invalidateQueries({ queryKey: ['pipeline'] });
      await qc.invalidateQueries({ queryKey: ['person'] });
      ref.current?.close();
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  const hasFieldErrors = [...TEXT_FIELDS, 'stage', 'ownerId', 'description'].some((f) =>
    fieldError(save.error, f),
  );
  const sales = (users.data?.items ?? []).filter(
    (u) => u.active && (u.role === 'sales' || u.role === 'admin'),
  );
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="opp-dialog-title">
      <form onSubmit={submit} noValidate>
        <h2 id="opp-dialog-title">{opportunity ? t('pipeline.dialog.edit') : t('pipeline.dialog.create')}</h2>
        {!opportunity && <p className="muted">{t('pipeline.dialog.createHint')}</p>}
        {!hasFieldErrors && <ProblemAlert error={save.error} />}
        <div className="form-grid">
          {TEXT_FIELDS.map((f) => (
            <div className="form-row" key={f}>
              <label>
                {t(`pipeline.field.${f}`)}
                <input
                  name={f}
                  type={f === 'expectedCloseDate' ? 'date' : f === 'amount' ? 'text' : 'text'}
                  inputMode={f === 'amount' ? 'numeric' : undefined}
                  required={f === 'name' || f === 'amount'}
                  value={v[f]}
                  aria-invalid={Boolean(fieldError(save.error, f))}
                  onChange={(e) => setV({ ...v, [f]: e.target.value })}
                />
              </label>
              <FieldError error={save.error} path={f} />
            </div>
          ))}
          <div className="form-row">
            <label>
              {t('pipeline.field.stage')}
              <select name="stage" value={v.stage} onChange={(e) => setV({ ...v, stage: e.target.value })}>
                {SALES_STAGES.map((s) => (
                  <option key={s} value={s}>
                    {t(`pipeline.stage.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="form-row">
            <label>
              {t('pipeline.field.owner')}
              <select
                name="ownerId"
                value={v.ownerId}
                onChange={(e) => setV({ ...v, ownerId: e.target.value })}
              >
                <option value="">{t('common.none')}</option>
                {sales.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name || u.email}
                  </option>
                ))}
              </select>
            </label>
            <FieldError error={save.error} path="ownerId" />
          </div>
        </div>
        <div className="form-row">
          <label>
            {t('pipeline.field.description')}
            <textarea
              name="description"
              rows={3}
              value={v.description}
              onChange={(e) => setV({ ...v, description: e.target.value })}
            />
          </label>
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => ref.current?.close()}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn-primary" disabled={save.isPending}>
            {opportunity ? t('common.save') : t('common.create')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Close won, close lost with a reason from the configured list (or free text), or reopen. */
export function CloseControls({ opportunity }: { opportunity: Opportunity }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const settings = useQuery({
    queryKey: ['pipeline-settings'],
    queryFn: () => api<PipelineSettings>('/api/v1/pipeline/settings'),
    staleTime: 60_000,
  });
  const [losing, setLosing] = useState(false);
  const [reason, setReason] = useState('');
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<Opportunity>(`/api/v1/opportunities/${opportunity.id}`, { method: 'PATCH', body }),
    onSuccess: async (o) => {
      qc.setQueryData(['opportunity', o.id], o);
      setLosing(false);
      await qc.invalidateQueries({ queryKey: ['opportunities'] });
      await qc.invalidateQueries({ queryKey: ['pipeline'] });
      await qc.invalidateQueries({ queryKey: ['person'] });
    },
  });
  return (
    <div className="stack">
      <ProblemAlert error={patch.error} />
      {opportunity.status === 'open' ? (
        <div className="row">
          <button
            type="button"
            className="btn-primary"
            onClick={() => patch.mutate({ status: 'won' })}
            disabled={patch.isPending}
          >
            {t('pipeline.closeWon')}
          </button>
          <button type="button" className="btn" onClick={() => setLosing(true)} disabled={patch.isPending}>
            {t('pipeline.closeLost')}
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="btn"
          onClick={() => patch.mutate({ status: 'open' })}
          disabled={patch.isPending}
        >
          {t('pipeline.reopen')}
        </button>
      )}
      {losing && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            patch.mutate({ status: 'lost', lossReason: reason });
          }}
        >
          <label>
            {t('pipeline.field.lossReason')}
            <input
              name="lossReason"
              list="loss-reasons"
              value={reason}
              placeholder={t('pipeline.lossReasonPick')}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <datalist id="loss-reasons">
            {(settings.data?.lossReasons ?? []).map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
          <button type="submit" className="btn btn-danger" disabled={patch.isPending}>
            {t('pipeline.closeLost')}
          </button>
          <FieldError error={patch.error} path="lossReason" />
        </form>
      )}
    </div>
  );
}
