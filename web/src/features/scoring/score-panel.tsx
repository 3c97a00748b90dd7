import { useQuery } from '@tanstack/react-query';
import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.ts';
import type { ScoreExplanation, ScorePoint } from './types.ts';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** The lead page's score: grade, engagement, every contribution in plain words, and the history chart. */
export function ScorePanel({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const score = useQuery({ queryKey: ['score', personId], queryFn: () => api<ScoreExplanation>(`/api/v1/people/${personId}/score`) });
  const history = useQuery({
    queryKey: ['score-history', personId],
    queryFn: () => api<{ items: ScorePoint[] }>(`/api/v1/people/${personId}/score/history`),
  });
  if (score.isLoading) return <section className="card">{t('common.loading')}</section>;
  if (score.isError || !score.data) return <section className="card error">{t('common.error')}</section>;
  const s = score.data;
  return (
    <section className="card scoring-panel" aria-label={t('scoring.panel.title')}>
      <h2>{t('scoring.panel.title')}</h2>
      {s.ruleSetVersion === null ? (
        <p className="muted">{t('scoring.panel.notScored')}</p>
      ) : (
        <>
          <div className="row">
            <span className={`scoring-grade grade-${s.fitGrade}`} data-testid="fit-grade">
              {t('scoring.panel.fit')} {s.fitGrade} <small>({t('scoring.panel.points', { points: s.fitScore })})</small>
            </span>
            <span className="scoring-engagement" data-testid="engagement-score">
              {t('scoring.panel.engagement')} {s.engagementScore}
            </span>
            <span className={s.mql ? 'badge' : 'muted'}>{s.mql ? t('scoring.panel.mql') : t('scoring.panel.notMql')}</span>
            <span className="muted">{t('scoring.panel.version', { version: s.ruleSetVersion })}</span>
          </div>
          <h3>{t('scoring.panel.why')}</h3>
          <ul className="scoring-contributions">
            {s.contributions.map((c) => (
              <li key={c.ruleId} className={c.points < 0 ? 'negative' : undefined}>
                <span className="scoring-kind">{c.kind === 'fit' ? t('scoring.panel.fit') : t('scoring.panel.engagement')}</span>
                <span className="scoring-name">
                  {c.name}
                  {c.kind === 'engagement' ? ` ×${c.count}` : ''}
                </span>
                <span className="scoring-dots" aria-hidden="true" />
                <span className="scoring-points">{signed(c.points)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('scoring.panel.history')}</h3>
      {history.data && history.data.items.length > 0 ? <ScoreChart points={history.data.items} /> : <p className="muted">{t('scoring.panel.noHistory')}</p>}
    </section>
  );
}

function ScoreChart({ points }: { points: ScorePoint[] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption({
      tooltip: { trigger: 'axis' },
      legend: { data: [t('scoring.panel.fit'), t('scoring.panel.engagement')] },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value' },
      series: [
        { name: t('scoring.panel.fit'), type: 'line', step: 'end', data: points.map((p) => [p.at, p.fitScore]) },
        { name: t('scoring.panel.engagement'), type: 'line', step: 'end', data: points.map((p) => [p.at, p.engagementScore]) },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [points, t]);
  return <div ref={ref} className="scoring-chart" data-testid="score-chart" />;
}
