import { useNavigate } from '@tanstack/react-router';
import * as echarts from 'echarts';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_CHANNELS } from '../../../../src/people/channels.ts';
import { type Cell, downloadCsv } from './csv.ts';

export const WATERFALL = ['inquiry', 'mql', 'sal', 'sgl', 'sql', 'won'] as const;
export const NEXT_OF: Record<string, string> = { inquiry: 'mql', mql: 'sal', sal: 'sql', sgl: 'sql', sql: 'won' };

export interface StageFigures {
  stage: string;
  count: number;
  converted: number;
  conversion: number | null;
  medianDays: number | null;
}

export const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : `${(x * 100).toFixed(1)}%`);

export function useFormat() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language === 'en' ? 'en-US' : 'ja-JP';
  const yen = (n: number) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'JPY', maximumFractionDigits: 0 }).format(n);
  const num = (n: number) => new Intl.NumberFormat(locale).format(n);
  const channel = (key: string | null) => {
    if (key === null) return t('analytics.none');
    const c = DEFAULT_CHANNELS.find((x) => x.key === key);
    return c ? (i18n.language === 'en' ? c.en : c.ja) : key;
  };
  const days = (d: number | null) => (d === null ? '—' : t('analytics.days', { n: d }));
  const stage = (s: string) => t(`stage.${s}`);
  return { t, yen, num, channel, days, stage, pct: (x: number | null | undefined) => pct(x) ?? '—', roi: (x: number | null) => pct(x) ?? t('analytics.na') };
}

/** Query-string backed state, so a report's settings survive a reload and can be shared as a link. */
export function useUrlState<T extends Record<string, string>>(defaults: T): [T, (patch: Partial<T>) => void] {
  const read = () => {
    const sp = new URLSearchParams(window.location.search);
    const out = { ...defaults };
    for (const k of Object.keys(defaults) as (keyof T)[]) {
      const v = sp.get(k as string);
      if (v !== null) out[k] = v as T[keyof T];
    }
    return out;
  };
  const [state, setState] = useState<T>(read);
  const update = (patch: Partial<T>) => {
    setState((prev) => {
      const next = { ...prev, ...patch };
      const sp = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(next)) {
        if (v === '' || v === defaults[k]) sp.delete(k);
        else sp.set(k, v);
      }
      const q = sp.toString();
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
      return next;
    });
  };
  return [state, update];
}

/** An echarts chart; `onClick` receives the clicked item's params. */
export function Chart({ option, onClick, height = 300, testId }: { option: echarts.EChartsOption; onClick?: (p: echarts.ECElementEvent) => void; height?: number; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current);
    chart.current = c;
    c.on('click', (p) => click.current?.(p));
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      c.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={ref} className="analytics-chart" style={{ height }} data-testid={testId} />;
}

export function CsvButton({ filename, header, rows }: { filename: string; header: Cell[]; rows: () => Cell[][] }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="btn btn-sm" data-testid={`csv-${filename}`} onClick={() => downloadCsv(filename, header, rows())}>
      {t('analytics.csv')}
    </button>
  );
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
/** Today in Japan, as the server counts days. */
export function todayJst(): string {
  return iso(new Date(Date.now() + 9 * 3_600_000));
}

export function presets(): { key: string; from: string; to: string }[] {
  const today = todayJst();
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  const day = (yy: number, mm: number, dd: number) => iso(new Date(Date.UTC(yy, mm - 1, dd)));
  const q = Math.floor((m - 1) / 3);
  return [
    { key: 'thisMonth', from: day(y, m, 1), to: today },
    { key: 'lastMonth', from: day(y, m - 1, 1), to: day(y, m, 0) },
    { key: 'thisQuarter', from: day(y, q * 3 + 1, 1), to: today },
    { key: 'lastQuarter', from: day(y, q * 3 - 2, 1), to: day(y, q * 3 + 1, 0) },
    { key: 'last12', from: day(y, m - 11, 1), to: today },
  ];
}

export function PeriodPicker({ from, to, onChange, allowEmpty }: { from: string; to: string; onChange: (from: string, to: string) => void; allowEmpty?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="analytics-period">
      <label className="form-row">
        <span>{t('analytics.from')}</span>
        <input type="date" name="from" value={from} onChange={(e) => onChange(e.target.value, to)} />
      </label>
      <label className="form-row">
        <span>{t('analytics.to')}</span>
        <input type="date" name="to" value={to} onChange={(e) => onChange(from, e.target.value)} />
      </label>
      <div className="analytics-presets">
        {presets().map((p) => (
          <button key={p.key} type="button" className={`btn btn-sm${p.from === from && p.to === to ? ' active' : ''}`} data-preset={p.key} onClick={() => onChange(p.from, p.to)}>
            {t(`analytics.preset.${p.key}`)}
          </button>
        ))}
        {allowEmpty && (
          <button type="button" className={`btn btn-sm${!from && !to ? ' active' : ''}`} data-preset="all" onClick={() => onChange('', '')}>
            {t('analytics.allTime')}
          </button>
        )}
      </div>
    </div>
  );
}

/** An in-app link to any path (feature routes are registered at run time, so paths are plain strings). */
export function AppLink({ to, children, className, testId }: { to: string; children: ReactNode; className?: string; testId?: string }) {
  const navigate = useNavigate();
  return (
    <a
      href={to}
      className={className}
      data-testid={testId}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        void navigate({ to: to as never });
      }}
    >
      {children}
    </a>
  );
}
