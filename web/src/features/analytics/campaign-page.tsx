import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { DEFAULT_CHANNELS } from '../../../../src/people/channels.ts';
import { ApiError, api, qs } from '../../app/api.ts';
import { useSession } from '../../app/session.tsx';
import { type CampaignRoi, MODELS } from './campaigns-page.tsx';
import { AppLink, CsvButton, useFormat } from './shared.tsx';

const STATUSES = ['member', 'invited', 'registered', 'attended', 'no_show'] as const;

interface Campaign {
  id: string;
  name: string;
  channel: string;
  description: string | null;
  startsOn: string | null;
  endsOn: string | null;
  cost: number;
  members: number;
  statuses: Record<string, number>;
}
interface Member {
  personId: string;
  email: string;
  name: string;
  company: string | null;
  stage: string;
  status: string;
  joinedAt: string;
}

/** /campaigns/$id: the campaign's details, its ROI under each model, and its members with their status. */
export function CampaignPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const f = useFormat();
  const { t } = f;
  const session = useSession();
  const canEdit = session.data?.role === 'admin' || session.data?.role === 'marketing';
  const qc = useQueryClient();
  const navigate = useNavigate();
  const campaign = useQuery({ queryKey: ['campaign', id], queryFn: () => api<Campaign>(`/api/v1/campaigns/${id}`) });
  const rois = useQueries({
    queries: MODELS.map((model) => ({ queryKey: ['campaign-roi-one', id, model], queryFn: () => api<CampaignRoi & { model: string }>(`/api/v1/campaigns/${id}/roi?model=${model}`) })),
  });
  const [statusFilter, setStatusFilter] = useState('');
  const members = useInfiniteQuery({
    queryKey: ['campaign-members', id, statusFilter],
    initialPageParam: '',
    queryFn: ({ pageParam }) => api<{ items: Member[]; nextCursor: string | null }>(`/api/v1/campaigns/${id}/members${qs({ status: statusFilter || undefined, limit: 100, cursor: pageParam || undefined })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [form, setForm] = useState<Campaign | null>(null);
  useEffect(() => {
    if (campaign.data) setForm(campaign.data);
  }, [campaign.data]);
  const [notice, setNotice] = useState('');
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['campaign', id] });
    void qc.invalidateQueries({ queryKey: ['campaign-members', id] });
    void qc.invalidateQueries({ queryKey: ['campaign-roi-one', id] });
    void qc.invalidateQueries({ queryKey: ['campaign-roi'] });
  };
  const save = useMutation({
    mutationFn: (c: Campaign) =>
      api<Campaign>(`/api/v1/campaigns/${id}`, { method: 'PATCH', body: { name: c.name, channel: c.channel, description: c.description, startsOn: c.startsOn || null, endsOn: c.endsOn || null, cost: c.cost } }),
    onSuccess: () => {
      setNotice(t('analytics.campaign.saved'));
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/campaigns/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['campaign-roi'] });
      void navigate({ to: '/campaigns' as never });
    },
  });
  const [emails, setEmails] = useState('');
  const [addStatus, setAddStatus] = useState('registered');
  const add = useMutation({
    mutationFn: () =>
      api<{ added: number; updated: number; created: number }>(`/api/v1/campaigns/${id}/members`, {
        method: 'POST',
        body: { items: emails.split(/[\s,;]+/).filter(Boolean).slice(0, 1000).map((email) => ({ email, status: addStatus })) },
      }),
    onSuccess: (r) => {
      setNotice(t('analytics.campaign.added', r));
      setEmails('');
      refresh();
    },
  });
  const setStatus = useMutation({
    mutationFn: (m: { personId: string; status: string }) => api(`/api/v1/campaigns/${id}/members`, { method: 'POST', body: m }),
    onSuccess: refresh,
  });
  const unlink = useMutation({ mutationFn: (personId: string) => api(`/api/v1/campaigns/${id}/members/${personId}`, { method: 'DELETE' }), onSuccess: refresh });

  if (campaign.error instanceof ApiError) return <p className="alert alert-error">{campaign.error.title}</p>;
  if (!campaign.data || !form) return <p>{t('common.loading')}</p>;
  const c = campaign.data;
  const err = [save.error, add.error, remove.error].find((e) => e instanceof ApiError) as ApiError | undefined;
  const items = members.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="page analytics-campaign">
      <div className="breadcrumb">
        <AppLink to="/campaigns">{t('analytics.campaign.back')}</AppLink>
      </div>
      <div className="page-header">
        <h1 data-testid="campaign-name">{c.name}</h1>
        <span className="badge">{f.channel(c.channel)}</span>
      </div>
      {notice && <p className="alert alert-success">{notice}</p>}
      {err && <p className="alert alert-error" role="alert">{err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || err.detail}</p>}
      <div className="grid-sidebar">
        <section className="card" data-testid="campaign-roi">
          <h2>{t('analytics.campaign.roiByModel')}</h2>
          <table className="table">
            <thead>
              <tr>
                <th>{t('analytics.model')}</th>
                <th className="num">{t('analytics.campaign.pipeline')}</th>
                <th className="num">{t('analytics.campaign.revenue')}</th>
                <th className="num">{t('analytics.campaign.roi')}</th>
              </tr>
            </thead>
            <tbody>
              {rois.map((r, i) => (
                <tr key={MODELS[i]} data-model={MODELS[i]}>
                  <td>{t(`analytics.model.${MODELS[i]}`)}</td>
                  <td className="num">{r.data ? f.yen(r.data.pipeline) : '…'}</td>
                  <td className="num">{r.data ? f.yen(r.data.attributedRevenue) : '…'}</td>
                  <td className="num">{r.data ? f.roi(r.data.roi) : '…'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rois[0].data && (
            <dl className="kv" style={{ marginTop: 12 }}>
              <dt>{t('analytics.campaign.cost')}</dt>
              <dd>{f.yen(c.cost)}</dd>
              <dt>{t('analytics.campaign.reached')}</dt>
              <dd>{f.num(rois[0].data.reached)}</dd>
              <dt>{t('analytics.campaign.newInquiries')}</dt>
              <dd>{f.num(rois[0].data.newInquiries)}</dd>
              <dt>{t('analytics.campaign.mqls')}</dt>
              <dd>{f.num(rois[0].data.mqls)}</dd>
            </dl>
          )}
        </section>
        <section className="card">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate(form);
            }}
          >
            <fieldset disabled={!canEdit} style={{ border: 'none', padding: 0, margin: 0 }}>
              <label className="form-row">
                <span>{t('analytics.campaign.name')}</span>
                <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
              </label>
              <label className="form-row">
                <span>{t('analytics.campaign.channel')}</span>
                <select name="channel" value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value })}>
                  {DEFAULT_CHANNELS.map((ch) => (
                    <option key={ch.key} value={ch.key}>
                      {f.channel(ch.key)}
                    </option>
                  ))}
                </select>
              </label>
              <div className="row">
                <label className="form-row">
                  <span>{t('analytics.campaign.startsOn')}</span>
                  <input type="date" name="startsOn" value={form.startsOn ?? ''} onChange={(e) => setForm({ ...form, startsOn: e.target.value })} />
                </label>
                <label className="form-row">
                  <span>{t('analytics.campaign.endsOn')}</span>
                  <input type="date" name="endsOn" value={form.endsOn ?? ''} onChange={(e) => setForm({ ...form, endsOn: e.target.value })} />
                </label>
              </div>
              <label className="form-row">
                <span>{t('analytics.campaign.cost')}</span>
                <input type="number" min={0} name="cost" value={form.cost} onChange={(e) => setForm({ ...form, cost: Number(e.target.value) })} />
              </label>
              <label className="form-row">
                <span>{t('analytics.campaign.description')}</span>
                <textarea name="description" rows={3} value={form.description ?? ''} onChange={(e) => setForm({ ...form, description: e.target.value })} />
              </label>
              {canEdit && (
                <div className="row">
                  <button type="submit">{t('analytics.campaign.save')}</button>
                  <button type="button" className="btn btn-danger" onClick={() => window.confirm(t('analytics.campaign.confirmDelete')) && remove.mutate()}>
                    {t('analytics.campaign.delete')}
                  </button>
                </div>
              )}
            </fieldset>
          </form>
        </section>
      </div>

      <section className="card" data-testid="campaign-members">
        <div className="card-header">
          <h2>
            {t('analytics.campaign.members')} ({f.num(c.members)})
          </h2>
          <div className="row analytics-toggle">
            {['', ...STATUSES].map((st) => (
              <button key={st || 'all'} type="button" className={`btn btn-sm${statusFilter === st ? ' active' : ''}`} onClick={() => setStatusFilter(st)}>
                {st ? `${t(`analytics.status.${st}`)} ${c.statuses[st] ?? 0}` : t('analytics.people.all')}
              </button>
            ))}
            <CsvButton
              filename={`campaign-members-${c.id}.csv`}
              header={[t('analytics.people.name'), 'E-mail', t('analytics.people.company'), t('analytics.people.now'), t('analytics.campaign.status'), t('analytics.campaign.joinedAt')]}
              rows={() => items.map((m) => [m.name, m.email, m.company, f.stage(m.stage), t(`analytics.status.${m.status}`), m.joinedAt.slice(0, 10)])}
            />
          </div>
        </div>
        {canEdit && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              add.mutate();
            }}
          >
            <label className="form-row" style={{ flex: 1 }}>
              <span>{t('analytics.campaign.addMembers')}</span>
              <textarea name="emails" rows={2} value={emails} onChange={(e) => setEmails(e.target.value)} />
            </label>
            <select name="add-status" value={addStatus} onChange={(e) => setAddStatus(e.target.value)}>
              {STATUSES.map((st) => (
                <option key={st} value={st}>
                  {t(`analytics.status.${st}`)}
                </option>
              ))}
            </select>
            <button type="submit" disabled={!emails.trim() || add.isPending}>
              {t('analytics.campaign.add')}
            </button>
          </form>
        )}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('analytics.people.name')}</th>
                <th>{t('analytics.people.company')}</th>
                <th>{t('analytics.people.now')}</th>
                <th>{t('analytics.campaign.status')}</th>
                <th>{t('analytics.campaign.joinedAt')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.personId} data-person-id={m.personId}>
                  <td>
                    <AppLink to={`/people/${m.personId}`}>{m.name}</AppLink>
                  </td>
                  <td>{m.company}</td>
                  <td>
                    <span className={`badge badge-stage-${m.stage}`}>{f.stage(m.stage)}</span>
                  </td>
                  <td>
                    <select
                      aria-label={t('analytics.campaign.status')}
                      value={m.status}
                      disabled={!canEdit}
                      onChange={(e) => setStatus.mutate({ personId: m.personId, status: e.target.value })}
                    >
                      {STATUSES.map((st) => (
                        <option key={st} value={st}>
                          {t(`analytics.status.${st}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="nowrap">{m.joinedAt.slice(0, 10)}</td>
                  <td>
                    {canEdit && (
                      <button type="button" className="btn btn-sm" onClick={() => unlink.mutate(m.personId)}>
                        {t('analytics.campaign.remove')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {members.hasNextPage && (
          <div className="pager">
            <button type="button" className="btn btn-sm" onClick={() => void members.fetchNextPage()}>
              {t('analytics.people.more')}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
