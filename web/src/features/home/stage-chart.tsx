import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { StageCount } from './types.ts';

/** Grouped bars: people entering each stage this month and last month. */
export function StageChart({ stages }: { stages: StageCount[] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { data: [t('home.chart.lastMonth'), t('home.chart.thisMonth')], top: 0 },
      grid: { left: 44, right: 12, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: stages.map((s) => t(`stage.${s.stage}`)), axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('home.chart.lastMonth'), type: 'bar', data: stages.map((s) => s.lastMonth), itemStyle: { color: '#bcccdc' } },
        { name: t('home.chart.thisMonth'), type: 'bar', data: stages.map((s) => s.thisMonth), itemStyle: { color: '#1f6feb' } },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [stages, t]);
  return <div ref={ref} className="chart" data-testid="stage-chart" role="img" aria-label={t('home.chart.title')} />;
}
