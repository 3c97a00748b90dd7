import { useQuery } from '@tanstack/react-query';
import type { EChartsOption } from 'echarts';
import { useMemo, useState } from 'react';
import { ApiError, api, qs } from '../../app/api.ts';
import { type Drill, DrilldownPanel } from './drilldown.tsx';
import { Chart, CsvButton, NEXT_OF, PeriodPicker, presets, type StageFigures, useFormat, useUrlState, WATERFALL } from './shared.tsx';

const BREAKDOWNS = ['channel', 'source', 'campaign', 'owner', 'industry', 'employeeSize', 'prefecture'] as const;

interface FunnelReport {
  from: string;
  to: string;
  stages: StageFigures[];
  sqlFrom: Record<string, number>;
  exits: { lost: number; recycled: number; disqualified: number };
  breakdown?: { value: string | null; label: string | null; stages: StageFigures[] }[];
}
interface Aging {
  stage: string;
  people: number;
  medianDays: number | null;
  over14: number;
  over30: number;
}
interface Cohort {
  month: string;
  size: number;
  now: Record<string, number>;
  reached: Record<'mql' | 'sql' | 'won', number[]>;
}

/** /funnel: the waterfall with conversion between stages, velocity, trend, breakdowns and cohorts, every number drilling down to its leads. */
export function FunnelPage() {
  const f = useFormat();
  const { t } = f;
  const last12 = presets().find((p) => p.key === 'last12');
  const [s, set] = useUrlState({ from: last12?.from ?? '', to: last12?.to ?? '', by: '', stage: '', value: '', hasValue: '', outcome: '' });
  const period = qs({ from: s.from, to: s.to });
  const report = useQuery({
    queryKey: ['funnel', s.from, s.to, s.by],
    queryFn: () => api<FunnelReport>(`/api/v1/funnel${qs({ from: s.from, to: s.to, by: s.by || undefined })}`),
  });
  const trend = useQuery({ queryKey: ['funnel-trend', s.from, s.to], queryFn: () => api<{ months: { month: string; stages: StageFigures[] }[] }>(`/api/v1/funnel/trend${period}`) });
  const aging = useQuery({ queryKey: ['funnel-aging'], queryFn: () => api<{ stages: Aging[] }>('/api/v1/funnel/aging') });
  const cohorts = useQuery({ queryKey: ['funnel-cohorts', s.from, s.to], queryFn: () => api<{ cohorts: Cohort[] }>(`/api/v1/funnel/cohorts${period}`) });
  const [cohortStage, setCohortStage] = useState<'mql' | 'sql' | 'won'>('mql');

  const drillTo = (stage: string, opts: { value?: string | null; outcome?: Drill['outcome'] } = {}) =>
    set({ stage, value: opts.value ?? '', hasValue: opts.value !== undefined ? '1' : '', outcome: opts.outcome ?? '' });
  const drill: Drill | null = s.stage
    ? { stage: s.stage, from: s.from, to: s.to, by: s.by, value: s.hasValue ? s.value : undefined, outcome: (s.outcome as Drill['outcome']) || '' }
    : null;

  const stages = report.data?.stages ?? [];
  const waterfall = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: '5%',
          width: '90%',
          minSize: '8%',
          gap: 4,
          label: { show: true, position: 'inside', formatter: (p: { name: string; value: unknown }) => `${f.stage(p.name)}  ${f.num(Number(p.value))}` },
          data: stages.map((x) => ({ name: x.stage, value: x.count })),
        },
      ],
    }),
    [stages, f.stage, f.num],
  );
  const trendOption = useMemo<EChartsOption>(() => {
    const months = trend.data?.months ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: WATERFALL.map((x) => f.stage(x)) },
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: months.map((m) => m.month) },
      yAxis: { type: 'value' },
      series: WATERFALL.map((stage) => ({ type: 'line', name: f.stage(stage), data: months.map((m) => m.stages.find((x) => x.stage === stage)?.count ?? 0) })),
    };
  }, [trend.data, f.stage]);

  const steps = stages.filter((x) => x.stage !== 'won');
  const slowest = [...steps].filter((x) => ['mql', 'sal', 'sgl'].includes(x.stage) && x.medianDays !== null).sort((a, b) => (b.medianDays ?? 0) - (a.medianDays ?? 0))[0];
  const error = report.error instanceof ApiError ? report.error : null;

  return (
    <div className="page analytics-funnel">
      <div className="page-header">
        <h1>{t('analytics.funnel.title')}</h1>
      </div>
      <div className="toolbar">
        <PeriodPicker from={s.from} to={s.to} onChange={(from, to) => set({ from, to })} />
        <label className="form-row">
          <span>{t('analytics.breakdown')}</span>
          <select name="by" value={s.by} onChange={(e) => set({ by: e.target.value, stage: '' })}>
            <option value="">{t('analytics.breakdown.none')}</option>
            {BREAKDOWNS.map((b) => (
              <option key={b} value={b}>
                {t(`analytics.by.${b}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <p className="alert alert-error" role="alert">{error.detail ?? error.title}</p>}

      <div className="grid-sidebar">
        <section className="card">
          <div className="card-header">
            <h2>{t('analytics.waterfall')}</h2>
            <CsvButton
              filename={`funnel-${s.from}-${s.to}.csv`}
              header={[t('analytics.stage'), t('analytics.entered'), t('analytics.converted'), t('analytics.conversion'), t('analytics.medianDays')]}
              rows={() => stages.map((x) => [f.stage(x.stage), x.count, x.converted, x.conversion, x.medianDays])}
            />
          </div>
          <p className="muted">{t('analytics.waterfall.help')}</p>
          <Chart option={waterfall} height={320} testId="funnel-chart" onClick={(p) => drillTo(String(p.name))} />
          <div className="analytics-arrows" data-testid="funnel-arrows">
            {stages.map((x) => (
              <span key={x.stage} className="analytics-arrow" data-stage={x.stage}>
                <button type="button" className="analytics-num" onClick={() => drillTo(x.stage)}>
                  {f.stage(x.stage)} {f.num(x.count)}
                </button>
                {x.stage !== 'won' && (
                  <span className="analytics-rate" title={`${f.stage(x.stage)} → ${f.stage(NEXT_OF[x.stage])}`}>
                    {' '}→ {f.pct(x.conversion)} →{' '}
                  </span>
                )}
              </span>
            ))}
          </div>
        </section>
        <section className="card">
          <h2>{t('analytics.sqlFrom')}</h2>
          <dl className="kv" data-testid="sql-from">
            {Object.entries(report.data?.sqlFrom ?? {}).map(([k, n]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt>{k === 'none' ? t('analytics.none') : f.stage(k)}</dt>
                <dd>{f.num(n)}</dd>
              </div>
            ))}
          </dl>
          <h2 style={{ marginTop: 16 }}>{t('analytics.exits')}</h2>
          <dl className="kv">
            {Object.entries(report.data?.exits ?? {}).map(([k, n]) => (
              <div key={k} style={{ display: 'contents' }}>
                <dt>{f.stage(k)}</dt>
                <dd>{f.num(n)}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>

      {drill && <DrilldownPanel drill={drill} onOutcome={(outcome) => set({ outcome: outcome ?? '' })} onClose={() => set({ stage: '', value: '', hasValue: '', outcome: '' })} />}

      <section className="card" data-testid="stage-table">
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('analytics.stage')}</th>
                <th className="num">{t('analytics.entered')}</th>
                <th className="num">{t('analytics.converted')}</th>
                <th className="num">{t('analytics.conversion')}</th>
                <th className="num">{t('analytics.medianDays')}</th>
              </tr>
            </thead>
            <tbody>
              {stages.map((x) => (
                <tr key={x.stage} data-stage={x.stage}>
                  <td>
                    {f.stage(x.stage)}
                    {x.stage !== 'won' && <span className="muted"> → {f.stage(NEXT_OF[x.stage])}</span>}
                  </td>
                  <td className="num">
                    <button type="button" className="analytics-num" data-testid={`count-${x.stage}`} onClick={() => drillTo(x.stage)}>
                      {f.num(x.count)}
                    </button>
                  </td>
                  <td className="num">
                    <button type="button" className="analytics-num" onClick={() => drillTo(x.stage, { outcome: 'converted' })}>
                      {f.num(x.converted)}
                    </button>
                  </td>
                  <td className="num">{x.stage === 'won' ? '—' : f.pct(x.conversion)}</td>
                  <td className="num">{f.days(x.medianDays)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" data-testid="velocity">
        <div className="card-header">
          <h2>{t('analytics.velocity')}</h2>
          <CsvButton
            filename="velocity.csv"
            header={[t('analytics.stage'), t('analytics.medianDays'), t('analytics.aging.people'), t('analytics.aging.median'), t('analytics.aging.over14'), t('analytics.aging.over30')]}
            rows={() => (aging.data?.stages ?? []).map((a) => [f.stage(a.stage), stages.find((x) => x.stage === a.stage)?.medianDays ?? null, a.people, a.medianDays, a.over14, a.over30])}
          />
        </div>
        <p className="muted">{t('analytics.velocity.help')}</p>
        {slowest && (
          <p className="analytics-callout" data-testid="stall">
            {t('analytics.stall', { from: f.stage(slowest.stage), to: f.stage(NEXT_OF[slowest.stage]), days: slowest.medianDays })}
          </p>
        )}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('analytics.stage')}</th>
                <th className="num">{t('analytics.medianDays')}</th>
                <th className="num">{t('analytics.aging.people')}</th>
                <th className="num">{t('analytics.aging.median')}</th>
                <th className="num">{t('analytics.aging.over14')}</th>
                <th className="num">{t('analytics.aging.over30')}</th>
              </tr>
            </thead>
            <tbody>
              {(aging.data?.stages ?? []).map((a) => (
                <tr key={a.stage} data-stage={a.stage}>
                  <td>
                    {f.stage(a.stage)} → {f.stage(NEXT_OF[a.stage])}
                  </td>
                  <td className="num">{f.days(stages.find((x) => x.stage === a.stage)?.medianDays ?? null)}</td>
                  <td className="num">{f.num(a.people)}</td>
                  <td className="num">{f.days(a.medianDays)}</td>
                  <td className="num">{f.num(a.over14)}</td>
                  <td className="num">{f.num(a.over30)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card">
        <div className="card-header">
          <h2>{t('analytics.trend')}</h2>
          <CsvButton
            filename={`funnel-trend-${s.from}-${s.to}.csv`}
            header={['month', ...WATERFALL.flatMap((x) => [f.stage(x), `${f.stage(x)} ${t('analytics.conversion')}`])]}
            rows={() => (trend.data?.months ?? []).map((m) => [m.month, ...m.stages.flatMap((x) => [x.count, x.conversion])])}
          />
        </div>
        <Chart option={trendOption} height={280} testId="trend-chart" />
      </section>

      {report.data?.breakdown && (
        <section className="card" data-testid="breakdown">
          <div className="card-header">
            <h2>
              {t('analytics.breakdown')}: {t(`analytics.by.${s.by}`)}
            </h2>
            <CsvButton
              filename={`funnel-by-${s.by}-${s.from}-${s.to}.csv`}
              header={[t(`analytics.by.${s.by}`), ...WATERFALL.flatMap((x) => [f.stage(x), `${f.stage(x)} ${t('analytics.conversion')}`, `${f.stage(x)} ${t('analytics.medianDays')}`])]}
              rows={() => (report.data?.breakdown ?? []).map((g) => [s.by === 'channel' ? f.channel(g.value) : (g.label ?? t('analytics.none')), ...g.stages.flatMap((x) => [x.count, x.conversion, x.medianDays])])}
            />
          </div>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>{t(`analytics.by.${s.by}`)}</th>
                  {WATERFALL.map((x) => (
                    <th key={x} className="num">
                      {f.stage(x)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {report.data.breakdown.map((g) => (
                  <tr key={g.value ?? '∅'} data-value={g.value ?? ''}>
                    <td>{s.by === 'channel' ? f.channel(g.value) : (g.label ?? t('analytics.none'))}</td>
                    {g.stages.map((x) => (
                      <td key={x.stage} className="num">
                        <button type="button" className="analytics-num" onClick={() => drillTo(x.stage, { value: g.value ?? '' })}>
                          {f.num(x.count)}
                        </button>
                        {x.stage !== 'won' && x.count > 0 && <div className="muted">{f.pct(x.conversion)}</div>}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section className="card" data-testid="cohorts">
        <div className="card-header">
          <h2>{t('analytics.cohorts')}</h2>
          <div className="row analytics-toggle">
            {(['mql', 'sql', 'won'] as const).map((x) => (
              <button key={x} type="button" className={`btn btn-sm${cohortStage === x ? ' active' : ''}`} onClick={() => setCohortStage(x)}>
                {f.stage(x)}
              </button>
            ))}
            <CsvButton
              filename={`cohorts-${cohortStage}-${s.from}-${s.to}.csv`}
              header={[t('analytics.cohort.month'), t('analytics.cohort.size'), ...Array.from({ length: 12 }, (_, k) => `M+${k}`)]}
              rows={() => (cohorts.data?.cohorts ?? []).map((c) => [c.month, c.size, ...c.reached[cohortStage].slice(0, 12)])}
            />
          </div>
        </div>
        <p className="muted">{t('analytics.cohorts.help')}</p>
        <div className="table-wrap">
          <table className="table analytics-cohort">
            <thead>
              <tr>
                <th>{t('analytics.cohort.month')}</th>
                <th className="num">{t('analytics.cohort.size')}</th>
                {Array.from({ length: 12 }, (_, k) => (
                  <th key={k} className="num">
                    M+{k}
                  </th>
                ))}
                <th>{t('analytics.cohort.now')}</th>
              </tr>
            </thead>
            <tbody>
              {(cohorts.data?.cohorts ?? []).map((c) => (
                <tr key={c.month}>
                  <td>{c.month}</td>
                  <td className="num">{f.num(c.size)}</td>
                  {Array.from({ length: 12 }, (_, k) => {
                    const n = c.reached[cohortStage][k];
                    const share = n === undefined || c.size === 0 ? null : n / c.size;
                    return (
                      <td key={k} className="heat" style={share ? { background: `rgba(37, 99, 235, ${Math.min(0.6, share * 1.2)})` } : undefined}>
                        {n === undefined ? '' : `${n} (${f.pct(share)})`}
                      </td>
                    );
                  })}
                  <td className="muted">
                    {Object.entries(c.now)
                      .sort((a, b) => b[1] - a[1])
                      .map(([k, n]) => `${f.stage(k)} ${n}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
