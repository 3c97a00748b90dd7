import { useMutation } from '@tanstack/react-query';
import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.ts';
import type { Backtest, RuleSet } from './types.ts';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const times = (x: number | null) => (x === null ? '—' : `×${x.toFixed(2)}`);

const bodyOf = (set: RuleSet) => ({ halfLifeDays: set.halfLifeDays, fitGrades: set.fitGrades, mql: set.mql, rules: set.rules });

/** Replays the active rules and the draft over the history, side by side. */
export function BacktestView({ draft, activeVersion }: { draft: RuleSet; activeVersion: number }) {
  const { t } = useTranslation();
  const run = useMutation({
    mutationFn: async () => {
      const [current, next] = await Promise.all([
        api<Backtest>('/api/v1/scoring/backtest', { method: 'POST', body: {} }),
        api<Backtest>('/api/v1/scoring/backtest', { method: 'POST', body: { ruleSet: bodyOf(draft) } }),
      ]);
      return { current, next };
    },
  });
  const r = run.data;
  const rows: [string, (b: Backtest) => string][] = [
    ['scoring.metric.population', (b) => String(b.population)],
    ['scoring.metric.predictedMql', (b) => String(b.predictedMql)],
    ['scoring.metric.sqlPrecision', (b) => pct(b.sql.precision)],
    ['scoring.metric.sqlRecall', (b) => pct(b.sql.recall)],
    ['scoring.metric.sqlLift', (b) => times(b.sql.lift)],
    ['scoring.metric.wonPrecision', (b) => pct(b.won.precision)],
    ['scoring.metric.wonRecall', (b) => pct(b.winsMqlBeforeSql)],
    ['scoring.metric.wonLift', (b) => times(b.won.lift)],
    ['scoring.metric.baseSql', (b) => pct(b.sql.baseRate)],
    ['scoring.metric.actualWins', (b) => pct(b.actualWinsMqlBeforeSql)],
  ];
  return (
    <section className="card" data-testid="backtest">
      <p className="muted">{t('scoring.preview.help')}</p>
      <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>
        {run.isPending ? t('scoring.preview.running') : t('scoring.preview.run')}
      </button>
      {run.isError && <p className="error">{(run.error as Error).message}</p>}
      {r && (
        <>
          <table className="scoring-compare">
            <thead>
              <tr>
                <th />
                <th>{activeVersion > 0 ? t('scoring.preview.current', { version: activeVersion }) : t('scoring.preview.currentDefault')}</th>
                <th>{t('scoring.preview.draft')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([key, f]) => (
                <tr key={key} data-metric={key}>
                  <th>{t(key)}</th>
                  <td>{f(r.current)}</td>
                  <td className={f(r.current) !== f(r.next) ? 'changed' : undefined}>{f(r.next)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('scoring.bands')}</h3>
          <table>
            <thead>
              <tr>
                <th>{t('scoring.band')}</th>
                <th>{t('scoring.people')}</th>
                <th>{t('scoring.sqlRate')}</th>
                <th>{t('scoring.wonRate')}</th>
                <th>
                  {t('scoring.people')} ({t('scoring.preview.draft')})
                </th>
                <th>
                  {t('scoring.sqlRate')} ({t('scoring.preview.draft')})
                </th>
                <th>
                  {t('scoring.wonRate')} ({t('scoring.preview.draft')})
                </th>
              </tr>
            </thead>
            <tbody>
              {r.current.engagementBands.map((b, i) => (
                <tr key={b.band}>
                  <td>{b.band}</td>
                  <td>{b.people}</td>
                  <td>{pct(b.sqlRate)}</td>
                  <td>{pct(b.wonRate)}</td>
                  <td>{r.next.engagementBands[i].people}</td>
                  <td>{pct(r.next.engagementBands[i].sqlRate)}</td>
                  <td>{pct(r.next.engagementBands[i].wonRate)}</td>
                </tr>
              ))}
              {r.current.fitGrades.map((g, i) => (
                <tr key={g.grade}>
                  <td>
                    {t('scoring.grade')} {g.grade}
                  </td>
                  <td>{g.people}</td>
                  <td>{pct(g.sqlRate)}</td>
                  <td>{pct(g.wonRate)}</td>
                  <td>{r.next.fitGrades[i].people}</td>
                  <td>{pct(r.next.fitGrades[i].sqlRate)}</td>
                  <td>{pct(r.next.fitGrades[i].wonRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('scoring.months')}</h3>
          <MonthsChart current={r.current} next={r.next} />
          <h3>{t('scoring.reach')}</h3>
          <table>
            <thead>
              <tr>
                <th>{t('scoring.rule.name')}</th>
                <th>{t('scoring.preview.currentShort')}</th>
                <th>{t('scoring.preview.draft')}</th>
              </tr>
            </thead>
            <tbody>
              {draft.rules.map((rule) => (
                <tr key={rule.id}>
                  <td>{rule.name}</td>
                  <td>{r.current.reach[rule.id] ?? 0}</td>
                  <td>{r.next.reach[rule.id] ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function MonthsChart({ current, next }: { current: Backtest; next: Backtest }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption({
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: current.mqlsPerMonth.map((m) => m.month) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('scoring.actual'), type: 'bar', data: current.mqlsPerMonth.map((m) => m.actual) },
        { name: `${t('scoring.predicted')}: ${t('scoring.preview.currentShort')}`, type: 'line', data: current.mqlsPerMonth.map((m) => m.predicted) },
        { name: `${t('scoring.predicted')}: ${t('scoring.preview.draft')}`, type: 'line', data: next.mqlsPerMonth.map((m) => m.predicted) },
      ],
    });
    return () => chart.dispose();
  }, [current, next, t]);
  return <div ref={ref} className="scoring-chart" />;
}
