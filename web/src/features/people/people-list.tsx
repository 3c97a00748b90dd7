import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../app/api.ts';
import { useCan } from '../../app/session.tsx';
import { AppLink, formatDate, Pager, PersonName, ProblemAlert, StageBadge, useAppNavigate } from '../../app/ui.tsx';
import { CreatePersonDialog } from './create-person-dialog.tsx';
import { GRADES, type Page, type Person, STAGES } from './types.ts';
import { useUserName, useUsers } from './use-users.ts';

const PAGE_SIZE = 50;
const SORTS = ['created', 'updated', 'name', 'score'] as const;

/** The filters live in the URL (`/people?stage=mql&owner=…&grade=A&q=…`) so any page can link to a filtered list. */
interface Filters {
  q: string;
  stage: string;
  owner: string;
  grade: string;
  sort: string;
  entered: string;
  from: string;
  to: string;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function useFilters(): Filters {
  const s = useSearch({ strict: false }) as Record<string, unknown>;
  return {
    q: str(s.q),
    stage: str(s.stage),
    owner: str(s.owner),
    grade: str(s.grade),
    sort: str(s.sort),
    entered: str(s.entered),
    from: str(s.from),
    to: str(s.to),
  };
}

function listUrl(f: Filters, cursor: string | undefined) {
  if (f.entered && f.from && f.to) {
    return `/api/v1/dashboard/stage-entries${qs({ stage: f.entered, from: f.from, to: f.to, tz: Intl.DateTimeFormat().resolvedOptions().timeZone, limit: PAGE_SIZE, cursor })}`;
  }
  return `/api/v1/people${qs({
    q: f.q,
    stage: f.stage,
    ownerId: f.owner && f.owner !== 'none' ? f.owner : undefined,
    unowned: f.owner === 'none' ? 'true' : undefined,
    fitGrade: f.grade,
    sort: f.sort || undefined,
    limit: PAGE_SIZE,
    cursor,
  })}`;
}

/** `/people`: filter, page through and open leads. */
export function PeopleListPage() {
  const { t, i18n } = useTranslation();
  const filters = useFilters();
  const navigate = useAppNavigate();
  const canWrite = useCan('people:write');
  const users = useUsers();
  const ownerName = useUserName();
  const [text, setText] = useState(filters.q);
  const [cursors, setCursors] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const filterKey = JSON.stringify(filters);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts again at the first page
  useEffect(() => setCursors([]), [filterKey]);
  useEffect(() => setText(filters.q), [filters.q]);

  const setFilter = (patch: Partial<Filters>) => {
    const next = { ...filters, ...patch };
    const search = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== ''));
    navigate('/people', search, { replace: true });
  };

  useEffect(() => {
    if (text === filters.q) return;
    const h = setTimeout(() => setFilter({ q: text.trim() }), 300);
    return () => clearTimeout(h);
  });

  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['people', filterKey, cursor],
    queryFn: () => api<Page<Person>>(listUrl(filters, cursor)),
    placeholderData: keepPreviousData,
  });
  const enteredMode = Boolean(filters.entered && filters.from && filters.to);
  const lang = i18n.language;

  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('people.title')}</h1>
        <div className="page-actions">
          {canWrite && (
            <button type="button" className="btn-primary" onClick={() => setCreating(true)}>
              {t('people.create')}
            </button>
          )}
        </div>
      </div>

      {enteredMode ? (
        <div className="alert" data-testid="entered-filter">
          {t('people.entered', { stage: t(`stage.${filters.entered}`), from: filters.from, to: filters.to })}{' '}
          <button type="button" className="btn btn-sm" onClick={() => setFilter({ entered: '', from: '', to: '' })}>
            {t('people.entered.clear')}
          </button>
        </div>
      ) : (
        <form className="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('people.filter.q')}
            <input type="search" name="q" value={text} placeholder={t('people.filter.qPlaceholder')} onChange={(e) => setText(e.target.value)} />
          </label>
          <label>
            {t('people.filter.stage')}
            <select name="stage" value={filters.stage} onChange={(e) => setFilter({ stage: e.target.value })}>
              <option value="">{t('common.all')}</option>
              {STAGES.map((s) => (
                <option key={s} value={s}>
                  {t(`stage.${s}`)}
                </option>
              ))}
              {filters.stage.includes(',') && <option value={filters.stage}>{filters.stage}</option>}
            </select>
          </label>
          <label>
            {t('people.filter.owner')}
            <select name="owner" value={filters.owner} onChange={(e) => setFilter({ owner: e.target.value })}>
              <option value="">{t('common.all')}</option>
              <option value="none">{t('people.filter.unowned')}</option>
              {(users.data?.items ?? [])
                .filter((u) => u.role === 'sales' || u.role === 'admin' || u.id === filters.owner)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name || u.email}
                  </option>
                ))}
            </select>
          </label>
          <label>
            {t('people.filter.grade')}
            <select name="grade" value={filters.grade} onChange={(e) => setFilter({ grade: e.target.value })}>
              <option value="">{t('common.all')}</option>
              {GRADES.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('people.filter.sort')}
            <select name="sort" value={filters.sort || 'created'} onChange={(e) => setFilter({ sort: e.target.value === 'created' ? '' : e.target.value })}>
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {t(`people.sort.${s}`)}
                </option>
              ))}
            </select>
          </label>
          {(filters.q || filters.stage || filters.owner || filters.grade || filters.sort) && (
            <button
              type="button"
              className="btn"
              onClick={() => {
                setText('');
                navigate('/people', {}, { replace: true });
              }}
            >
              {t('people.filter.clear')}
            </button>
          )}
        </form>
      )}

      <ProblemAlert error={list.error} />
      <div className="table-wrap">
        <table className="table" data-testid="people-table">
          <thead>
            <tr>
              <th>{t('people.col.name')}</th>
              <th>{t('people.col.company')}</th>
              <th>{t('people.col.title')}</th>
              <th>{t('people.col.stage')}</th>
              <th>{t('people.col.grade')}</th>
              <th className="num">{t('people.col.engagement')}</th>
              <th>{t('people.col.owner')}</th>
              <th>{enteredMode ? t('people.col.entered') : t('people.col.created')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((p) => (
              <tr key={p.id} data-person-id={p.id}>
                <td>
                  <AppLink to={`/people/${p.id}`}>
                    <PersonName person={p} />
                  </AppLink>
                  <div className="muted" style={{ fontSize: 12 }}>
                    {p.email}
                  </div>
                </td>
                <td>{p.accountId ? <AppLink to={`/accounts/${p.accountId}`}>{p.company ?? ''}</AppLink> : (p.company ?? '')}</td>
                <td>{p.title}</td>
                <td>
                  <StageBadge stage={p.stage} />
                </td>
                <td>{p.fitGrade ?? '—'}</td>
                <td className="num">{p.engagementScore}</td>
                <td>{ownerName(p.ownerId) || <span className="muted">—</span>}</td>
                <td className="nowrap">{formatDate(enteredMode ? p.enteredAt : p.createdAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.isLoading && <p className="empty">{t('common.loading')}</p>}
        {list.data && list.data.items.length === 0 && <p className="empty">{t('people.empty')}</p>}
      </div>
      <Pager
        label={t('people.pageInfo', { page: cursors.length + 1 })}
        hasPrev={cursors.length > 0}
        hasNext={Boolean(list.data?.nextCursor)}
        onPrev={() => setCursors((c) => c.slice(0, -1))}
        onNext={() => list.data?.nextCursor && setCursors((c) => [...c, list.data.nextCursor as string])}
      />
      {creating && <CreatePersonDialog onClose={() => setCreating(false)} />}
    </div>
  );
}
