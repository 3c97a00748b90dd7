import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../app/api.ts';
import { useSession } from '../../app/session.tsx';
import { AppLink, formatNumber, ProblemAlert, StageBadge } from '../../app/ui.tsx';
import { StageChart } from './stage-chart.tsx';
import type { DashboardSummary, HandoffSummary, StageCount } from './types.ts';

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Tokyo';

/** The link behind a monthly number: the people who entered the stage in that month. */
function enteredLink(stage: string, period: { from: string; to: string }) {
  return { to: '/people', search: { entered: stage, from: period.from, to: period.to } };
}

function monthLabel(from: string, lang: string) {
  const [y, m] = from.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(lang.startsWith('ja') ? 'ja-JP' : 'en-US', { year: 'numeric', month: 'long', timeZone: 'UTC' });
}

function Delta({ now, before }: { now: number; before: number }) {
  const diff = now - before;
  if (diff === 0) return <span className="stat-delta muted">±0</span>;
  return <span className={`stat-delta ${diff > 0 ? 'up' : 'down'}`}>{diff > 0 ? `+${diff}` : diff}</span>;
}

/** `/`: the funnel at a glance, every number a link to the people it counts. */
export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const tz = browserTimeZone();
  const summary = useQuery({
    queryKey: ['dashboard-summary', tz],
    queryFn: () => api<DashboardSummary>(`/api/v1/dashboard/summary${qs({ tz })}`),
  });
  const lang = i18n.language;

  if (summary.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (summary.isError || !summary.data) return <ProblemAlert error={summary.error} />;
  const s = summary.data;
  const by = (stage: string) => s.stages.find((x) => x.stage === stage) as StageCount;
  const n = (v: number) => formatNumber(v, lang);

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('home.title')}</h1>
          <div className="subtitle">{t('home.period', { thisMonth: monthLabel(s.thisMonth.from, lang), lastMonth: monthLabel(s.lastMonth.from, lang) })}</div>
        </div>
      </div>

      <div className="grid-4">
        <div className="card stat">
          <span className="stat-label">{t('home.totalPeople')}</span>
          <AppLink to="/people" className="stat-value" data-testid="total-people">
            {n(s.totals.people)}
          </AppLink>
        </div>
        <div className="card stat">
          <span className="stat-label">{t('home.newThisMonth')}</span>
          <AppLink {...enteredLink('inquiry', s.thisMonth)} className="stat-value" data-testid="new-this-month">
            {n(s.totals.createdThisMonth)}
          </AppLink>
          <span className="row">
            <span className="muted stat-delta">{t('home.vsLastMonth', { n: n(s.totals.createdLastMonth) })}</span>
            <Delta now={s.totals.createdThisMonth} before={s.totals.createdLastMonth} />
          </span>
        </div>
        {(['mql', 'won'] as const).map((stage) => (
          <div className="card stat" key={stage}>
            <span className="stat-label">{t(stage === 'mql' ? 'home.mqlThisMonth' : 'home.wonThisMonth')}</span>
            <AppLink {...enteredLink(stage, s.thisMonth)} className="stat-value" data-testid={`${stage}-this-month`}>
              {n(by(stage).thisMonth)}
            </AppLink>
            <span className="row">
              <span className="muted stat-delta">{t('home.vsLastMonth', { n: n(by(stage).lastMonth) })}</span>
              <Delta now={by(stage).thisMonth} before={by(stage).lastMonth} />
            </span>
          </div>
        ))}
      </div>

      <div className="grid-sidebar">
        <section className="card">
          <div className="card-header">
            <h2>{t('home.chart.title')}</h2>
          </div>
          <StageChart stages={s.stages} />
        </section>
        <SlaCard />
      </div>

      <section className="card flush">
        <div className="card-header">
          <h2>{t('home.table.title')}</h2>
        </div>
        <div className="table-wrap">
          <table className="table" data-testid="stage-table">
            <thead>
              <tr>
                <th>{t('home.table.stage')}</th>
                <th className="num">{t('home.table.current')}</th>
                <th className="num">{t('home.table.thisMonth')}</th>
                <th className="num">{t('home.table.lastMonth')}</th>
                <th className="num">{t('home.table.change')}</th>
              </tr>
            </thead>
            <tbody>
              {s.stages.map((row) => (
                <tr key={row.stage} data-stage={row.stage}>
                  <td>
                    <StageBadge stage={row.stage} />
                  </td>
                  <td className="num">
                    <AppLink to="/people" search={{ stage: row.stage }} data-cell="current">
                      {n(row.current)}
                    </AppLink>
                  </td>
                  <td className="num">
                    <AppLink {...enteredLink(row.stage, s.thisMonth)} data-cell="this-month">
                      {n(row.thisMonth)}
                    </AppLink>
                  </td>
                  <td className="num">
                    <AppLink {...enteredLink(row.stage, s.lastMonth)} data-cell="last-month">
                      {n(row.lastMonth)}
                    </AppLink>
                  </td>
                  <td className="num">
                    <Delta now={row.thisMonth} before={row.lastMonth} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted" style={{ padding: '8px 16px', margin: 0, fontSize: 12 }}>
          {t('home.table.hint')}
        </p>
      </section>
    </div>
  );
}

/** The sales SLA from the handoff feature; shown only when that endpoint answers. */
function SlaCard() {
  const { t, i18n } = useTranslation();
  const role = useSession().data?.role;
  // Sales and admins work the queue in the handoff inbox; others see the MQLs it is made of.
  const inbox = role === 'admin' || role === 'sales' ? { to: '/handoff' } : { to: '/people', search: { stage: 'mql' } };
  const sla = useQuery({
    queryKey: ['handoff-summary'],
    queryFn: () => api<HandoffSummary>('/api/v1/handoff/summary'),
    retry: false,
  });
  if (!sla.data) return <div />;
  const d = sla.data;
  return (
    <section className="card" data-testid="sla-card">
      <div className="card-header">
        <h2>{t('home.sla.title')}</h2>
      </div>
      <div className="grid-3">
        <div className="stat">
          <span className="stat-label">{t('home.sla.awaiting')}</span>
          <AppLink {...inbox} className="stat-value" data-testid="sla-awaiting">
            {formatNumber(d.awaiting, i18n.language)}
          </AppLink>
        </div>
        <div className="stat">
          <span className="stat-label">{t('home.sla.breached')}</span>
          <span className={`stat-value${d.breached > 0 ? ' error' : ''}`}>{formatNumber(d.breached, i18n.language)}</span>
        </div>
        <div className="stat">
          <span className="stat-label">{t('home.sla.oldest')}</span>
          <span className="stat-value">{d.oldestWaitingHours === null ? '—' : t('home.sla.hours', { n: Math.round(d.oldestWaitingHours) })}</span>
        </div>
      </div>
    </section>
  );
}
