import { useInfiniteQuery } from '@tanstack/react-query';
import { api, qs } from '../../app/api.ts';
import { AppLink, CsvButton, useFormat } from './shared.tsx';

interface EntryPerson {
  id: string;
  email: string;
  name: string;
  company: string | null;
  stage: string;
  ownerName: string | null;
  channel: string | null;
  enteredAt: string;
  nextStage: string | null;
  nextAt: string | null;
  days: number | null;
}

export interface Drill {
  stage: string;
  from: string;
  to: string;
  by?: string;
  value?: string;
  outcome?: '' | 'converted' | 'open';
}

const day = (iso: string) => new Date(new Date(iso).getTime() + 9 * 3_600_000).toISOString().slice(0, 10);

/** The people behind a funnel number, with links to each lead. */
export function DrilldownPanel({ drill, onOutcome, onClose }: { drill: Drill; onOutcome: (o: Drill['outcome']) => void; onClose: () => void }) {
  const f = useFormat();
  const { t } = f;
  const list = useInfiniteQuery({
    queryKey: ['funnel-people', drill],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      api<{ items: EntryPerson[]; nextCursor: string | null }>(
        `/api/v1/funnel/people${qs({ stage: drill.stage, from: drill.from, to: drill.to, by: drill.value !== undefined ? drill.by : undefined, value: drill.value, outcome: drill.outcome || undefined, limit: 100, cursor: pageParam || undefined })}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="card" data-testid="funnel-people">
      <div className="card-header">
        <h2>
          {t('analytics.people.title', { stage: f.stage(drill.stage), from: drill.from, to: drill.to })}
          {drill.value !== undefined && ` · ${drill.by === 'channel' ? f.channel(drill.value || null) : drill.value || t('analytics.none')}`}
        </h2>
        <div className="row analytics-toggle">
          {(['', 'converted', 'open'] as const).map((o) => (
            <button key={o || 'all'} type="button" className={`btn btn-sm${(drill.outcome ?? '') === o ? ' active' : ''}`} onClick={() => onOutcome(o)}>
              {t(`analytics.people.${o || 'all'}`)}
            </button>
          ))}
          <CsvButton
            filename={`leads-${drill.stage}-${drill.from}-${drill.to}.csv`}
            header={[t('analytics.people.name'), 'E-mail', t('analytics.people.company'), t('analytics.people.now'), t('analytics.people.owner'), t('analytics.people.enteredAt'), t('analytics.people.next'), t('analytics.medianDays')]}
            rows={() => items.map((p) => [p.name, p.email, p.company, f.stage(p.stage), p.ownerName, day(p.enteredAt), p.nextStage ? f.stage(p.nextStage) : '', p.days])}
          />
          <button type="button" className="btn btn-sm" onClick={onClose}>
            {t('analytics.people.close')}
          </button>
        </div>
      </div>
      {list.isLoading && <p className="muted">{t('common.loading')}</p>}
      {list.data && items.length === 0 && <p className="empty">{t('analytics.people.empty')}</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('analytics.people.name')}</th>
                <th>{t('analytics.people.company')}</th>
                <th>{t('analytics.people.now')}</th>
                <th>{t('analytics.people.owner')}</th>
                <th>{t('analytics.people.enteredAt')}</th>
                <th>{t('analytics.people.next')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={`${p.id}-${p.enteredAt}`} data-person-id={p.id}>
                  <td>
                    <AppLink to={`/people/${p.id}`}>{p.name}</AppLink>
                  </td>
                  <td>{p.company}</td>
                  <td>
                    <span className={`badge badge-stage-${p.stage}`}>{f.stage(p.stage)}</span>
                  </td>
                  <td>{p.ownerName}</td>
                  <td className="nowrap">{day(p.enteredAt)}</td>
                  <td className="nowrap">{p.nextStage ? `${f.stage(p.nextStage)} · ${f.days(p.days)}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <div className="pager">
          <button type="button" className="btn btn-sm" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {t('analytics.people.more')}
          </button>
        </div>
      )}
    </section>
  );
}
