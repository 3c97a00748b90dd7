import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { ProblemAlert } from '../../../app/ui.tsx';
import { useHandoffSettings } from './shared.tsx';
import type { AssignmentRule, HandoffSettings, RejectionReason, Rep, Sla } from './types.ts';

const list = (s: string) =>
  s
    .split(/[,、\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** `/handoff/settings`: assignment rules in order, the reps' weights and out-of-office, rejection reasons, the SLA. */
export function HandoffSettingsPage() {
  const { t } = useTranslation();
  const settings = useHandoffSettings();
  if (settings.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (!settings.data) return <ProblemAlert error={settings.error} />;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('handoff.settings.title')}</h1>
          <p className="subtitle muted">{t('handoff.settings.subtitle')}</p>
        </div>
      </div>
      <RulesEditor settings={settings.data} />
      <RepsTable reps={settings.data.reps} />
      <ReasonsEditor reasons={settings.data.reasons} />
      <SlaEditor sla={settings.data.sla} />
    </div>
  );
}

function useSaved() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['handoff-settings'] });
}

function RulesEditor({ settings }: { settings: HandoffSettings }) {
  const { t } = useTranslation();
  const [rules, setRules] = useState<AssignmentRule[]>(settings.rules);
  useEffect(() => setRules(settings.rules), [settings.rules]);
  const saved = useSaved();
  const save = useMutation({
    mutationFn: () => api('/api/v1/handoff/assignment-rules', { method: 'PUT', body: { rules } }),
    onSuccess: saved,
  });
  const update = (i: number, patch: Partial<AssignmentRule>) =>
    setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const move = (i: number, d: number) => {
    const next = [...rules];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    setRules(next);
  };
  const reps = settings.reps.filter((r) => r.active);
  return (
    <section className="card" aria-label={t('handoff.settings.rules')}>
      <div className="card-header">
        <h2>{t('handoff.settings.rules')}</h2>
      </div>
      <p className="muted">{t('handoff.settings.rulesHelp')}</p>
      <ol className="handoff-rules" data-testid="assignment-rules">
        {rules.map((r, i) => (
          <li key={`${r.id}-${i}`}>
            <div className="stack">
              <div className="row">
                <strong>{i + 1}.</strong>
                <input
                  aria-label={t('handoff.settings.ruleName')}
                  value={r.name}
                  onChange={(e) => update(i, { name: e.target.value })}
                />
                <select
                  aria-label={t('handoff.settings.ruleKind')}
                  value={r.kind}
                  onChange={(e) => update(i, { kind: e.target.value as AssignmentRule['kind'] })}
                >
                  {(['account_owner', 'territory', 'round_robin'] as const).map((k) => (
                    <option key={k} value={k}>
                      {t(`handoff.rule.${k}`)}
                    </option>
                  ))}
                </select>
                <label className="row" style={{ flexDirection: 'row', gap: 4 }}>
                  <input
                    type="checkbox"
                    checked={r.enabled}
                    onChange={(e) => update(i, { enabled: e.target.checked })}
                  />
                  {t('handoff.settings.enabled')}
                </label>
              </div>
              {r.kind === 'territory' && (
                <>
                  <div className="handoff-checks" aria-label={t('handoff.settings.regions')}>
                    <span className="muted">{t('handoff.settings.regions')}:</span>
                    {Object.keys(settings.regions).map((g) => (
                      <label key={g}>
                        <input
                          type="checkbox"
                          checked={r.regions.includes(g)}
                          onChange={(e) =>
                            update(i, {
                              regions: e.target.checked
                                ? [...r.regions, g]
                                : r.regions.filter((x) => x !== g),
                            })
                          }
                        />
                        {g}
                      </label>
                    ))}
                  </div>
                  <label>
                    {t('handoff.settings.prefectures')}
                    <input
                      value={r.prefectures.join(', ')}
                      placeholder="東京都, 神奈川県"
                      onChange={(e) => update(i, { prefectures: list(e.target.value) })}
                    />
                  </label>
                  <label>
                    {t('handoff.settings.industries')}
                    <input
                      value={r.industries.join(', ')}
                      placeholder="製造, 情報通信"
                      onChange={(e) => update(i, { industries: list(e.target.value) })}
                    />
                  </label>
                </>
              )}
              {r.kind !== 'account_owner' && (
                <div className="handoff-checks" aria-label={t('handoff.settings.reps')}>
                  <span className="muted">
                    {r.kind === 'round_robin' ? t('handoff.settings.repsOrAll') : t('handoff.settings.reps')}:
                  </span>
                  {reps.map((u) => (
                    <label key={u.userId}>
                      <input
                        type="checkbox"
                        checked={r.userIds.includes(u.userId)}
                        onChange={(e) =>
                          update(i, {
                            userIds: e.target.checked
                              ? [...r.userIds, u.userId]
                              : r.userIds.filter((x) => x !== u.userId),
                          })
                        }
                      />
                      {u.name || u.email}
                    </label>
                  ))}
                </div>
              )}
            </div>
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <button
                type="button"
                className="btn btn-sm"
                disabled={i === 0}
                onClick={() => move(i, -1)}
                aria-label={t('handoff.settings.up')}
              >
                ↑
              </button>
              <button
                type="button"
                className="btn btn-sm"
                disabled={i === rules.length - 1}
                onClick={() => move(i, 1)}
                aria-label={t('handoff.settings.down')}
              >
                ↓
              </button>
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                onClick={() => setRules(rules.filter((_, j) => j !== i))}
              >
                {t('handoff.settings.remove')}
              </button>
            </div>
          </li>
        ))}
      </ol>
      <ProblemAlert error={save.error} />
      {save.isSuccess && <div className="alert alert-success">{t('handoff.settings.saved')}</div>}
      <div className="form-actions">
        <button
          type="button"
          className="btn"
          onClick={() =>
            setRules([
              ...rules,
              {
                id: `rule-${Date.now().toString(36)}`,
                name: t('handoff.settings.newRule'),
                kind: 'territory',
                enabled: true,
                prefectures: [],
                regions: [],
                industries: [],
                userIds: [],
              },
            ])
          }
        >
          {t('handoff.settings.addRule')}
        </button>
        <button type="button" className="btn-primary" disabled={save.isPending} onClick={() => save.mutate()}>
          {t('common.save')}
        </button>
      </div>
    </section>
  );
}

function RepsTable({ reps }: { reps: Rep[] }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-label={t('handoff.settings.repsTitle')}>
      <h2>{t('handoff.settings.repsTitle')}</h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{t('handoff.settings.rep')}</th>
              <th>{t('handoff.settings.weight')}</th>
              <th>{t('handoff.settings.available')}</th>
              <th>{t('handoff.settings.oooFrom')}</th>
              <th>{t('handoff.settings.oooTo')}</th>
              <th>{t('handoff.settings.assigned')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {reps.map((r) => (
              <RepRow key={r.userId} rep={r} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RepRow({ rep }: { rep: Rep }) {
  const { t } = useTranslation();
  const [v, setV] = useState(rep);
  const saved = useSaved();
  const save = useMutation({
    mutationFn: () =>
      api(`/api/v1/handoff/reps/${rep.userId}`, {
        method: 'PUT',
        body: {
          weight: v.weight,
          available: v.available,
          outOfOfficeFrom: v.outOfOfficeFrom || null,
          outOfOfficeTo: v.outOfOfficeTo || null,
        },
      }),
    onSuccess: saved,
  });
  return (
    <tr>
      <td>
        {rep.name || rep.email}{' '}
        {!rep.availableToday && <span className="badge badge-warn">{t('handoff.settings.awayToday')}</span>}
      </td>
      <td>
        <input
          type="number"
          min={0}
          max={100}
          style={{ width: 64 }}
          value={v.weight}
          onChange={(e) => setV({ ...v, weight: Number(e.target.value) })}
        />
      </td>
      <td>
        <input
          type="checkbox"
          checked={v.available}
          onChange={(e) => setV({ ...v, available: e.target.checked })}
        />
      </td>
      <td>
        <input
          type="date"
          value={v.outOfOfficeFrom ?? ''}
          onChange={(e) => setV({ ...v, outOfOfficeFrom: e.target.value || null })}
        />
      </td>
      <td>
        <input
          type="date"
          value={v.outOfOfficeTo ?? ''}
          onChange={(e) => setV({ ...v, outOfOfficeTo: e.target.value || null })}
        />
      </td>
      <td>{rep.assignedCount}</td>
      <td>
        <button type="button" className="btn btn-sm" disabled={save.isPending} onClick={() => save.mutate()}>
          {t('common.save')}
        </button>
        <ProblemAlert error={save.error} />
      </td>
    </tr>
  );
}

function ReasonsEditor({ reasons: initial }: { reasons: RejectionReason[] }) {
  const { t } = useTranslation();
  const [reasons, setReasons] = useState(initial);
  useEffect(() => setReasons(initial), [initial]);
  const saved = useSaved();
  const save = useMutation({
    mutationFn: () => api('/api/v1/handoff/rejection-reasons', { method: 'PUT', body: { reasons } }),
    onSuccess: saved,
  });
  const update = (i: number, patch: Partial<RejectionReason>) =>
    setReasons(reasons.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <section className="card" aria-label={t('handoff.settings.reasons')}>
      <h2>{t('handoff.settings.reasons')}</h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{t('handoff.settings.code')}</th>
              <th>{t('handoff.settings.labelJa')}</th>
              <th>{t('handoff.settings.labelEn')}</th>
              <th>{t('handoff.settings.disqualifies')}</th>
              <th>{t('handoff.settings.active')}</th>
            </tr>
          </thead>
          <tbody>
            {reasons.map((r, i) => (
              <tr key={i}>
                <td>
                  <input
                    value={r.code}
                    onChange={(e) => update(i, { code: e.target.value })}
                    style={{ width: 120 }}
                  />
                </td>
                <td>
                  <input value={r.ja} onChange={(e) => update(i, { ja: e.target.value })} />
                </td>
                <td>
                  <input value={r.en} onChange={(e) => update(i, { en: e.target.value })} />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={r.disqualify}
                    onChange={(e) => update(i, { disqualify: e.target.checked })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={r.active}
                    onChange={(e) => update(i, { active: e.target.checked })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ProblemAlert error={save.error} />
      {save.isSuccess && <div className="alert alert-success">{t('handoff.settings.saved')}</div>}
      <div className="form-actions">
        <button
          type="button"
          className="btn"
          onClick={() =>
            setReasons([
              ...reasons,
              { code: `reason_${reasons.length + 1}`, ja: '', en: '', disqualify: false, active: true },
            ])
          }
        >
          {t('handoff.settings.addReason')}
        </button>
        <button type="button" className="btn-primary" disabled={save.isPending} onClick={() => save.mutate()}>
          {t('common.save')}
        </button>
      </div>
    </section>
  );
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 0];

function SlaEditor({ sla: initial }: { sla: Sla }) {
  const { t } = useTranslation();
  const [sla, setSla] = useState(initial);
  const [closed, setClosed] = useState(initial.closedDates.join('\n'));
  const saved = useSaved();
  const save = useMutation({
    mutationFn: () =>
      api('/api/v1/handoff/sla', { method: 'PUT', body: { ...sla, closedDates: list(closed) } }),
    onSuccess: saved,
  });
  return (
    <section className="card" aria-label={t('handoff.settings.sla')}>
      <h2>{t('handoff.settings.sla')}</h2>
      <div className="form-grid">
        <label className="row" style={{ flexDirection: 'row', gap: 6 }}>
          <input
            type="checkbox"
            checked={sla.enabled}
            onChange={(e) => setSla({ ...sla, enabled: e.target.checked })}
          />
          {t('handoff.settings.slaEnabled')}
        </label>
        <label>
          {t('handoff.settings.businessDays')}
          <input
            type="number"
            name="businessDays"
            min={1}
            max={30}
            value={sla.businessDays}
            onChange={(e) => setSla({ ...sla, businessDays: Number(e.target.value) })}
          />
        </label>
        <label className="row" style={{ flexDirection: 'row', gap: 6 }}>
          <input
            type="checkbox"
            checked={sla.japaneseHolidays}
            onChange={(e) => setSla({ ...sla, japaneseHolidays: e.target.checked })}
          />
          {t('handoff.settings.holidays')}
        </label>
        <label>
          {t('handoff.settings.timezone')}
          <input value={sla.timezone} onChange={(e) => setSla({ ...sla, timezone: e.target.value })} />
        </label>
      </div>
      <div className="handoff-checks">
        <span className="muted">{t('handoff.settings.workdays')}:</span>
        {WEEKDAYS.map((d) => (
          <label key={d}>
            <input
              type="checkbox"
              checked={sla.workdays.includes(d)}
              onChange={(e) =>
                setSla({
                  ...sla,
                  workdays: e.target.checked
                    ? [...sla.workdays, d].sort()
                    : sla.workdays.filter((x) => x !== d),
                })
              }
            />
            {t(`handoff.weekday.${d}`)}
          </label>
        ))}
      </div>
      <label>
        {t('handoff.settings.closedDates')}
        <textarea
          rows={3}
          value={closed}
          placeholder="2026-12-29&#10;2026-12-30"
          onChange={(e) => setClosed(e.target.value)}
        />
      </label>
      <ProblemAlert error={save.error} />
      {save.isSuccess && <div className="alert alert-success">{t('handoff.settings.saved')}</div>}
      <div className="form-actions">
        <button type="button" className="btn-primary" disabled={save.isPending} onClick={() => save.mutate()}>
          {t('common.save')}
        </button>
      </div>
    </section>
  );
}
