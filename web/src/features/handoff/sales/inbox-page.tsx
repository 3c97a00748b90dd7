import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { useSession } from '../../../app/session.tsx';
import {
  AppLink,
  FieldError,
  fieldError,
  formatDateTime,
  Pager,
  ProblemAlert,
  useAppNavigate,
} from '../../../app/ui.tsx';
import { MyAvailability } from './my-availability.tsx';
import { DecideButtons, SlaClock, useChannelLabel, useMayDecide, useRefreshHandoff } from './shared.tsx';
import type { InboxItem, Summary } from './types.ts';

/** `/handoff`: the sales inbox — MQLs awaiting acceptance, oldest first, with their SLA clock. */
export function InboxPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const role = session.data?.role;
  const [scope, setScope] = useState<'mine' | 'all'>(role === 'sales' ? 'mine' : 'all');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const [creating, setCreating] = useState(false);
  const mayDecide = useMayDecide();
  const channelLabel = useChannelLabel();
  const summary = useQuery({
    queryKey: ['handoff-summary', scope],
    queryFn: () => api<Summary>(`/api/v1/handoff/summary${qs({ scope })}`),
  });
  const inbox = useQuery({
    queryKey: ['handoff-inbox', scope, cursor],
    queryFn: () =>
      api<{ items: InboxItem[]; nextCursor: string | null }>(
        `/api/v1/handoff/inbox${qs({ scope, cursor, limit: 50 })}`,
      ),
  });
  const s = summary.data;
  return (
    <div className="page handoff-inbox">
      <div className="page-header">
        <div>
          <h1>{t('handoff.inbox.title')}</h1>
          <p className="subtitle muted">{t('handoff.inbox.subtitle')}</p>
        </div>
        <div className="page-actions">
          <select
            aria-label={t('handoff.inbox.scope')}
            value={scope}
            onChange={(e) => {
              setScope(e.target.value as 'mine' | 'all');
              setCursors([undefined]);
            }}
          >
            <option value="mine">{t('handoff.inbox.mine')}</option>
            <option value="all">{t('handoff.inbox.all')}</option>
          </select>
          {(role === 'sales' || role === 'admin') && (
            <button
              type="button"
              className="btn-primary"
              onClick={() => setCreating(true)}
              data-testid="new-sgl"
            >
              {t('handoff.sgl.new')}
            </button>
          )}
        </div>
      </div>
      <div className="grid">
        <div className="card stat">
          <div className="stat-label">{t('handoff.inbox.awaiting')}</div>
          <div className="stat-value" data-testid="awaiting-count">
            {s?.awaiting ?? '—'}
          </div>
        </div>
        <div className="card stat">
          <div className="stat-label">{t('handoff.inbox.breached')}</div>
          <div className={`stat-value ${s && s.breached > 0 ? 'error' : ''}`} data-testid="breached-count">
            {s?.breached ?? '—'}
          </div>
        </div>
        <div className="card stat">
          <div className="stat-label">{t('handoff.inbox.oldest')}</div>
          <div className="stat-value">
            {s?.oldestWaitingHours === null || !s ? '—' : t('handoff.hours', { n: s.oldestWaitingHours })}
          </div>
        </div>
      </div>
      {role === 'sales' && <MyAvailability />}
      <ProblemAlert error={inbox.error} />
      {inbox.data && inbox.data.items.length === 0 && (
        <p className="empty card">{t('handoff.inbox.empty')}</p>
      )}
      {inbox.data && inbox.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="inbox-table">
            <thead>
              <tr>
                <th>{t('handoff.inbox.lead')}</th>
                <th>{t('handoff.inbox.source')}</th>
                <th>{t('handoff.inbox.score')}</th>
                <th>{t('handoff.inbox.owner')}</th>
                <th>{t('handoff.inbox.since')}</th>
                <th>{t('handoff.inbox.sla')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {inbox.data.items.map((item) => (
                <tr
                  key={item.handoffId}
                  data-person-id={item.personId}
                  className={item.breached ? 'handoff-breached' : undefined}
                >
                  <td>
                    <AppLink to={`/people/${item.personId}`}>{item.name}</AppLink>
                    <div className="muted">{[item.company, item.title].filter(Boolean).join(' · ')}</div>
                  </td>
                  <td>{[channelLabel(item.channel), item.source].filter(Boolean).join(' / ') || '—'}</td>
                  <td>
                    {item.fitGrade ?? '—'} / {item.engagementScore}
                  </td>
                  <td>
                    {item.ownerName ?? <span className="badge badge-muted">{t('handoff.unassigned')}</span>}
                  </td>
                  <td>{formatDateTime(item.mqlAt, i18n.language)}</td>
                  <td>
                    <SlaClock dueAt={item.dueAt} />
                  </td>
                  <td>
                    {mayDecide(item.ownerId) && <DecideButtons personId={item.personId} name={item.name} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        hasPrev={cursors.length > 1}
        hasNext={Boolean(inbox.data?.nextCursor)}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => setCursors([...cursors, inbox.data?.nextCursor ?? undefined])}
      />
      {creating && <SglDialog onClose={() => setCreating(false)} />}
    </div>
  );
}

const SGL_FIELDS = ['email', 'lastName', 'firstName', 'company', 'department', 'title', 'phone'] as const;
const SGL_CHANNELS = ['telemarketing', 'referral', 'business_card', 'tradeshow', 'other'] as const;

/** "New SGL": a lead sales generated itself goes straight to SGL, owned by its creator. */
function SglDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const navigate = useAppNavigate();
  const refresh = useRefreshHandoff();
  const [values, setValues] = useState<Record<string, string>>({ channel: 'telemarketing' });
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const create = useMutation({
    mutationFn: (body: Record<string, string>) =>
      api<{ id: string }>('/api/v1/handoff/sgl', { method: 'POST', body }),
    onSuccess: async (person) => {
      await refresh(person.id);
      ref.current?.close();
      onClose();
      navigate(`/people/${person.id}`);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const body = Object.fromEntries(
      Object.entries(values)
        .map(([k, v]) => [k, v.trim()])
        .filter(([, v]) => v !== ''),
    );
    if (body.channel === 'other') delete body.channel;
    create.mutate(body);
  }
  const fieldProblem = [...SGL_FIELDS, 'note'].some((f) => fieldError(create.error, f));
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="sgl-title">
      <form onSubmit={submit} noValidate>
        <h2 id="sgl-title">{t('handoff.sgl.title')}</h2>
        <p className="muted">{t('handoff.sgl.help')}</p>
        {!fieldProblem && <ProblemAlert error={create.error} />}
        <div className="form-grid">
          {SGL_FIELDS.map((f) => (
            <div className="form-row" key={f}>
              <label>
                {t(`handoff.sgl.field.${f}`)}
                <input
                  name={f}
                  type={f === 'email' ? 'email' : 'text'}
                  value={values[f] ?? ''}
                  onChange={(e) => setValues({ ...values, [f]: e.target.value })}
                />
              </label>
              <FieldError error={create.error} path={f} />
            </div>
          ))}
          <div className="form-row">
            <label>
              {t('handoff.sgl.field.channel')}
              <select
                name="channel"
                value={values.channel}
                onChange={(e) => setValues({ ...values, channel: e.target.value })}
              >
                {SGL_CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {t(`handoff.sgl.channel.${c}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        <div className="form-row">
          <label>
            {t('handoff.sgl.field.note')}
            <textarea
              name="note"
              rows={2}
              value={values.note ?? ''}
              onChange={(e) => setValues({ ...values, note: e.target.value })}
            />
          </label>
        </div>
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => ref.current?.close()}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn-primary" disabled={create.isPending} data-testid="create-sgl">
            {t('handoff.sgl.create')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
