import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import { AppLink, formatDate, formatDateTime, ProblemAlert, StageBadge } from '../../../app/ui.tsx';
import { DecideButtons, SlaClock, useChannelLabel, useMayDecide, useRefreshHandoff } from './shared.tsx';
import type { HandoffPackage } from './types.ts';

/** The lead page's "handoff" panel: the lead's story for sales, the SLA clock, and accept / reject for its owner. */
export function HandoffPanel({ personId }: { personId: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const pkg = useQuery({
    queryKey: ['handoff', personId],
    queryFn: () => api<HandoffPackage>(`/api/v1/people/${personId}/handoff`),
  });
  const mayDecide = useMayDecide();
  const channelLabel = useChannelLabel();
  const canAssign = useCan('assignment:write');
  const refresh = useRefreshHandoff();
  const assign = useMutation({
    mutationFn: () => api(`/api/v1/people/${personId}/assign`, { method: 'POST', body: {} }),
    onSuccess: () => refresh(personId),
  });
  if (pkg.isLoading) return <section className="card">{t('common.loading')}</section>;
  if (!pkg.data) return <ProblemAlert error={pkg.error} />;
  const p = pkg.data;
  const h = p.handoff;
  const awaiting = p.person.stage === 'mql' && h?.status === 'awaiting';
  const first = p.acquisition.firstTouch;
  return (
    <section className="card handoff-panel" aria-label={t('handoff.panel.title')} data-testid="handoff-panel">
      <div className="card-header">
        <h2>{t('handoff.panel.title')}</h2>
        {awaiting && <SlaClock dueAt={h.dueAt} />}
      </div>
      {awaiting && (
        <div className="handoff-waiting">
          <p className="muted">
            {t('handoff.panel.waitingSince', { at: formatDateTime(h.mqlAt, lang) })}
            {p.owner
              ? ` · ${t('handoff.panel.owner')}: ${p.owner.name || p.owner.email}`
              : ` · ${t('handoff.unassigned')}`}
          </p>
          {mayDecide(p.owner?.id ?? null) && <DecideButtons personId={personId} name={p.person.name} />}
        </div>
      )}
      {h && h.status !== 'awaiting' && (
        <p className="muted" data-testid="handoff-outcome">
          {t(`handoff.status.${h.status}`)} {h.decidedAt ? formatDateTime(h.decidedAt, lang) : ''}{' '}
          {h.reason ? `— ${h.reason}` : ''} {h.note ? `(${h.note})` : ''}
        </p>
      )}
      {p.assignment && (
        <p className="muted">
          {t('handoff.panel.assignedBy', {
            rule: p.assignment.ruleName ?? t(`handoff.rule.${p.assignment.ruleKind}`),
            at: formatDateTime(p.assignment.at, lang),
          })}
        </p>
      )}
      {canAssign && (
        <button
          type="button"
          className="btn btn-sm"
          disabled={assign.isPending}
          onClick={() => assign.mutate()}
        >
          {t('handoff.panel.runRules')}
        </button>
      )}
      <ProblemAlert error={assign.error} />

      <h3>{t('handoff.panel.acquisition')}</h3>
      <dl className="kv">
        <dt>{t('handoff.panel.channel')}</dt>
        <dd>
          {[channelLabel(p.acquisition.channel), p.acquisition.source].filter(Boolean).join(' / ') || '—'}
        </dd>
        <dt>{t('handoff.panel.firstTouch')}</dt>
        <dd>
          {first
            ? `${formatDate(first.occurredAt, lang)} ${t(`handoff.activity.${first.type}`, { defaultValue: first.type })} ${first.campaignName ?? first.title ?? ''}`
            : '—'}
        </dd>
      </dl>

      <h3>{t('handoff.panel.why')}</h3>
      {p.score.ruleSetVersion === null ? (
        <p className="muted">{t('handoff.panel.notScored')}</p>
      ) : (
        <>
          <p>
            {t('handoff.panel.scoreLine', {
              grade: p.score.fitGrade ?? '—',
              points: p.score.engagementScore,
            })}
          </p>
          <ul className="handoff-list">
            {p.score.summary.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </>
      )}

      <h3>{t('handoff.panel.campaigns')}</h3>
      {p.campaigns.length + p.events.length === 0 ? (
        <p className="muted">{t('common.none')}</p>
      ) : (
        <ul className="handoff-list">
          {p.campaigns.map((c) => (
            <li key={c.id}>
              {c.name}{' '}
              <span className="muted">({t(`handoff.member.${c.status}`, { defaultValue: c.status })})</span>
            </li>
          ))}
          {p.events
            .filter((e) => !p.campaigns.some((c) => c.name === e.campaignName))
            .map((e) => (
              <li key={`${e.type}-${e.occurredAt}`}>
                {e.title ?? e.campaignName} <span className="muted">({t(`handoff.activity.${e.type}`)})</span>
              </li>
            ))}
        </ul>
      )}

      <h3>{t('handoff.panel.content')}</h3>
      {p.content.downloads.length + p.content.topPages.length === 0 ? (
        <p className="muted">{t('common.none')}</p>
      ) : (
        <ul className="handoff-list">
          {p.content.downloads.map((d) => (
            <li key={`${d.occurredAt}-${d.title}`}>
              {d.title ?? d.url} <span className="muted">{formatDate(d.occurredAt, lang)}</span>
            </li>
          ))}
          {p.content.topPages.map((pg) => (
            <li key={pg.url}>
              <span className="handoff-url">{pg.url}</span> <span className="muted">×{pg.views}</span>
            </li>
          ))}
        </ul>
      )}

      <h3>{t('handoff.panel.emails')}</h3>
      <p>
        {t('handoff.panel.emailStats', {
          sent: p.emails.sent,
          opened: p.emails.opened,
          clicked: p.emails.clicked,
        })}
      </p>

      <h3>{t('handoff.panel.colleagues')}</h3>
      {p.accountPeople.length === 0 ? (
        <p className="muted">{t('common.none')}</p>
      ) : (
        <ul className="handoff-list">
          {p.accountPeople.map((o) => (
            <li key={o.id}>
              <AppLink to={`/people/${o.id}`}>{o.name}</AppLink>{' '}
              {o.title && <span className="muted">{o.title}</span>} <StageBadge stage={o.stage} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
