import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EChartsOption } from 'echarts';
import { useMemo, useState } from 'react';
import { DEFAULT_CHANNELS } from '../../../../src/people/channels.ts';
import { ApiError, api, qs } from '../../app/api.ts';
import { useSession } from '../../app/session.tsx';
import { AppLink, Chart, CsvButton, PeriodPicker, useFormat, useUrlState } from './shared.tsx';

export const MODELS = ['first_touch', 'last_touch', 'linear', 'w_shaped'] as const;

export interface CampaignRoi {
  campaignId: string;
  name: string;
  channel: string;
  startsOn: string | null;
  endsOn: string | null;
  cost: number;
  reached: number;
  newInquiries: number;
  mqls: number;
  pipeline: number;
  attributedRevenue: number;
  roi: number | null;
}
interface Report {
  model: string;
  campaigns: CampaignRoi[];
  channels: { channel: string; cost: number; pipeline: number; attributedRevenue: number; roi: number | null }[];
  touched: { wonDeals: number; wonRevenue: number };
  unattributedRevenue: number;
}

type SortKey = 'name' | 'cost' | 'reached' | 'newInquiries' | 'mqls' | 'pipeline' | 'attributedRevenue' | 'roi';

/** /campaigns: every campaign with reach, inquiries, MQLs, attributed pipeline and revenue and ROI, sortable, under a chosen model. */
export function CampaignsPage() {
  const f = useFormat();
  const { t } = f;
  const session = useSession();
  const canEdit = session.data?.role === 'admin' || session.data?.role === 'marketing';
  const [s, set] = useUrlState({ model: 'w_shaped', from: '', to: '', sort: 'roi', dir: 'desc' });
  const report = useQuery({
    queryKey: ['campaign-roi', s.model, s.from, s.to],
    queryFn: () => api<Report>(`/api/v1/campaigns/roi${qs({ model: s.model, from: s.from || undefined, to: s.to || undefined })}`),
  });
  const sortKey = s.sort as SortKey;
  const rows = useMemo(() => {
    const list = [...(report.data?.campaigns ?? [])];
    const dir = s.dir === 'asc' ? 1 : -1;
    return list.sort((a, b) => {
      const x = a[sortKey];
      const y = b[sortKey];
      // Not applicable (zero cost) sorts last either way.
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return (typeof x === 'string' ? x.localeCompare(String(y)) : (x as number) - (y as number)) * dir;
    });
  }, [report.data, sortKey, s.dir]);
  const channelOption = useMemo<EChartsOption>(() => {
    const ch = report.data?.channels ?? [];
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 130, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => new Intl.NumberFormat('ja-JP', { notation: 'compact' }).format(v) } },
      yAxis: { type: 'category', data: ch.map((c) => f.channel(c.channel)).reverse() },
      series: [{ type: 'bar', name: t('analytics.campaign.revenue'), data: ch.map((c) => c.attributedRevenue).reverse(), label: { show: true, position: 'right', formatter: (p: { value: unknown }) => f.yen(Number(p.value)) } }],
    };
  }, [report.data, f.channel, f.yen, t]);

  const th = (key: SortKey, label: string, num = true) => (
    <th
      className={`sortable${num ? ' num' : ''}`}
      data-sort={key}
      aria-sort={sortKey === key ? (s.dir === 'asc' ? 'ascending' : 'descending') : undefined}
      onClick={() => set({ sort: key, dir: sortKey === key && s.dir === 'desc' ? 'asc' : 'desc' })}
    >
      {label}
    </th>
  );
  const headers: [SortKey, string][] = [
    ['cost', t('analytics.campaign.cost')],
    ['reached', t('analytics.campaign.reached')],
    ['newInquiries', t('analytics.campaign.newInquiries')],
    ['mqls', t('analytics.campaign.mqls')],
    ['pipeline', t('analytics.campaign.pipeline')],
    ['attributedRevenue', t('analytics.campaign.revenue')],
    ['roi', t('analytics.campaign.roi')],
  ];

  return (
    <div className="page analytics-campaigns">
      <div className="page-header">
        <h1>{t('analytics.campaigns.title')}</h1>
      </div>
      <div className="toolbar">
        <label className="form-row">
          <span>{t('analytics.model')}</span>
          <select name="model" value={s.model} onChange={(e) => set({ model: e.target.value })}>
            {MODELS.map((m) => (
              <option key={m} value={m}>
                {t(`analytics.model.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <div>
          <div className="muted" style={{ fontSize: 12 }}>{t('analytics.dealsPeriod')}</div>
          <PeriodPicker from={s.from} to={s.to} allowEmpty onChange={(from, to) => set({ from, to })} />
        </div>
      </div>
      <p className="muted">{t('analytics.model.help')}</p>
      {report.error instanceof ApiError && <p className="alert alert-error" role="alert">{report.error.detail}</p>}
      <div className="analytics-stack">
        <section className="card" data-testid="campaign-table">
          <div className="card-header">
            <h2>{t('analytics.nav.campaigns')}</h2>
            <CsvButton
              filename={`campaign-roi-${s.model}.csv`}
              header={[t('analytics.campaign.name'), t('analytics.campaign.channel'), t('analytics.campaign.startsOn'), t('analytics.campaign.endsOn'), ...headers.map((h) => h[1])]}
              rows={() => rows.map((c) => [c.name, f.channel(c.channel), c.startsOn, c.endsOn, c.cost, c.reached, c.newInquiries, c.mqls, c.pipeline, c.attributedRevenue, c.roi === null ? t('analytics.na') : c.roi])}
            />
          </div>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  {th('name', t('analytics.campaign.name'), false)}
                  <th>{t('analytics.campaign.channel')}</th>
                  {headers.map(([k, label]) => th(k, label))}
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.campaignId} data-campaign-id={c.campaignId}>
                    <td>
                      <AppLink to={`/campaigns/${c.campaignId}`}>{c.name}</AppLink>
                      <div className="muted nowrap">
                        {c.startsOn ?? ''}
                        {c.endsOn && c.endsOn !== c.startsOn ? ` – ${c.endsOn}` : ''}
                      </div>
                    </td>
                    <td>{f.channel(c.channel)}</td>
                    <td className="num">{f.yen(c.cost)}</td>
                    <td className="num">{f.num(c.reached)}</td>
                    <td className="num">{f.num(c.newInquiries)}</td>
                    <td className="num">{f.num(c.mqls)}</td>
                    <td className="num">{f.yen(c.pipeline)}</td>
                    <td className="num">{f.yen(c.attributedRevenue)}</td>
                    <td className="num" data-testid="roi">{f.roi(c.roi)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {report.data && (
            <p className="muted">
              {t('analytics.touched', { deals: report.data.touched.wonDeals, revenue: f.yen(report.data.touched.wonRevenue) })} ·{' '}
              {t('analytics.unattributed', { revenue: f.yen(report.data.unattributedRevenue) })}
            </p>
          )}
        </section>
        <section className="card" data-testid="channel-revenue">
          <div className="card-header">
            <h2>{t('analytics.channels')}</h2>
            <CsvButton
              filename={`channel-revenue-${s.model}.csv`}
              header={[t('analytics.campaign.channel'), t('analytics.campaign.cost'), t('analytics.campaign.pipeline'), t('analytics.campaign.revenue'), t('analytics.campaign.roi')]}
              rows={() => (report.data?.channels ?? []).map((c) => [f.channel(c.channel), c.cost, c.pipeline, c.attributedRevenue, c.roi === null ? t('analytics.na') : c.roi])}
            />
          </div>
          <Chart option={channelOption} height={260} testId="channel-chart" />
          <table className="table">
            <tbody>
              {(report.data?.channels ?? []).map((c) => (
                <tr key={c.channel} data-channel={c.channel}>
                  <td>{f.channel(c.channel)}</td>
                  <td className="num">{f.yen(c.attributedRevenue)}</td>
                  <td className="num">{f.roi(c.roi)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {canEdit && <NewCampaign />}
    </div>
  );
}

function NewCampaign() {
  const f = useFormat();
  const { t } = f;
  const qc = useQueryClient();
  const [form, setForm] = useState({ name: '', channel: 'webinar', startsOn: '', endsOn: '', cost: '' });
  const create = useMutation({
    mutationFn: () =>
      api<{ id: string }>('/api/v1/campaigns', {
        method: 'POST',
        body: { name: form.name, channel: form.channel, startsOn: form.startsOn || null, endsOn: form.endsOn || null, cost: form.cost ? Number(form.cost) : 0 },
      }),
    onSuccess: () => {
      setForm({ name: '', channel: 'webinar', startsOn: '', endsOn: '', cost: '' });
      void qc.invalidateQueries({ queryKey: ['campaign-roi'] });
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  return (
    <section className="card">
      <h2>{t('analytics.campaign.new')}</h2>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label className="form-row">
          <span>{t('analytics.campaign.name')}</span>
          <input name="campaign-name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="form-row">
          <span>{t('analytics.campaign.channel')}</span>
          <select name="campaign-channel" value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value })}>
            {DEFAULT_CHANNELS.map((c) => (
              <option key={c.key} value={c.key}>
                {f.channel(c.key)}
              </option>
            ))}
          </select>
        </label>
        <label className="form-row">
          <span>{t('analytics.campaign.startsOn')}</span>
          <input type="date" name="campaign-starts" value={form.startsOn} onChange={(e) => setForm({ ...form, startsOn: e.target.value })} />
        </label>
        <label className="form-row">
          <span>{t('analytics.campaign.endsOn')}</span>
          <input type="date" name="campaign-ends" value={form.endsOn} onChange={(e) => setForm({ ...form, endsOn: e.target.value })} />
        </label>
        <label className="form-row">
          <span>{t('analytics.campaign.cost')}</span>
          <input type="number" min={0} name="campaign-cost" value={form.cost} onChange={(e) => setForm({ ...form, cost: e.target.value })} />
        </label>
        <button type="submit" disabled={create.isPending}>
          {t('analytics.campaign.create')}
        </button>
      </form>
      {err && <p className="alert alert-error" role="alert">{err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || err.detail}</p>}
    </section>
  );
}
