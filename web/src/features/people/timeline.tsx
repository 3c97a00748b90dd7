import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../app/api.ts';
import { formatDateTime, StageBadge } from '../../app/ui.tsx';
import type { Page, TimelineEntry } from './types.ts';

const PAGE = 25;
const KNOWN_ACTORS = ['rule', 'scenario', 'system', 'import', 'api_key'];

/** A short, escaped-by-React description of an activity's properties. */
function activityDetail(e: TimelineEntry): string {
  const p = e.properties ?? {};
  const parts = [p.title, p.subject, p.asset, p.formName, p.url, p.note, p.outcome]
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map(String);
  return parts.slice(0, 2).join(' · ');
}

function Entry({ e }: { e: TimelineEntry }) {
  const { t, i18n } = useTranslation();
  const when = <time dateTime={e.at}>{formatDateTime(e.at, i18n.language)}</time>;
  if (e.kind === 'stage') {
    const p = e.properties as { from?: string | null; to?: string; reason?: string | null; actorType?: string; actor?: string | null };
    const actor = p.actorType && p.actorType !== 'user' && KNOWN_ACTORS.includes(p.actorType) ? t(`people.actor.${p.actorType}`) : p.actor;
    return (
      <li data-kind="stage">
        {when}
        <div>
          <div className="what row" style={{ gap: 6 }}>
            {p.from ? t('people.tl.stage') : t('people.tl.created')}
            {p.from && <StageBadge stage={p.from} />}
            {p.from && '→'}
            {p.to && <StageBadge stage={p.to} />}
          </div>
          <div className="detail">
            {actor && <span>{t('people.tl.by', { actor })}</span>}
            {p.reason && <span> · {t('people.tl.reason', { reason: p.reason })}</span>}
          </div>
        </div>
      </li>
    );
  }
  const label = i18n.exists(`people.act.${e.type}`) ? t(`people.act.${e.type}`) : e.type;
  const detail = activityDetail(e);
  return (
    <li data-kind="activity">
      {when}
      <div>
        <div className="what">{label}</div>
        {(detail || e.campaignName) && (
          <div className="detail">
            {detail}
            {detail && e.campaignName && ' · '}
            {e.campaignName && t('people.act.campaign', { name: e.campaignName })}
          </div>
        )}
      </div>
    </li>
  );
}

/** Activities and stage changes, newest first, a page at a time. */
export function Timeline({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const tl = useInfiniteQuery({
    queryKey: ['timeline', personId],
    queryFn: ({ pageParam }) => api<Page<TimelineEntry>>(`/api/v1/people/${personId}/timeline${qs({ limit: PAGE, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = tl.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="card" aria-label={t('people.lead.timeline')}>
      <div className="card-header">
        <h2>{t('people.lead.timeline')}</h2>
      </div>
      {tl.isLoading && <p className="muted">{t('common.loading')}</p>}
      {tl.isError && <p className="error">{t('common.error')}</p>}
      {tl.isSuccess && entries.length === 0 && <p className="empty">{t('people.lead.timelineEmpty')}</p>}
      <ul className="timeline" data-testid="timeline">
        {entries.map((e) => (
          <Entry key={e.id} e={e} />
        ))}
      </ul>
      {tl.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 8 }}>
          <button type="button" className="btn" disabled={tl.isFetchingNextPage} onClick={() => tl.fetchNextPage()}>
            {t('people.lead.more')}
          </button>
        </div>
      )}
    </section>
  );
}
