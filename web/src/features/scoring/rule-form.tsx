import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ACTIVITY_TYPES,
  type EngagementWhen,
  FIELD_OPS,
  FIT_FIELDS,
  type FieldCondition,
  type FitWhen,
  type Grade,
  type MqlCondition,
  type Rule,
  type RuleSet,
} from './types.ts';

const list = (s: string) =>
  s
    .split(/[,、，]/)
    .map((x) => x.trim())
    .filter(Boolean);
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

/** The flat shape the form edits: a list of field conditions combined with AND or OR. */
function flatten(when: FitWhen): { match: 'all' | 'any'; conditions: FieldCondition[] } | null {
  if ('field' in when) return { match: 'all', conditions: [when] };
  const match = 'all' in when ? 'all' : 'any';
  const items = 'all' in when ? when.all : when.any;
  if (items.every((c) => 'field' in c)) return { match, conditions: items as FieldCondition[] };
  return null;
}

function ConditionRow({ c, onChange, onRemove, disabled }: { c: FieldCondition; onChange: (c: FieldCondition) => void; onRemove: () => void; disabled: boolean }) {
  const { t } = useTranslation();
  const custom = c.field.startsWith('customFields.');
  return (
    <div className="row scoring-condition">
      <label>
        {t('scoring.cond.field')}
        <select
          value={custom ? 'custom' : c.field}
          disabled={disabled}
          onChange={(e) => onChange({ ...c, field: e.target.value === 'custom' ? 'customFields.' : e.target.value })}
        >
          {FIT_FIELDS.map((f) => (
            <option key={f} value={f}>
              {t(`scoring.field.${f}`)}
            </option>
          ))}
          <option value="custom">{t('scoring.field.custom')}</option>
        </select>
      </label>
      {custom && (
        <label>
          {t('scoring.cond.customKey')}
          <input value={c.field.slice('customFields.'.length)} disabled={disabled} onChange={(e) => onChange({ ...c, field: `customFields.${e.target.value}` })} />
        </label>
      )}
      <label>
        {t('scoring.cond.op')}
        <select value={c.op} disabled={disabled} onChange={(e) => onChange({ ...c, op: e.target.value as FieldCondition['op'] })}>
          {FIELD_OPS.map((op) => (
            <option key={op} value={op}>
              {t(`scoring.op.${op}`)}
            </option>
          ))}
        </select>
      </label>
      {c.op === 'between' ? (
        <>
          <label>
            {t('scoring.cond.min')}
            <input type="number" value={c.min ?? ''} disabled={disabled} onChange={(e) => onChange({ ...c, min: num(e.target.value) })} />
          </label>
          <label>
            {t('scoring.cond.max')}
            <input type="number" value={c.max ?? ''} disabled={disabled} onChange={(e) => onChange({ ...c, max: num(e.target.value) })} />
          </label>
        </>
      ) : c.op === 'exists' || c.op === 'notExists' ? null : (
        <label className="grow">
          {t('scoring.cond.values')}
          <input value={(c.values ?? []).join(', ')} disabled={disabled} onChange={(e) => onChange({ ...c, values: list(e.target.value) })} />
        </label>
      )}
      {!disabled && (
        <button type="button" className="secondary" onClick={onRemove} aria-label={t('scoring.rule.remove')}>
          ×
        </button>
      )}
    </div>
  );
}

function FitWhenEditor({ when, onChange, disabled }: { when: FitWhen; onChange: (w: FitWhen) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const flat = flatten(when);
  const [json, setJson] = useState(JSON.stringify(when, null, 2));
  if (!flat) {
    return (
      <label>
        {t('scoring.rule.whenJson')}
        <textarea
          rows={6}
          value={json}
          disabled={disabled}
          onChange={(e) => {
            setJson(e.target.value);
            try {
              onChange(JSON.parse(e.target.value) as FitWhen);
            } catch {
              /* keep typing */
            }
          }}
        />
      </label>
    );
  }
  const emit = (match: 'all' | 'any', conditions: FieldCondition[]) =>
    onChange(conditions.length === 1 ? conditions[0] : match === 'all' ? { all: conditions } : { any: conditions });
  return (
    <div className="scoring-when">
      {flat.conditions.length > 1 && (
        <label>
          {t('scoring.rule.match')}
          <select value={flat.match} disabled={disabled} onChange={(e) => emit(e.target.value as 'all' | 'any', flat.conditions)}>
            <option value="all">{t('scoring.rule.match.all')}</option>
            <option value="any">{t('scoring.rule.match.any')}</option>
          </select>
        </label>
      )}
      {flat.conditions.map((c, i) => (
        <ConditionRow
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity of their own
          key={i}
          c={c}
          disabled={disabled}
          onChange={(next) => emit(flat.match, flat.conditions.map((x, j) => (j === i ? next : x)))}
          onRemove={() => flat.conditions.length > 1 && emit(flat.match, flat.conditions.filter((_, j) => j !== i))}
        />
      ))}
      {!disabled && (
        <button type="button" className="link" onClick={() => emit(flat.match, [...flat.conditions, { field: 'title', op: 'contains', values: [] }])}>
          {t('scoring.rule.addCondition')}
        </button>
      )}
    </div>
  );
}

function EngagementEditor({ rule, onChange, disabled }: { rule: Rule; onChange: (r: Rule) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const w = rule.when as EngagementWhen;
  const setWhen = (patch: Partial<EngagementWhen>) => {
    const next: Record<string, unknown> = { ...w, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined || (Array.isArray(next[k]) && k !== 'types' && (next[k] as unknown[]).length === 0) || next[k] === '') delete next[k];
    onChange({ ...rule, when: next as unknown as EngagementWhen });
  };
  const hlMode = rule.halfLifeDays === undefined ? 'inherit' : rule.halfLifeDays === null ? 'none' : 'days';
  return (
    <div className="scoring-when">
      <fieldset className="scoring-types" disabled={disabled}>
        <legend>{t('scoring.rule.types')}</legend>
        {ACTIVITY_TYPES.map((type) => (
          <label key={type} className="inline">
            <input
              type="checkbox"
              checked={w.types.includes(type)}
              onChange={(e) => setWhen({ types: e.target.checked ? [...w.types, type] : w.types.filter((x) => x !== type) })}
            />
            {t(`scoring.type.${type}`)}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <label className="grow">
          {t('scoring.rule.urls')}
          <input value={(w.urls ?? []).join(', ')} disabled={disabled} onChange={(e) => setWhen({ urls: list(e.target.value) })} />
        </label>
        <label>
          {t('scoring.rule.asset')}
          <input value={w.asset ?? ''} disabled={disabled} onChange={(e) => setWhen({ asset: e.target.value })} />
        </label>
        <label>
          {t('scoring.rule.campaignId')}
          <input value={w.campaignId ?? ''} disabled={disabled} onChange={(e) => setWhen({ campaignId: e.target.value.trim() })} />
        </label>
        <label>
          {t('scoring.rule.withinDays')}
          <input type="number" min={1} value={w.withinDays ?? ''} disabled={disabled} onChange={(e) => setWhen({ withinDays: num(e.target.value) })} />
        </label>
      </div>
      <div className="row">
        <label>
          {t('scoring.rule.maxCount')}
          <input
            type="number"
            min={1}
            value={rule.maxCount ?? ''}
            disabled={disabled}
            onChange={(e) => onChange({ ...rule, maxCount: num(e.target.value) ?? null })}
          />
        </label>
        <label>
          {t('scoring.rule.perPeriodMax')}
          <input
            type="number"
            min={1}
            value={rule.perPeriod?.max ?? ''}
            disabled={disabled}
            onChange={(e) => {
              const max = num(e.target.value);
              onChange({ ...rule, perPeriod: max === undefined ? null : { max, days: rule.perPeriod?.days ?? 1 } });
            }}
          />
        </label>
        <label>
          {t('scoring.rule.perPeriodDays')}
          <input
            type="number"
            min={1}
            value={rule.perPeriod?.days ?? ''}
            disabled={disabled || !rule.perPeriod}
            onChange={(e) => rule.perPeriod && onChange({ ...rule, perPeriod: { ...rule.perPeriod, days: num(e.target.value) ?? 1 } })}
          />
        </label>
        <label>
          {t('scoring.rule.halfLife')}
          <select
            value={hlMode}
            disabled={disabled}
            onChange={(e) => {
              const next: Rule = { ...rule };
              if (e.target.value === 'inherit') delete next.halfLifeDays;
              else next.halfLifeDays = e.target.value === 'none' ? null : 30;
              onChange(next);
            }}
          >
            <option value="inherit">{t('scoring.rule.halfLife.inherit')}</option>
            <option value="none">{t('scoring.rule.halfLife.none')}</option>
            <option value="days">{t('scoring.rule.halfLife.days')}</option>
          </select>
        </label>
        {hlMode === 'days' && (
          <label>
            {t('scoring.halfLife')}
            <input
              type="number"
              min={1}
              value={rule.halfLifeDays ?? ''}
              disabled={disabled}
              onChange={(e) => onChange({ ...rule, halfLifeDays: num(e.target.value) ?? 30 })}
            />
          </label>
        )}
      </div>
    </div>
  );
}

export function RuleCard({
  rule,
  reach,
  error,
  onChange,
  onRemove,
  disabled,
}: {
  rule: Rule;
  reach: number | undefined;
  error: string[];
  onChange: (r: Rule) => void;
  onRemove: () => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className={`scoring-rule${rule.enabled === false ? ' disabled' : ''}${error.length ? ' invalid' : ''}`} data-rule-id={rule.id}>
      <div className="row">
        <label className="grow">
          {t('scoring.rule.name')}
          <input name={`rule-${rule.id}-name`} value={rule.name} disabled={disabled} onChange={(e) => onChange({ ...rule, name: e.target.value })} />
        </label>
        <label>
          {t('scoring.rule.id')}
          <input value={rule.id} disabled={disabled} onChange={(e) => onChange({ ...rule, id: e.target.value })} size={16} />
        </label>
        <label>
          {t('scoring.rule.points')}
          <input
            type="number"
            name={`rule-${rule.id}-points`}
            value={Number.isFinite(rule.points) ? rule.points : ''}
            disabled={disabled}
            onChange={(e) => onChange({ ...rule, points: Number(e.target.value) })}
            className={rule.points < 0 ? 'negative' : undefined}
            style={{ width: 80 }}
          />
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={rule.enabled !== false}
            disabled={disabled}
            onChange={(e) => {
              const next = { ...rule };
              if (e.target.checked) delete next.enabled;
              else next.enabled = false;
              onChange(next);
            }}
          />
          {t('scoring.rule.enabled')}
        </label>
        <span className="badge" title={t('scoring.reach')}>
          {t('scoring.rule.reach', { count: reach ?? 0 })}
        </span>
        {!disabled && (
          <button type="button" className="secondary" onClick={onRemove}>
            {t('scoring.rule.remove')}
          </button>
        )}
      </div>
      {rule.kind === 'fit' ? (
        <FitWhenEditor when={rule.when as FitWhen} disabled={disabled} onChange={(when) => onChange({ ...rule, when })} />
      ) : (
        <EngagementEditor rule={rule} disabled={disabled} onChange={onChange} />
      )}
      {error.map((e) => (
        <p key={e} className="error">
          {e}
        </p>
      ))}
    </div>
  );
}

/** Half-life, grade cut-offs and the MQL condition (a form for the usual "grade and engagement" shape, JSON otherwise). */
export function GeneralSettings({ set, onChange, disabled }: { set: RuleSet; onChange: (s: RuleSet) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const simple = simpleMql(set.mql);
  const [json, setJson] = useState(JSON.stringify(set.mql, null, 2));
  return (
    <section className="card">
      <h2>{t('scoring.settings')}</h2>
      <div className="row">
        <label>
          {t('scoring.halfLife')}
          <input
            type="number"
            min={1}
            name="halfLifeDays"
            placeholder={t('scoring.halfLife.none')}
            value={set.halfLifeDays ?? ''}
            disabled={disabled}
            onChange={(e) => onChange({ ...set, halfLifeDays: num(e.target.value) ?? null })}
          />
        </label>
        <fieldset className="row" disabled={disabled}>
          <legend>{t('scoring.grades')}</legend>
          {(['A', 'B', 'C'] as const).map((g) => (
            <label key={g}>
              {g}
              <input
                type="number"
                name={`grade-${g}`}
                value={set.fitGrades[g]}
                style={{ width: 80 }}
                onChange={(e) => onChange({ ...set, fitGrades: { ...set.fitGrades, [g]: Number(e.target.value) } })}
              />
            </label>
          ))}
        </fieldset>
      </div>
      <h3>{t('scoring.mql')}</h3>
      {simple ? (
        <div className="row">
          <label>
            {t('scoring.mql.grade')}
            <select
              name="mql-grade"
              value={simple.grade}
              disabled={disabled}
              onChange={(e) => onChange({ ...set, mql: { all: [{ fitGradeAtLeast: e.target.value as Grade }, { engagementAtLeast: simple.points }] } })}
            >
              {(['A', 'B', 'C', 'D'] as const).map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('scoring.mql.engagement')}
            <input
              type="number"
              name="mql-engagement"
              value={simple.points}
              disabled={disabled}
              onChange={(e) => onChange({ ...set, mql: { all: [{ fitGradeAtLeast: simple.grade }, { engagementAtLeast: Number(e.target.value) }] } })}
            />
          </label>
          <span className="muted">{t('scoring.mql.simple', { grade: simple.grade, points: simple.points })}</span>
        </div>
      ) : (
        <label>
          {t('scoring.mql.custom')}
          <textarea
            rows={6}
            value={json}
            disabled={disabled}
            onChange={(e) => {
              setJson(e.target.value);
              try {
                onChange({ ...set, mql: JSON.parse(e.target.value) as MqlCondition });
              } catch {
                /* keep typing */
              }
            }}
          />
        </label>
      )}
    </section>
  );
}

function simpleMql(mql: MqlCondition): { grade: Grade; points: number } | null {
  if (!('all' in mql) || mql.all.length !== 2) return null;
  const g = mql.all.find((c) => 'fitGradeAtLeast' in c) as { fitGradeAtLeast: Grade } | undefined;
  const e = mql.all.find((c) => 'engagementAtLeast' in c) as { engagementAtLeast: number } | undefined;
  return g && e ? { grade: g.fitGradeAtLeast, points: e.engagementAtLeast } : null;
}
