import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Slot } from './edit.ts';
import type { Pickers } from './step-form.tsx';
import { STEP_TYPES, type Step, type StepStats, type StepType } from './types.ts';

const nameOf = (list: { id: string; name: string }[], id: string | undefined | null) =>
  list.find((o) => o.id === id)?.name ?? id ?? '';

/** One line saying what a step does, in the marketer's words. */
export function useStepSummary(pickers: Pickers) {
  const { t } = useTranslation();
  return (s: Step): string => {
    switch (s.type) {
      case 'send_email':
        return nameOf(pickers.templates, s.templateId) || t('scenarios.step.choose');
      case 'wait': {
        const parts: string[] = [];
        if (s.duration) parts.push(`${s.duration.amount} ${t(`scenarios.step.unit.${s.duration.unit}`)}`);
        if (s.until)
          parts.push(
            `→ ${(s.until.weekdays ?? []).map((d) => t(`scenarios.weekday.${d}`)).join('・')} ${s.until.time}`,
          );
        return parts.join(' ');
      }
      case 'branch':
        if (s.condition.kind === 'segment')
          return `${t('scenarios.step.condition.segment')}: ${nameOf(pickers.segments, s.condition.segmentId)}`;
        if (s.condition.kind === 'filter') return t('scenarios.step.condition.segment');
        return `${t(`scenarios.step.condition.${s.condition.kind}`)} (${s.condition.withinHours}h)`;
      case 'update_field':
        return `${s.field} = ${String(s.value ?? '')}`;
      case 'adjust_score':
        return `${s.points > 0 ? '+' : ''}${s.points}`;
      case 'change_stage':
        return t(`stage.${s.stage}`);
      case 'add_to_campaign':
        return nameOf(pickers.campaigns, s.campaignId);
      case 'assign_owner':
        return nameOf(pickers.users, s.ownerId);
      case 'notify_owner':
        return s.message ?? '';
      case 'webhook':
        return s.url;
      case 'exit':
        return '';
    }
  };
}

export interface FlowProps {
  steps: Step[];
  trigger: ReactNode;
  stats?: StepStats[];
  pickers: Pickers;
  editing: boolean;
  selected: string | null;
  errorSteps: Set<string>;
  onSelect: (id: string | null) => void;
  onRemove: (id: string) => void;
  onInsert: (slot: Slot, type: StepType) => void;
  onShowPeople: (id: string) => void;
  renderForm: (step: Step) => ReactNode;
}

function AddSlot({ slot, onInsert }: { slot: Slot; onInsert: FlowProps['onInsert'] }) {
  const { t } = useTranslation();
  return (
    <div className="scn-add">
      <select
        aria-label={t('scenarios.step.addType')}
        data-testid={`add-after-${slot.after ?? 'start'}-${slot.port}`}
        value=""
        onChange={(e) => {
          if (e.target.value) onInsert(slot, e.target.value as StepType);
        }}
      >
        <option value="">{t('scenarios.step.add')}</option>
        {STEP_TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`scenarios.step.${type}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The scenario as a vertical flow of boxes and arrows, a branch as two columns, with the people at each step. */
export function Flow(props: FlowProps) {
  const { t } = useTranslation();
  const summary = useStepSummary(props.pickers);
  const byId = new Map(props.steps.map((s) => [s.id, s]));
  const stats = new Map((props.stats ?? []).map((s) => [s.stepId, s]));
  const seen = new Set<string>();

  const box = (s: Step) => {
    const st = stats.get(s.id);
    const selected = props.selected === s.id;
    return (
      <div
        className={`scn-box scn-${s.type}${selected ? ' selected' : ''}${props.errorSteps.has(s.id) ? ' has-error' : ''}`}
        data-testid={`step-${s.id}`}
      >
        <div className="scn-box-head">
          <span className="scn-type">{t(`scenarios.step.${s.type}`)}</span>
          {s.name && <strong className="scn-name">{s.name}</strong>}
          <span className="spacer" />
          {props.editing && (
            <>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => props.onSelect(selected ? null : s.id)}
              >
                {selected ? t('scenarios.step.done') : t('scenarios.step.editStep')}
              </button>
              <button
                type="button"
                className="btn btn-sm btn-danger"
                onClick={() => props.onRemove(s.id)}
                data-testid={`remove-${s.id}`}
              >
                {t('scenarios.step.remove')}
              </button>
            </>
          )}
        </div>
        <div className="scn-summary">{summary(s)}</div>
        {st && (
          <div className="scn-counts">
            <button
              type="button"
              className="btn-ghost scn-current"
              data-testid={`step-count-${s.id}`}
              onClick={() => props.onShowPeople(s.id)}
            >
              {t('scenarios.step.current', { n: st.current })}
            </button>
            <span className="muted">{t('scenarios.step.reached', { n: st.reached })}</span>
            {Object.entries(st.outcomes)
              .filter(([k]) => k !== 'running')
              .map(([k, n]) => (
                <span key={k} className="badge badge-muted">
                  {t(`scenarios.outcome.${k}`, { defaultValue: k })} {n}
                </span>
              ))}
          </div>
        )}
        {selected && props.editing && props.renderForm(s)}
      </div>
    );
  };

  const chain = (id: string | null | undefined, from: Slot): ReactNode => {
    const slot = props.editing ? <AddSlot slot={from} onInsert={props.onInsert} /> : null;
    if (!id || !byId.has(id)) {
      return (
        <>
          {slot}
          <div className="scn-end">{t('scenarios.step.end')}</div>
        </>
      );
    }
    const s = byId.get(id) as Step;
    if (seen.has(id)) {
      return (
        <>
          {slot}
          <div className="scn-goto">
            {t('scenarios.step.goto', { name: s.name || t(`scenarios.step.${s.type}`) })}
          </div>
        </>
      );
    }
    seen.add(id);
    return (
      <>
        {slot}
        <div className="scn-arrow" aria-hidden="true" />
        {box(s)}
        {s.type === 'branch' ? (
          <div className="scn-branches">
            <div className="scn-col">
              <div className="scn-port yes">{t('scenarios.step.yes')}</div>
              {chain(s.yes, { after: s.id, port: 'yes' })}
            </div>
            <div className="scn-col">
              <div className="scn-port no">{t('scenarios.step.no')}</div>
              {chain(s.no, { after: s.id, port: 'no' })}
            </div>
          </div>
        ) : s.type === 'exit' ? (
          <div className="scn-end">{t('scenarios.step.end')}</div>
        ) : (
          <>
            <div className="scn-arrow" aria-hidden="true" />
            {chain(s.next, { after: s.id, port: 'next' })}
          </>
        )}
      </>
    );
  };

  return (
    <div className="scn-flow" data-testid="scenario-flow">
      <div className="scn-box scn-trigger">{props.trigger}</div>
      {chain(props.steps[0]?.id ?? null, { after: null, port: 'next' })}
    </div>
  );
}
