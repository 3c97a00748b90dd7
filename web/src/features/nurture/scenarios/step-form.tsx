import { useTranslation } from 'react-i18next';
import { type Option, STAGES, type Step } from './types.ts';

export interface Pickers {
  templates: Option[];
  segments: Option[];
  forms: Option[];
  campaigns: Option[];
  users: Option[];
}

function Select({
  label,
  value,
  options,
  onChange,
  testId,
  allowEmpty,
}: {
  label: string;
  value: string;
  options: Option[];
  onChange: (v: string) => void;
  testId?: string;
  allowEmpty?: string;
}) {
  const { t } = useTranslation();
  return (
    <label className="form-row">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">{allowEmpty ?? t('scenarios.step.choose')}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The form of one step: every setting from lists and plain inputs, no JSON. */
export function StepForm({
  step,
  onChange,
  pickers,
  sendSteps,
}: {
  step: Step;
  onChange: (s: Step) => void;
  pickers: Pickers;
  sendSteps: Option[];
}) {
  const { t } = useTranslation();
  const set = (patch: Record<string, unknown>) => onChange({ ...step, ...patch } as Step);
  return (
    <div className="scn-step-form" data-testid={`step-form-${step.id}`}>
      <label className="form-row">
        <span>{t('scenarios.step.name')}</span>
        <input
          value={step.name ?? ''}
          maxLength={200}
          onChange={(e) => set({ name: e.target.value || undefined })}
        />
      </label>
      {step.type === 'send_email' && (
        <Select
          label={t('scenarios.step.template')}
          value={step.templateId}
          options={pickers.templates}
          onChange={(v) => set({ templateId: v })}
          testId="step-template"
        />
      )}
      {step.type === 'wait' && (
        <>
          <div className="row">
            <label className="form-row">
              <span>{t('scenarios.step.amount')}</span>
              <input
                type="number"
                min={1}
                value={step.duration?.amount ?? ''}
                data-testid="wait-amount"
                onChange={(e) =>
                  set({
                    duration: e.target.value
                      ? { amount: Number(e.target.value), unit: step.duration?.unit ?? 'days' }
                      : undefined,
                  })
                }
              />
            </label>
            <label className="form-row">
              <span>&nbsp;</span>
              <select
                value={step.duration?.unit ?? 'days'}
                onChange={(e) =>
                  set({ duration: { amount: step.duration?.amount ?? 1, unit: e.target.value } })
                }
              >
                {(['minutes', 'hours', 'days', 'weeks'] as const).map((u) => (
                  <option key={u} value={u}>
                    {t(`scenarios.step.unit.${u}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="form-row">
              <span>{t('scenarios.step.untilTime')}</span>
              <input
                type="time"
                value={step.until?.time ?? ''}
                onChange={(e) =>
                  set({ until: e.target.value ? { ...step.until, time: e.target.value } : undefined })
                }
              />
            </label>
          </div>
          {step.until && (
            <div className="row scn-weekdays">
              <span className="muted">{t('scenarios.step.weekdays')}</span>
              {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                <label key={d} className="scn-check">
                  <input
                    type="checkbox"
                    checked={step.until?.weekdays?.includes(d) ?? false}
                    onChange={(e) => {
                      const days = new Set(step.until?.weekdays ?? []);
                      if (e.target.checked) days.add(d);
                      else days.delete(d);
                      set({ until: { ...step.until, weekdays: days.size ? [...days].sort() : undefined } });
                    }}
                  />
                  {t(`scenarios.weekday.${d}`)}
                </label>
              ))}
            </div>
          )}
        </>
      )}
      {step.type === 'branch' && (
        <>
          <label className="form-row">
            <span>{t('scenarios.step.condition')}</span>
            <select
              value={step.condition.kind}
              data-testid="branch-kind"
              onChange={(e) => {
                const kind = e.target.value;
                set({
                  condition:
                    kind === 'segment'
                      ? { kind, segmentId: pickers.segments[0]?.id ?? '' }
                      : { kind, withinHours: 72 },
                });
              }}
            >
              <option value="opened">{t('scenarios.step.condition.opened')}</option>
              <option value="clicked">{t('scenarios.step.condition.clicked')}</option>
              <option value="segment">{t('scenarios.step.condition.segment')}</option>
            </select>
          </label>
          {step.condition.kind === 'segment' && (
            <Select
              label={t('scenarios.trigger.segment')}
              value={step.condition.segmentId}
              options={pickers.segments}
              onChange={(v) => set({ condition: { kind: 'segment', segmentId: v } })}
            />
          )}
          {(step.condition.kind === 'opened' || step.condition.kind === 'clicked') && (
            <div className="row">
              <label className="form-row">
                <span>{t('scenarios.step.withinHours')}</span>
                <input
                  type="number"
                  min={1}
                  value={step.condition.withinHours}
                  onChange={(e) =>
                    set({ condition: { ...step.condition, withinHours: Number(e.target.value) } })
                  }
                />
              </label>
              <Select
                label={t('scenarios.step.send_email')}
                value={step.condition.stepId ?? ''}
                options={sendSteps}
                allowEmpty={t('scenarios.step.condition.opened')}
                onChange={(v) => set({ condition: { ...step.condition, stepId: v || undefined } })}
              />
            </div>
          )}
        </>
      )}
      {step.type === 'update_field' && (
        <div className="row">
          <label className="form-row">
            <span>{t('scenarios.step.field')}</span>
            <input
              value={step.field}
              onChange={(e) => set({ field: e.target.value })}
              placeholder="title / customFields.key"
            />
          </label>
          <label className="form-row">
            <span>{t('scenarios.step.value')}</span>
            <input value={String(step.value ?? '')} onChange={(e) => set({ value: e.target.value })} />
          </label>
        </div>
      )}
      {step.type === 'adjust_score' && (
        <label className="form-row">
          <span>{t('scenarios.step.points')}</span>
          <input
            type="number"
            value={step.points}
            onChange={(e) => set({ points: Number(e.target.value) })}
          />
        </label>
      )}
      {step.type === 'change_stage' && (
        <label className="form-row">
          <span>{t('scenarios.step.stage')}</span>
          <select value={step.stage} onChange={(e) => set({ stage: e.target.value })}>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {t(`stage.${s}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      {step.type === 'add_to_campaign' && (
        <div className="row">
          <Select
            label={t('scenarios.step.campaign')}
            value={step.campaignId}
            options={pickers.campaigns}
            onChange={(v) => set({ campaignId: v })}
          />
          <label className="form-row">
            <span>{t('scenarios.step.memberStatus')}</span>
            <select value={step.status ?? 'member'} onChange={(e) => set({ status: e.target.value })}>
              <option value="member">member</option>
              <option value="invited">invited</option>
              <option value="registered">registered</option>
            </select>
          </label>
        </div>
      )}
      {step.type === 'assign_owner' && (
        <Select
          label={t('scenarios.step.owner')}
          value={step.ownerId}
          options={pickers.users}
          onChange={(v) => set({ ownerId: v })}
        />
      )}
      {step.type === 'notify_owner' && (
        <label className="form-row">
          <span>{t('scenarios.step.message')}</span>
          <textarea
            rows={2}
            value={step.message ?? ''}
            onChange={(e) => set({ message: e.target.value || undefined })}
          />
        </label>
      )}
      {step.type === 'webhook' && (
        <label className="form-row">
          <span>{t('scenarios.step.url')}</span>
          <input type="url" value={step.url} onChange={(e) => set({ url: e.target.value })} />
        </label>
      )}
    </div>
  );
}
