import { useTranslation } from 'react-i18next';
import type { Pickers } from './step-form.tsx';
import { type Option, type ScenarioDoc, STAGES, TRIGGER_TYPES, type Trigger } from './types.ts';

function blankTrigger(type: Trigger['type'], pickers: Pickers): Trigger {
  switch (type) {
    case 'form_submitted':
      return { type, formId: null };
    case 'segment_entered':
      return { type, segmentId: pickers.segments[0]?.id ?? '', includeExisting: true };
    case 'stage_changed':
      return { type, to: 'mql' };
    case 'score_crossed':
      return { type, score: 'engagement', threshold: 60 };
    case 'date_field':
      return { type, field: 'customFields.contractEnd', offsetDays: -30 };
    case 'manual':
      return { type };
  }
}

const nameOf = (list: Option[], id: string | null | undefined) => list.find((o) => o.id === id)?.name ?? '';

/** The trigger in one sentence (the top box of the flow). */
export function TriggerSummary({ trigger, pickers }: { trigger: Trigger; pickers: Pickers }) {
  const { t } = useTranslation();
  const vars: Record<string, string | number> = {};
  if (trigger.type === 'form_submitted')
    vars.form = trigger.formId
      ? `「${nameOf(pickers.forms, trigger.formId)}」`
      : t('scenarios.trigger.anyForm');
  if (trigger.type === 'segment_entered') vars.segment = nameOf(pickers.segments, trigger.segmentId);
  if (trigger.type === 'stage_changed') vars.stage = t(`stage.${trigger.to}`);
  if (trigger.type === 'score_crossed') {
    vars.score = t(`scenarios.trigger.score.${trigger.score}`);
    vars.threshold = trigger.threshold;
  }
  if (trigger.type === 'date_field') {
    vars.field = trigger.field;
    vars.offset = trigger.offsetDays;
  }
  return (
    <div data-testid="trigger-summary">
      <span className="scn-type">{t('scenarios.trigger')}</span>
      <div className="scn-summary">{t(`scenarios.trigger.summary.${trigger.type}`, vars)}</div>
    </div>
  );
}

/** Name, trigger, goal, re-entry, time zone and quiet hours, all from lists and inputs. */
export function SettingsForm({
  doc,
  onChange,
  pickers,
}: {
  doc: ScenarioDoc;
  onChange: (d: ScenarioDoc) => void;
  pickers: Pickers;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<ScenarioDoc>) => onChange({ ...doc, ...patch });
  const tr = doc.trigger;
  const setTrigger = (patch: Record<string, unknown>) => set({ trigger: { ...tr, ...patch } as Trigger });
  const goalStages = doc.goal?.stages ?? [];
  return (
    <div className="scn-settings">
      <label className="form-row">
        <span>{t('scenarios.name')}</span>
        <input
          value={doc.name}
          maxLength={200}
          required
          data-testid="scenario-name"
          onChange={(e) => set({ name: e.target.value })}
        />
      </label>
      <label className="form-row">
        <span>{t('scenarios.description')}</span>
        <textarea
          rows={2}
          value={doc.description ?? ''}
          onChange={(e) => set({ description: e.target.value || null })}
        />
      </label>
      <fieldset className="scn-fieldset">
        <legend>{t('scenarios.trigger')}</legend>
        <select
          value={tr.type}
          data-testid="trigger-type"
          onChange={(e) => set({ trigger: blankTrigger(e.target.value as Trigger['type'], pickers) })}
        >
          {TRIGGER_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`scenarios.trigger.${type}`)}
            </option>
          ))}
        </select>
        {tr.type === 'form_submitted' && (
          <label className="form-row">
            <span>{t('scenarios.trigger.form')}</span>
            <select
              value={tr.formId ?? ''}
              data-testid="trigger-form"
              onChange={(e) => setTrigger({ formId: e.target.value || null })}
            >
              <option value="">{t('scenarios.trigger.anyForm')}</option>
              {pickers.forms.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {tr.type === 'segment_entered' && (
          <>
            <label className="form-row">
              <span>{t('scenarios.trigger.segment')}</span>
              <select
                value={tr.segmentId}
                data-testid="trigger-segment"
                onChange={(e) => setTrigger({ segmentId: e.target.value })}
              >
                <option value="">{t('scenarios.step.choose')}</option>
                {pickers.segments.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="scn-check">
              <input
                type="checkbox"
                checked={tr.includeExisting !== false}
                onChange={(e) => setTrigger({ includeExisting: e.target.checked })}
              />
              {t('scenarios.trigger.includeExisting')}
            </label>
          </>
        )}
        {tr.type === 'stage_changed' && (
          <div className="row">
            <label className="form-row">
              <span>{t('scenarios.trigger.to')}</span>
              <select value={tr.to} onChange={(e) => setTrigger({ to: e.target.value })}>
                {STAGES.map((s) => (
                  <option key={s} value={s}>
                    {t(`stage.${s}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="form-row">
              <span>{t('scenarios.trigger.from')}</span>
              <select value={tr.from ?? ''} onChange={(e) => setTrigger({ from: e.target.value || null })}>
                <option value="">—</option>
                {STAGES.map((s) => (
                  <option key={s} value={s}>
                    {t(`stage.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
        {tr.type === 'score_crossed' && (
          <div className="row">
            <label className="form-row">
              <span>{t('scenarios.trigger.score')}</span>
              <select value={tr.score} onChange={(e) => setTrigger({ score: e.target.value })}>
                <option value="engagement">{t('scenarios.trigger.score.engagement')}</option>
                <option value="fit">{t('scenarios.trigger.score.fit')}</option>
              </select>
            </label>
            <label className="form-row">
              <span>{t('scenarios.trigger.threshold')}</span>
              <input
                type="number"
                value={tr.threshold}
                onChange={(e) => setTrigger({ threshold: Number(e.target.value) })}
              />
            </label>
          </div>
        )}
        {tr.type === 'date_field' && (
          <div className="row">
            <label className="form-row">
              <span>{t('scenarios.trigger.field')}</span>
              <input value={tr.field} onChange={(e) => setTrigger({ field: e.target.value })} />
            </label>
            <label className="form-row">
              <span>{t('scenarios.trigger.offsetDays')}</span>
              <input
                type="number"
                value={tr.offsetDays}
                onChange={(e) => setTrigger({ offsetDays: Number(e.target.value) })}
              />
            </label>
          </div>
        )}
      </fieldset>
      <fieldset className="scn-fieldset">
        <legend>{t('scenarios.goal')}</legend>
        <div className="muted">{t('scenarios.goal.stages')}</div>
        <div className="scn-checks">
          {STAGES.map((s) => (
            <label key={s} className="scn-check">
              <input
                type="checkbox"
                checked={goalStages.includes(s)}
                onChange={(e) => {
                  const stages = e.target.checked ? [...goalStages, s] : goalStages.filter((x) => x !== s);
                  const goal = { ...doc.goal, stages: stages.length ? stages : undefined };
                  set({ goal: goal.stages || goal.segmentId ? goal : null });
                }}
              />
              {t(`stage.${s}`)}
            </label>
          ))}
        </div>
        <label className="form-row">
          <span>{t('scenarios.goal.segment')}</span>
          <select
            value={doc.goal?.segmentId ?? ''}
            onChange={(e) => {
              const goal = { ...doc.goal, segmentId: e.target.value || undefined };
              set({ goal: goal.stages || goal.segmentId ? goal : null });
            }}
          >
            <option value="">—</option>
            {pickers.segments.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <div className="form-grid">
        <label className="form-row">
          <span>{t('scenarios.reentry')}</span>
          <select
            value={doc.reentry}
            onChange={(e) => set({ reentry: e.target.value as ScenarioDoc['reentry'] })}
          >
            <option value="never">{t('scenarios.reentry.never')}</option>
            <option value="after_exit">{t('scenarios.reentry.after_exit')}</option>
          </select>
        </label>
        {doc.reentry === 'after_exit' && (
          <label className="form-row">
            <span>{t('scenarios.reentryDays')}</span>
            <input
              type="number"
              min={0}
              value={doc.reentryDays}
              onChange={(e) => set({ reentryDays: Number(e.target.value) })}
            />
          </label>
        )}
        <label className="form-row">
          <span>{t('scenarios.timeZone')}</span>
          <input value={doc.timeZone} onChange={(e) => set({ timeZone: e.target.value })} />
        </label>
        <label className="form-row">
          <span>{t('scenarios.quietHours')}</span>
          <span className="row">
            <input
              type="time"
              aria-label={t('scenarios.quietHours.from')}
              value={doc.quietHours?.start ?? ''}
              onChange={(e) =>
                set({
                  quietHours: e.target.value
                    ? { start: e.target.value, end: doc.quietHours?.end ?? '08:00' }
                    : null,
                })
              }
            />
            〜
            <input
              type="time"
              aria-label={t('scenarios.quietHours.to')}
              value={doc.quietHours?.end ?? ''}
              onChange={(e) =>
                set({
                  quietHours: e.target.value
                    ? { start: doc.quietHours?.start ?? '21:00', end: e.target.value }
                    : null,
                })
              }
            />
          </span>
        </label>
      </div>
    </div>
  );
}
