import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../app/api.ts';
import { useSession } from '../../app/session.tsx';
import { BacktestView } from './backtest-view.tsx';
import { GeneralSettings, RuleCard } from './rule-form.tsx';
import type { Rule, RuleSet, RunStatus, VersionInfo } from './types.ts';

type Tab = 'rules' | 'preview' | 'versions' | 'json';

const bodyOf = (set: RuleSet) => ({ version: set.version, halfLifeDays: set.halfLifeDays, fitGrades: set.fitGrades, mql: set.mql, rules: set.rules });

function newRule(kind: Rule['kind'], existing: Rule[]): Rule {
  let n = existing.length + 1;
  while (existing.some((r) => r.id === `${kind}-rule-${n}`)) n++;
  const id = `${kind}-rule-${n}`;
  return kind === 'fit'
    ? { id, name: '', kind, when: { field: 'industry', op: 'in', values: [] }, points: 10 }
    : { id, name: '', kind, when: { types: ['page_view'] }, points: 5 };
}

/** /scoring: edit the rule set with a form, preview its effect with a backtest, save with a comment, browse versions. */
export function ScoringPage() {
  const { t } = useTranslation();
  const session = useSession();
  const canEdit = session.data?.role === 'admin' || session.data?.role === 'marketing';
  const qc = useQueryClient();
  const active = useQuery({ queryKey: ['scoring-rules'], queryFn: () => api<RuleSet>('/api/v1/scoring/rules') });
  const reach = useQuery({ queryKey: ['scoring-reach'], queryFn: () => api<{ reach: Record<string, number> }>('/api/v1/scoring/reach') });
  const status = useQuery({
    queryKey: ['scoring-status'],
    queryFn: () => api<RunStatus>('/api/v1/scoring/rescore-status'),
    refetchInterval: (q) => (q.state.data && ['pending', 'running', 'swapping'].includes(q.state.data.status) ? 1000 : false),
  });
  const [draft, setDraft] = useState<RuleSet | null>(null);
  const [tab, setTab] = useState<Tab>('rules');
  const [comment, setComment] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ path: string; message: string }[]>([]);

  useEffect(() => {
    if (active.data && draft === null) setDraft(structuredClone(active.data));
  }, [active.data, draft]);

  const wasRunning = status.data && ['pending', 'running', 'swapping'].includes(status.data.status);
  useEffect(() => {
    if (status.data?.status === 'done') void qc.invalidateQueries({ queryKey: ['scoring-reach'] });
  }, [status.data?.status, qc]);

  const save = useMutation({
    mutationFn: (set: RuleSet) => api<RuleSet & { created: boolean }>('/api/v1/scoring/rules', { method: 'PUT', body: { ...bodyOf(set), comment } }),
    onSuccess: (saved) => {
      setErrors([]);
      setNotice(saved.created ? t('scoring.saved', { version: saved.version }) : t('scoring.unchanged'));
      setComment('');
      setDraft(structuredClone(saved));
      qc.setQueryData(['scoring-rules'], saved);
      void qc.invalidateQueries({ queryKey: ['scoring-status'] });
      void qc.invalidateQueries({ queryKey: ['scoring-versions'] });
    },
    onError: (err) => {
      setNotice(null);
      setErrors(err instanceof ApiError && err.errors.length ? err.errors : [{ path: '', message: (err as Error).message }]);
    },
  });
  const rescore = useMutation({
    mutationFn: () => api<RunStatus>('/api/v1/scoring/rescore', { method: 'POST' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['scoring-status'] }),
  });

  if (active.isLoading || !draft || !active.data) return <p>{t('common.loading')}</p>;
  const dirty = JSON.stringify(bodyOf(draft)) !== JSON.stringify(bodyOf(active.data)) || !active.data.saved;
  const ruleErrors = (id: string) => errors.filter((e) => e.path.startsWith(`rules[${id}]`)).map((e) => `${e.path}: ${e.message}`);
  const otherErrors = errors.filter((e) => !draft.rules.some((r) => e.path.startsWith(`rules[${r.id}]`)));
  const updateRule = (i: number, rule: Rule) => setDraft({ ...draft, rules: draft.rules.map((r, j) => (j === i ? rule : r)) });
  const removeRule = (i: number) => setDraft({ ...draft, rules: draft.rules.filter((_, j) => j !== i) });

  const ruleCards = (kind: Rule['kind']) =>
    draft.rules.map((rule, i) =>
      rule.kind !== kind ? null : (
        <RuleCard
          // biome-ignore lint/suspicious/noArrayIndexKey: ids are editable, the position is the identity while editing
          key={i}
          rule={rule}
          reach={reach.data?.reach?.[rule.id]}
          error={ruleErrors(rule.id)}
          disabled={!canEdit}
          onChange={(r) => updateRule(i, r)}
          onRemove={() => removeRule(i)}
        />
      ),
    );

  return (
    <div className="scoring-page">
      <h1>{t('scoring.title')}</h1>
      <p className="muted">{t('scoring.intro')}</p>
      <div className="row">
        <strong data-testid="active-version">{active.data.saved ? t('scoring.version', { version: active.data.version }) : t('scoring.unsaved')}</strong>
        {active.data.comment && <span className="muted">「{active.data.comment}」</span>}
        <span className="muted" data-testid="rescore-status">
          {t('scoring.status')}: {statusText(t, status.data)}
        </span>
        {canEdit && active.data.saved && (
          <button type="button" className="secondary" onClick={() => rescore.mutate()} disabled={Boolean(wasRunning) || rescore.isPending}>
            {t('scoring.rescore')}
          </button>
        )}
      </div>
      {!canEdit && <p className="muted">{t('scoring.readOnly')}</p>}
      <nav className="scoring-tabs" role="tablist">
        {(['rules', 'preview', 'versions', 'json'] as Tab[]).map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} className={tab === x ? '' : 'secondary'} onClick={() => setTab(x)}>
            {t(`scoring.tab.${x}`)}
          </button>
        ))}
      </nav>

      {tab === 'rules' && (
        <>
          <GeneralSettings set={draft} onChange={setDraft} disabled={!canEdit} />
          <section className="card">
            <h2>{t('scoring.fitRules')}</h2>
            {ruleCards('fit')}
            {canEdit && (
              <button type="button" className="secondary" onClick={() => setDraft({ ...draft, rules: [...draft.rules, newRule('fit', draft.rules)] })}>
                {t('scoring.addFit')}
              </button>
            )}
          </section>
          <section className="card">
            <h2>{t('scoring.engagementRules')}</h2>
            {ruleCards('engagement')}
            {canEdit && (
              <button
                type="button"
                className="secondary"
                onClick={() => setDraft({ ...draft, rules: [...draft.rules, newRule('engagement', draft.rules)] })}
              >
                {t('scoring.addEngagement')}
              </button>
            )}
          </section>
        </>
      )}
      {tab === 'preview' && <BacktestView draft={draft} activeVersion={active.data.saved ? active.data.version : 0} />}
      {tab === 'versions' && <Versions activeVersion={active.data.version} onLoad={(set) => setDraft({ ...set, version: active.data.version })} />}
      {tab === 'json' && <JsonEditor draft={draft} onApply={setDraft} disabled={!canEdit} />}

      {canEdit && (
        <section className="card scoring-save">
          {dirty && <p className="muted">{t('scoring.draftChanged')}</p>}
          {otherErrors.length > 0 || errors.length > 0 ? (
            <div className="error" role="alert">
              <strong>{t('scoring.invalid')}</strong>
              <ul>
                {errors.map((e) => (
                  <li key={`${e.path}:${e.message}`}>
                    {e.path}: {e.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {notice && (
            <p className="badge" role="status">
              {notice}
            </p>
          )}
          <div className="row">
            <label className="grow">
              {t('scoring.comment')}
              <input name="comment" value={comment} maxLength={1000} onChange={(e) => setComment(e.target.value)} />
            </label>
            <button type="button" onClick={() => save.mutate(draft)} disabled={save.isPending}>
              {t('scoring.save')}
            </button>
            <button type="button" className="secondary" onClick={() => setDraft(structuredClone(active.data))} disabled={!dirty}>
              {t('scoring.reset')}
            </button>
          </div>
        </section>
      )}
    </div>
  );
}

function statusText(t: (k: string, o?: Record<string, unknown>) => string, s: RunStatus | undefined): string {
  if (!s || s.status === 'none') return t('scoring.status.none');
  return t(`scoring.status.${s.status}`, {
    processed: s.processed ?? 0,
    total: s.total ?? '…',
    version: s.version,
    changed: s.changed ?? 0,
    promoted: s.promoted ?? 0,
  });
}

function Versions({ activeVersion, onLoad }: { activeVersion: number; onLoad: (set: RuleSet) => void }) {
  const { t, i18n } = useTranslation();
  const versions = useQuery({ queryKey: ['scoring-versions'], queryFn: () => api<{ items: VersionInfo[] }>('/api/v1/scoring/rules/versions') });
  const load = useMutation({ mutationFn: (v: number) => api<RuleSet>(`/api/v1/scoring/rules/versions/${v}`), onSuccess: onLoad });
  return (
    <section className="card">
      <table>
        <thead>
          <tr>
            <th>{t('scoring.versions.version')}</th>
            <th>{t('scoring.versions.at')}</th>
            <th>{t('scoring.versions.by')}</th>
            <th>{t('scoring.versions.comment')}</th>
            <th>{t('scoring.versions.rules')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(versions.data?.items ?? []).map((v) => (
            <tr key={v.version}>
              <td>
                v{v.version} {v.version === activeVersion && <span className="badge">{t('scoring.versions.active')}</span>}
              </td>
              <td>{new Date(v.createdAt).toLocaleString(i18n.language)}</td>
              <td>{v.createdBy}</td>
              <td>{v.comment}</td>
              <td>{v.ruleCount}</td>
              <td>
                <button type="button" className="secondary" onClick={() => load.mutate(v.version)}>
                  {t('scoring.versions.load')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function JsonEditor({ draft, onApply, disabled }: { draft: RuleSet; onApply: (s: RuleSet) => void; disabled: boolean }) {
  const { t } = useTranslation();
  const [text, setText] = useState(JSON.stringify(bodyOf(draft), null, 2));
  const [bad, setBad] = useState(false);
  return (
    <section className="card">
      <textarea className="scoring-json" rows={30} value={text} disabled={disabled} onChange={(e) => setText(e.target.value)} />
      {bad && <p className="error">{t('scoring.json.invalid')}</p>}
      {!disabled && (
        <button
          type="button"
          onClick={() => {
            try {
              onApply({ ...draft, ...(JSON.parse(text) as RuleSet), version: draft.version });
              setBad(false);
            } catch {
              setBad(true);
            }
          }}
        >
          {t('scoring.json.apply')}
        </button>
      )}
    </section>
  );
}
