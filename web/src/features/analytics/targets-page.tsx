import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EChartsOption } from 'echarts';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, api, qs } from '../../app/api.ts';
import { useSession } from '../../app/session.tsx';
import { Chart, CsvButton, todayJst, useFormat, useUrlState } from './shared.tsx';

const METRICS = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won', 'revenue'] as const;
type Metric = (typeof METRICS)[number];

interface MetricProgress {
  metric: Metric;
  target: number | null;
  actual: number;
  gap: number | null;
  attainment: number | null;
  forecast: number | null;
  onTrack: boolean | null;
}
interface PeriodProgress {
  period: string;
  status: 'past' | 'current' | 'future';
  elapsedDays: number;
  totalDays: number;
  metrics: MetricProgress[];
}

function shiftMonth(ym: string, n: number): string {
  const d = new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)) - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
function defaults(type: string): { from: string; to: string } {
  const month = todayJst().slice(0, 7);
  if (type === 'quarter') {
    const y = month.slice(0, 4);
    return { from: `${y}-Q1`, to: `${y}-Q4` };
  }
  return { from: shiftMonth(month, -5), to: shiftMonth(month, 1) };
}

/** /targets: KPI targets per month or quarter, plan against actual with the gap, and the current period's run-rate forecast. */
export function TargetsPage() {
  const f = useFormat();
  const { t } = f;
  const session = useSession();
  const canEdit = session.data?.role === 'admin' || session.data?.role === 'marketing';
  const qc = useQueryClient();
  const [s, set] = useUrlState({ type: 'month', from: '', to: '', metric: 'mql' });
  const range = s.from && s.to ? { from: s.from, to: s.to } : defaults(s.type);
  const progress = useQuery({
    queryKey: ['target-progress', s.type, range.from, range.to],
    queryFn: () => api<{ periods: PeriodProgress[] }>(`/api/v1/targets/progress${qs({ periodType: s.type, from: range.from, to: range.to })}`),
  });
  const current = useQuery({
    queryKey: ['target-progress-current', s.type],
    queryFn: () => api<{ periods: PeriodProgress[] }>(`/api/v1/targets/progress${qs({ periodType: s.type })}`),
  });
  const [draft, setDraft] = useState<Record<string, string>>({});
  useEffect(() => {
    const d: Record<string, string> = {};
    for (const p of progress.data?.periods ?? []) for (const m of p.metrics) d[`${p.period}|${m.metric}`] = m.target === null ? '' : String(m.target);
    setDraft(d);
  }, [progress.data]);
  const [notice, setNotice] = useState('');
  const save = useMutation({
    mutationFn: () => {
      const items = Object.entries(draft).flatMap(([key, v]) => {
        const [period, metric] = key.split('|');
        const before = progress.data?.periods.find((p) => p.period === period)?.metrics.find((m) => m.metric === metric)?.target ?? null;
        const value = v.trim() === '' ? null : Number(v);
        return value === before ? [] : [{ period, metric, value }];
      });
      if (items.length === 0) return Promise.resolve({ saved: 0 });
      return api<{ saved: number }>('/api/v1/targets', { method: 'PUT', body: { items } });
    },
    onSuccess: () => {
      setNotice(t('analytics.targets.saved'));
      void qc.invalidateQueries({ queryKey: ['target-progress'] });
      void qc.invalidateQueries({ queryKey: ['target-progress-current'] });
    },
  });
  const metric = s.metric as Metric;
  const fmt = (m: Metric, n: number | null) => (n === null ? '—' : m === 'revenue' ? f.yen(n) : f.num(n));
  const chart = useMemo<EChartsOption>(() => {
    const ps = progress.data?.periods ?? [];
    const pick = (p: PeriodProgress) => p.metrics.find((m) => m.metric === metric);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('analytics.targets.actual'), t('analytics.targets.forecast'), t('analytics.targets.target')] },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: ps.map((p) => p.period) },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: t('analytics.targets.actual'), data: ps.map((p) => pick(p)?.actual ?? 0) },
        { type: 'bar', name: t('analytics.targets.forecast'), data: ps.map((p) => (p.status === 'current' ? (pick(p)?.forecast ?? null) : null)) },
        { type: 'line', name: t('analytics.targets.target'), data: ps.map((p) => pick(p)?.target ?? null), connectNulls: false },
      ],
    };
  }, [progress.data, metric, t]);
  const cur = current.data?.periods[0];
  const err = [progress.error, save.error].find((e) => e instanceof ApiError) as ApiError | undefined;

  return (
    <div className="page analytics-targets">
      <div className="page-header">
        <h1>{t('analytics.targets.title')}</h1>
      </div>
      <div className="toolbar">
        <div className="row analytics-toggle">
          {(['month', 'quarter'] as const).map((x) => (
            <button key={x} type="button" className={`btn btn-sm${s.type === x ? ' active' : ''}`} onClick={() => set({ type: x, from: '', to: '' })}>
              {t(`analytics.targets.${x}`)}
            </button>
          ))}
        </div>
        <label className="form-row">
          <span>{t('analytics.from')}</span>
          <input name="from" value={range.from} placeholder={s.type === 'month' ? 'YYYY-MM' : 'YYYY-Qn'} onChange={(e) => set({ from: e.target.value, to: range.to })} />
        </label>
        <label className="form-row">
          <span>{t('analytics.to')}</span>
          <input name="to" value={range.to} placeholder={s.type === 'month' ? 'YYYY-MM' : 'YYYY-Qn'} onChange={(e) => set({ to: e.target.value, from: range.from })} />
        </label>
      </div>
      {err && <p className="alert alert-error" role="alert">{err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || err.detail}</p>}
      {notice && <p className="alert alert-success">{notice}</p>}

      {cur && (
        <section className="card" data-testid="current-period">
          <h2>{t('analytics.targets.current', { period: cur.period, elapsed: cur.elapsedDays, total: cur.totalDays })}</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>{t('analytics.targets.metric')}</th>
                  <th className="num">{t('analytics.targets.target')}</th>
                  <th className="num">{t('analytics.targets.actual')}</th>
                  <th className="num">{t('analytics.targets.attainment')}</th>
                  <th className="num">{t('analytics.targets.forecast')}</th>
                  <th className="num">{t('analytics.targets.gap')}</th>
                  <th>{t('analytics.targets.onTrack')}</th>
                </tr>
              </thead>
              <tbody>
                {cur.metrics.map((m) => (
                  <tr key={m.metric} data-metric={m.metric}>
                    <td>{t(`analytics.metric.${m.metric}`)}</td>
                    <td className="num">{fmt(m.metric, m.target)}</td>
                    <td className="num">{fmt(m.metric, m.actual)}</td>
                    <td className="num">{f.pct(m.attainment)}</td>
                    <td className="num" data-testid="forecast">{fmt(m.metric, m.forecast)}</td>
                    <td className="num">{fmt(m.metric, m.target === null || m.forecast === null ? null : m.forecast - m.target)}</td>
                    <td data-testid="on-track">
                      {m.onTrack === null ? '—' : m.onTrack ? <span className="analytics-ontrack">{t('analytics.targets.yes')}</span> : <span className="analytics-behind">{t('analytics.targets.no')}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section className="card">
        <div className="card-header">
          <h2>{t('analytics.targets.target')} / {t('analytics.targets.actual')}</h2>
          <select name="metric" value={metric} onChange={(e) => set({ metric: e.target.value })}>
            {METRICS.map((m) => (
              <option key={m} value={m}>
                {t(`analytics.metric.${m}`)}
              </option>
            ))}
          </select>
        </div>
        <Chart option={chart} height={260} testId="targets-chart" />
      </section>

      <section className="card" data-testid="targets-table">
        <div className="card-header">
          <h2>{canEdit ? t('analytics.targets.edit') : t('analytics.targets.title')}</h2>
          <div className="row">
            <CsvButton
              filename={`kpi-${range.from}-${range.to}.csv`}
              header={[t('analytics.targets.period'), t('analytics.targets.metric'), t('analytics.targets.target'), t('analytics.targets.actual'), t('analytics.targets.gap'), t('analytics.targets.attainment'), t('analytics.targets.forecast')]}
              rows={() => (progress.data?.periods ?? []).flatMap((p) => p.metrics.map((m) => [p.period, t(`analytics.metric.${m.metric}`), m.target, m.actual, m.gap, m.attainment, m.forecast]))}
            />
            {canEdit && (
              <button type="button" onClick={() => save.mutate()} disabled={save.isPending}>
                {t('common.save')}
              </button>
            )}
          </div>
        </div>
        {!canEdit && <p className="muted">{t('analytics.targets.readOnly')}</p>}
        <div className="table-wrap">
          <table className="table analytics-targets-grid">
            <thead>
              <tr>
                <th>{t('analytics.targets.period')}</th>
                {METRICS.map((m) => (
                  <th key={m} className="num">
                    {t(`analytics.metric.${m}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(progress.data?.periods ?? []).map((p) => (
                <tr key={p.period} data-period={p.period}>
                  <td className="nowrap">
                    {p.period} <span className="muted">{t(`analytics.status.${p.status}`)}</span>
                  </td>
                  {p.metrics.map((m) => (
                    <td key={m.metric} className="num">
                      {canEdit ? (
                        <input
                          type="number"
                          min={0}
                          name={`target-${p.period}-${m.metric}`}
                          aria-label={`${p.period} ${t(`analytics.metric.${m.metric}`)}`}
                          value={draft[`${p.period}|${m.metric}`] ?? ''}
                          onChange={(e) => setDraft({ ...draft, [`${p.period}|${m.metric}`]: e.target.value })}
                        />
                      ) : (
                        <div>{fmt(m.metric, m.target)}</div>
                      )}
                      <div className="muted">
                        {t('analytics.targets.actual')} {fmt(m.metric, m.actual)}
                        {m.attainment !== null && ` (${f.pct(m.attainment)})`}
                      </div>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
