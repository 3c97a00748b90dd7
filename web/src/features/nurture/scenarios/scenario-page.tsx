import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDateTime, ProblemAlert, useAppNavigate } from '../../../app/ui.tsx';
import { insertStep, removeStep, replaceStep } from './edit.ts';
import { Flow } from './flow.tsx';
import { usePickers } from './pickers.ts';
import { SettingsForm, TriggerSummary } from './settings-form.tsx';
import { StepForm } from './step-form.tsx';
import type { Enrolment, Scenario, ScenarioDoc } from './types.ts';

const NEW_DOC: ScenarioDoc = {
  name: '',
  description: null,
  trigger: { type: 'manual' },
  steps: [{ id: 'exit-1', type: 'exit' }],
  goal: null,
  reentry: 'never',
  reentryDays: 0,
  timeZone: 'Asia/Tokyo',
  quietHours: null,
};

const docOf = (s: Scenario): ScenarioDoc => ({
  name: s.name,
  description: s.description ?? null,
  trigger: s.trigger,
  steps: s.steps,
  goal: s.goal ?? null,
  reentry: s.reentry,
  reentryDays: s.reentryDays,
  timeZone: s.timeZone,
  quietHours: s.quietHours ?? null,
});

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const cls = status === 'active' ? 'badge-success' : status === 'paused' ? 'badge-warn' : 'badge-muted';
  return (
    <span className={`badge ${cls}`} data-testid="scenario-status" data-status={status}>
      {t(`scenarios.status.${status}`)}
    </span>
  );
}

/** /scenarios/$id: the flow with the people at each step; the builder when editing; /scenarios/new starts a draft. */
export function ScenarioPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const isNew = id === 'new';
  const { t, i18n } = useTranslation();
  const canEdit = useCan('scenarios:write');
  const qc = useQueryClient();
  const navigate = useAppNavigate();
  const pickers = usePickers();
  const scenario = useQuery({
    queryKey: ['scenario', id],
    queryFn: () => api<Scenario>(`/api/v1/scenarios/${id}`),
    enabled: !isNew,
    refetchInterval: 5000,
  });
  const [draft, setDraft] = useState<ScenarioDoc | null>(isNew ? NEW_DOC : null);
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [peopleAt, setPeopleAt] = useState<string | null>(null);
  useEffect(() => {
    if (isNew) setDraft(NEW_DOC);
  }, [isNew]);

  const save = useMutation({
    mutationFn: (doc: ScenarioDoc) =>
      isNew
        ? api<Scenario>('/api/v1/scenarios', { method: 'POST', body: doc })
        : api<Scenario>(`/api/v1/scenarios/${id}`, {
            method: 'PUT',
            body: { ...doc, version: scenario.data?.version },
          }),
    onSuccess: async (s) => {
      setNotice(t('scenarios.saved'));
      setDraft(null);
      setSelected(null);
      await qc.invalidateQueries({ queryKey: ['scenarios'] });
      if (isNew) navigate(`/scenarios/${s.id}`);
      else await qc.invalidateQueries({ queryKey: ['scenario', id] });
    },
  });
  const setStatus = useMutation({
    mutationFn: (action: 'activate' | 'pause') =>
      api<Scenario>(`/api/v1/scenarios/${id}/${action}`, { method: 'POST' }),
    onSuccess: async (s) => {
      setNotice(s.status === 'active' ? t('scenarios.activated') : t('scenarios.paused'));
      await qc.invalidateQueries({ queryKey: ['scenario', id] });
      await qc.invalidateQueries({ queryKey: ['scenarios'] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/scenarios/${id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['scenarios'] });
      navigate('/scenarios');
    },
  });

  if (!isNew && scenario.isLoading) return <div className="loading">{t('common.loading')}</div>;
  if (!isNew && (scenario.isError || !scenario.data)) {
    return (
      <div className="page">
        <ProblemAlert error={scenario.error} />
        <AppLink to="/scenarios">{t('scenarios.back')}</AppLink>
      </div>
    );
  }
  const s = scenario.data;
  const editing = draft !== null;
  const doc = draft ?? (s ? docOf(s) : NEW_DOC);
  const errors = save.error instanceof ApiError ? save.error.errors : [];
  const errorSteps = new Set(
    errors
      .map((e) => /^steps\[(\d+)\]/.exec(e.path))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => doc.steps[Number(m[1])]?.id)
      .filter(Boolean) as string[],
  );
  const setSteps = (steps: ScenarioDoc['steps']) => setDraft({ ...doc, steps });
  const sendSteps = doc.steps
    .filter((x) => x.type === 'send_email')
    .map((x) => ({ id: x.id, name: x.name || x.id }));

  return (
    <div className="page scn-page">
      <div className="breadcrumb">
        <AppLink to="/scenarios">{t('scenarios.back')}</AppLink>
      </div>
      <div className="page-header">
        <div className="row">
          <h1>{doc.name || t('scenarios.new')}</h1>
          {s && <StatusBadge status={s.status} />}
        </div>
        {canEdit && (
          <div className="page-actions">
            {!editing && s && s.status !== 'archived' && (
              <button
                type="button"
                className="btn"
                data-testid="edit-scenario"
                onClick={() => setDraft(docOf(s))}
              >
                {t('scenarios.edit')}
              </button>
            )}
            {editing && (
              <>
                <button
                  type="button"
                  className="btn btn-primary"
                  data-testid="save-scenario"
                  disabled={save.isPending}
                  onClick={() => save.mutate(doc)}
                >
                  {t('scenarios.save')}
                </button>
                {!isNew && (
                  <button
                    type="button"
                    className="btn"
                    onClick={() => {
                      setDraft(null);
                      save.reset();
                    }}
                  >
                    {t('scenarios.cancelEdit')}
                  </button>
                )}
              </>
            )}
            {!editing && s && (s.status === 'draft' || s.status === 'paused') && (
              <button
                type="button"
                className="btn btn-primary"
                data-testid="activate-scenario"
                onClick={() => setStatus.mutate('activate')}
              >
                {t('scenarios.activate')}
              </button>
            )}
            {!editing && s?.status === 'active' && (
              <button
                type="button"
                className="btn"
                data-testid="pause-scenario"
                onClick={() => setStatus.mutate('pause')}
              >
                {t('scenarios.pause')}
              </button>
            )}
            {!editing && s && s.status !== 'archived' && (
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => window.confirm(t('scenarios.confirmDelete')) && remove.mutate()}
              >
                {t('scenarios.delete')}
              </button>
            )}
          </div>
        )}
      </div>
      {notice && <div className="alert alert-success">{notice}</div>}
      {errors.length > 0 ? (
        <div className="alert alert-error" role="alert" data-testid="scenario-errors">
          {t('scenarios.errors')}
          <ul>
            {errors.map((e) => (
              <li key={`${e.path}:${e.message}`}>
                <code>{e.path}</code> {e.message}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <ProblemAlert error={save.error ?? setStatus.error ?? remove.error} />
      )}
      {s?.stats && (
        <div className="row scn-totals">
          {(['active', 'completed', 'goal', 'exited', 'failed'] as const).map((k) => (
            <div className="stat" key={k}>
              <span className="stat-label">{t(`scenarios.totals.${k}`)}</span>
              <span className="stat-value" data-testid={`total-${k}`}>
                {s.stats?.totals[k] ?? 0}
              </span>
            </div>
          ))}
        </div>
      )}
      <div className="grid-sidebar">
        <section className="card">
          <div className="card-header">
            <h2>{t('scenarios.flow')}</h2>
          </div>
          <Flow
            steps={doc.steps}
            trigger={<TriggerSummary trigger={doc.trigger} pickers={pickers} />}
            stats={editing ? undefined : s?.stats?.steps}
            pickers={pickers}
            editing={editing}
            selected={selected}
            errorSteps={errorSteps}
            onSelect={setSelected}
            onRemove={(sid) => setSteps(removeStep(doc.steps, sid))}
            onInsert={(slot, type) => {
              const r = insertStep(doc.steps, slot, type, {
                templateId: pickers.templates[0]?.id,
                campaignId: pickers.campaigns[0]?.id,
                ownerId: pickers.users[0]?.id,
              });
              setSteps(r.steps);
              setSelected(r.id);
            }}
            onShowPeople={setPeopleAt}
            renderForm={(step) => (
              <StepForm
                step={step}
                pickers={pickers}
                sendSteps={sendSteps}
                onChange={(x) => setSteps(replaceStep(doc.steps, x))}
              />
            )}
          />
        </section>
        <aside>
          <section className="card">
            <div className="card-header">
              <h2>{t('scenarios.settings')}</h2>
            </div>
            {editing ? (
              <SettingsForm doc={doc} onChange={setDraft} pickers={pickers} />
            ) : (
              <dl className="scn-dl">
                <dt>{t('scenarios.reentry')}</dt>
                <dd>
                  {t(`scenarios.reentry.${doc.reentry}`)}
                  {doc.reentry === 'after_exit' && doc.reentryDays ? ` (${doc.reentryDays})` : ''}
                </dd>
                <dt>{t('scenarios.goal')}</dt>
                <dd>{doc.goal?.stages?.map((x) => t(`stage.${x}`)).join(', ') || t('common.none')}</dd>
                <dt>{t('scenarios.timeZone')}</dt>
                <dd>{doc.timeZone}</dd>
                <dt>{t('scenarios.quietHours')}</dt>
                <dd>
                  {doc.quietHours
                    ? `${doc.quietHours.start}〜${doc.quietHours.end}`
                    : t('scenarios.quietHours.none')}
                </dd>
                {s?.activatedAt && (
                  <>
                    <dt>{t('scenarios.status.active')}</dt>
                    <dd>{formatDateTime(s.activatedAt, i18n.language)}</dd>
                  </>
                )}
                {s?.webhookSecret && doc.steps.some((x) => x.type === 'webhook') && (
                  <>
                    <dt>{t('scenarios.secret')}</dt>
                    <dd>
                      <code>{s.webhookSecret}</code>
                    </dd>
                  </>
                )}
              </dl>
            )}
          </section>
          {s && !editing && canEdit && (s.status === 'active' || s.status === 'paused') && (
            <EnrolCard scenarioId={s.id} pickers={pickers} />
          )}
        </aside>
      </div>
      {s && peopleAt && <PeopleAtStep scenarioId={s.id} step={peopleAt} onClose={() => setPeopleAt(null)} />}
    </div>
  );
}

function EnrolCard({ scenarioId, pickers }: { scenarioId: string; pickers: ReturnType<typeof usePickers> }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [segmentId, setSegmentId] = useState('');
  const enrol = useMutation({
    mutationFn: () =>
      api<{ enrolled: number }>(`/api/v1/scenarios/${scenarioId}/enrol`, {
        method: 'POST',
        body: { segmentId },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['scenario', scenarioId] }),
  });
  return (
    <section className="card">
      <div className="card-header">
        <h2>{t('scenarios.enrol')}</h2>
      </div>
      <label className="form-row">
        <span>{t('scenarios.enrol.segment')}</span>
        <select value={segmentId} onChange={(e) => setSegmentId(e.target.value)} data-testid="enrol-segment">
          <option value="">{t('scenarios.step.choose')}</option>
          {pickers.segments.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <div className="form-actions">
        <button
          type="button"
          className="btn"
          disabled={!segmentId || enrol.isPending}
          onClick={() => enrol.mutate()}
        >
          {t('scenarios.enrol')}
        </button>
      </div>
      {enrol.data && (
        <div className="alert alert-success">{t('scenarios.enrol.done', { n: enrol.data.enrolled })}</div>
      )}
      <ProblemAlert error={enrol.error} />
    </section>
  );
}

function PeopleAtStep({
  scenarioId,
  step,
  onClose,
}: {
  scenarioId: string;
  step: string;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const people = useQuery({
    queryKey: ['scenario-people', scenarioId, step],
    queryFn: () =>
      api<{ items: Enrolment[] }>(
        `/api/v1/scenarios/${scenarioId}/enrolments?status=active&step=${encodeURIComponent(step)}&limit=100`,
      ),
  });
  return (
    <section className="card" data-testid="people-at-step">
      <div className="card-header">
        <h2>{t('scenarios.people.atStep', { step })}</h2>
        <button type="button" className="btn btn-sm" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {people.data && people.data.items.length === 0 && (
        <div className="empty">{t('scenarios.people.empty')}</div>
      )}
      {people.data && people.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('scenarios.people')}</th>
                <th>{t('scenarios.people.entered')}</th>
                <th>{t('scenarios.people.next')}</th>
              </tr>
            </thead>
            <tbody>
              {people.data.items.map((e) => (
                <tr key={e.enrolmentId}>
                  <td>
                    <AppLink to={`/people/${e.personId}`}>{e.personName ?? e.email}</AppLink>
                  </td>
                  <td className="nowrap">{formatDateTime(e.enteredAt, i18n.language)}</td>
                  <td className="nowrap">{formatDateTime(e.nextRunAt, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
