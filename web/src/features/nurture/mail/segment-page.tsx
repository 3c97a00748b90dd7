import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, qs } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import {
  AppLink,
  formatNumber,
  Pager,
  PersonName,
  ProblemAlert,
  StageBadge,
  useAppNavigate,
} from '../../../app/ui.tsx';
import { FilterBuilder, useFilterOptions } from './filter-builder.tsx';
import { fromFilter, type GroupNode, toFilter } from './filter-model.ts';
import type { Filter, Page, PersonLite, Segment } from './types.ts';

/** /segments/{id}: the condition builder with a live count and sample, or a static list's members. */
export function SegmentPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useAppNavigate();
  const canWrite = useCan('segments:write');
  const segment = useQuery({
    queryKey: ['segment', id],
    queryFn: () => api<Segment>(`/api/v1/segments/${id}`),
  });
  const options = useFilterOptions(id);
  const [tree, setTree] = useState<GroupNode | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (segment.data) {
      setTree(fromFilter(segment.data.filter));
      setName(segment.data.name);
      setDescription(segment.data.description ?? '');
    }
  }, [segment.data]);

  const filter = useMemo(() => (tree && options ? toFilter(tree, options.fields) : null), [tree, options]);
  const save = useMutation({
    mutationFn: () =>
      api<Segment>(`/api/v1/segments/${id}`, {
        method: 'PATCH',
        body:
          segment.data?.kind === 'dynamic'
            ? { name, description: description || null, filter }
            : { name, description: description || null },
      }),
    onSuccess: (s) => {
      qc.setQueryData(['segment', id], s);
      void qc.invalidateQueries({ queryKey: ['segment-people', id] });
      void qc.invalidateQueries({ queryKey: ['segments'] });
      setNotice(t('segments.saved'));
    },
    onError: () => setNotice(null),
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/segments/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['segments'] });
      navigate('/segments');
    },
  });

  if (segment.error instanceof ApiError && segment.error.status === 404)
    return <p className="empty">{t('common.notFound')}</p>;
  if (!segment.data || !tree || !options) return <p className="loading">{t('common.loading')}</p>;
  const s = segment.data;

  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/segments">{t('segments.back')}</AppLink> / {s.name}
      </div>
      <div className="page-header">
        <div>
          <h1>{s.name}</h1>
          <p className="subtitle">{t(`segments.kind.${s.kind}`)}</p>
        </div>
        {canWrite && (
          <div className="page-actions">
            <button
              type="button"
              onClick={() => save.mutate()}
              disabled={save.isPending}
              data-testid="save-segment"
            >
              {t('common.save')}
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => {
                if (window.confirm(t('segments.deleteConfirm'))) remove.mutate();
              }}
            >
              {t('common.delete')}
            </button>
          </div>
        )}
      </div>
      {notice && <div className="alert alert-success">{notice}</div>}
      <ProblemAlert error={save.error ?? remove.error} />
      <ErrorList error={save.error} />
      <div className="form-grid card">
        <label className="form-row">
          {t('segments.name')}
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={200}
            disabled={!canWrite}
          />
        </label>
        <label className="form-row">
          {t('segments.description')}
          <input
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={2000}
            disabled={!canWrite}
          />
        </label>
      </div>
      {s.kind === 'dynamic' ? (
        <div className="grid-sidebar">
          <section className="card">
            <h2 className="card-header">{t('segments.filter')}</h2>
            <FilterBuilder value={tree} onChange={setTree} options={options} />
          </section>
          <LivePreview filter={filter} />
        </div>
      ) : (
        <StaticMembers segmentId={id} canWrite={canWrite} />
      )}
      {s.kind === 'dynamic' && <SegmentPeople segmentId={id} />}
    </div>
  );
}

function ErrorList({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.errors.length === 0) return null;
  return (
    <ul className="alert alert-error" data-testid="filter-errors">
      {error.errors.map((e) => (
        <li key={`${e.path}:${e.message}`}>
          <code>{e.path}</code> {e.message}
        </li>
      ))}
    </ul>
  );
}

/** Count and sample of the filter being edited, refreshed shortly after every change. */
function LivePreview({ filter }: { filter: Filter | null }) {
  const { t, i18n } = useTranslation();
  const [debounced, setDebounced] = useState(filter);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setDebounced(filter), 350);
    return () => clearTimeout(timer.current);
  }, [filter]);
  const preview = useQuery({
    queryKey: ['segment-preview', JSON.stringify(debounced)],
    queryFn: () =>
      api<{ count: number; sample: PersonLite[] }>('/api/v1/segments/preview', {
        method: 'POST',
        body: { filter: debounced, sampleSize: 10 },
      }),
    enabled: debounced !== null,
    placeholderData: (prev) => prev,
    retry: false,
  });
  return (
    <section className="card" data-testid="segment-preview">
      <h2 className="card-header">{t('segments.preview')}</h2>
      {preview.error ? (
        <>
          <div className="alert alert-warn">{t('segments.invalid')}</div>
          <ErrorList error={preview.error} />
        </>
      ) : (
        <p className="stat">
          <span className="stat-value" data-testid="live-count">
            {preview.data ? formatNumber(preview.data.count, i18n.language) : '…'}
          </span>{' '}
          <span className="stat-label">
            {preview.isFetching ? t('segments.counting') : t('segments.matchLabel')}
          </span>
        </p>
      )}
      <h3>{t('segments.sample')}</h3>
      {preview.data && preview.data.sample.length === 0 && <p className="empty">{t('segments.noSample')}</p>}
      <ul className="mail-sample" data-testid="live-sample">
        {preview.data?.sample.map((p) => (
          <li key={p.id}>
            <AppLink to={`/people/${p.id}`}>
              <PersonName person={p} />
            </AppLink>{' '}
            <span className="mail-muted">{p.company}</span> <StageBadge stage={p.stage} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function PeopleTable({
  people,
  selected,
  onSelect,
}: {
  people: PersonLite[];
  selected?: Set<string>;
  onSelect?: (id: string, on: boolean) => void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <table className="table">
      <thead>
        <tr>
          {onSelect && <th />}
          <th>{t('field.lastName')}</th>
          <th>{t('field.company')}</th>
          <th>{t('field.email')}</th>
          <th>{t('field.stage')}</th>
          <th>{t('field.fitGrade')}</th>
          <th className="num">{t('field.engagementScore')}</th>
        </tr>
      </thead>
      <tbody>
        {people.map((p) => (
          <tr key={p.id}>
            {onSelect && (
              <td>
                <input
                  type="checkbox"
                  checked={selected?.has(p.id) ?? false}
                  onChange={(e) => onSelect(p.id, e.target.checked)}
                  aria-label={p.email}
                />
              </td>
            )}
            <td>
              <AppLink to={`/people/${p.id}`}>
                <PersonName person={p} />
              </AppLink>
            </td>
            <td>{p.company}</td>
            <td>{p.email}</td>
            <td>
              <StageBadge stage={p.stage} />
            </td>
            <td>{p.fitGrade ?? '—'}</td>
            <td className="num">{formatNumber(p.engagementScore, i18n.language)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function useSegmentPeople(segmentId: string) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const people = useQuery({
    queryKey: ['segment-people', segmentId, cursor],
    queryFn: () => api<Page<PersonLite>>(`/api/v1/segments/${segmentId}/people${qs({ cursor, limit: 50 })}`),
  });
  const pager = (
    <Pager
      hasPrev={cursors.length > 0}
      hasNext={Boolean(people.data?.nextCursor)}
      onPrev={() => setCursors(cursors.slice(0, -1))}
      onNext={() => people.data?.nextCursor && setCursors([...cursors, people.data.nextCursor])}
    />
  );
  return { people, pager };
}

function SegmentPeople({ segmentId }: { segmentId: string }) {
  const { t } = useTranslation();
  const { people, pager } = useSegmentPeople(segmentId);
  return (
    <section className="card flush">
      <h2 className="card-header">{t('segments.people')}</h2>
      <PeopleTable people={people.data?.items ?? []} />
      {people.data?.items.length === 0 && <p className="empty">{t('segments.noSample')}</p>}
      {pager}
    </section>
  );
}

/** A static list: add people by e-mail or import, remove the ones ticked. */
function StaticMembers({ segmentId, canWrite }: { segmentId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { people, pager } = useSegmentPeople(segmentId);
  const [emails, setEmails] = useState('');
  const [importId, setImportId] = useState('');
  const [selected, setSelected] = useState(new Set<string>());
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['segment-people', segmentId] });
    void qc.invalidateQueries({ queryKey: ['segments'] });
  };
  const add = useMutation({
    mutationFn: () => {
      const list = emails
        .split(/[\s,、;]+/)
        .map((e) => e.trim())
        .filter(Boolean);
      return api<{ added: number }>(`/api/v1/segments/${segmentId}/members`, {
        method: 'POST',
        body: {
          ...(list.length ? { emails: list } : {}),
          ...(importId.trim() ? { importId: importId.trim() } : {}),
        },
      });
    },
    onSuccess: (r) => {
      setNotice(t('segments.added', { count: r.added }));
      setEmails('');
      setImportId('');
      refresh();
    },
  });
  const removeSelected = useMutation({
    mutationFn: () =>
      api<{ removed: number }>(`/api/v1/segments/${segmentId}/members/remove`, {
        method: 'POST',
        body: { personIds: [...selected] },
      }),
    onSuccess: (r) => {
      setNotice(t('segments.removed', { count: r.removed }));
      setSelected(new Set());
      refresh();
    },
  });
  return (
    <>
      {canWrite && (
        <form
          className="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <h2 className="card-header">{t('segments.addMembers')}</h2>
          <textarea
            rows={3}
            placeholder={t('segments.emailsPlaceholder')}
            value={emails}
            onChange={(e) => setEmails(e.target.value)}
            data-testid="member-emails"
          />
          <label className="form-row">
            {t('segments.importId')}
            <input value={importId} onChange={(e) => setImportId(e.target.value)} />
          </label>
          <div className="form-actions">
            <button
              type="submit"
              disabled={add.isPending || (!emails.trim() && !importId.trim())}
              data-testid="add-members"
            >
              {t('segments.addMembers')}
            </button>
          </div>
          <ProblemAlert error={add.error ?? removeSelected.error} />
        </form>
      )}
      {notice && <div className="alert alert-success">{notice}</div>}
      <section className="card flush">
        <div className="card-header row">
          <h2>{t('segments.people')}</h2>
          <span className="spacer" />
          {canWrite && (
            <button
              type="button"
              className="btn btn-sm"
              disabled={selected.size === 0}
              onClick={() => removeSelected.mutate()}
            >
              {t('segments.removeMembers')}
            </button>
          )}
        </div>
        <PeopleTable
          people={people.data?.items ?? []}
          selected={selected}
          onSelect={
            canWrite
              ? (id, on) => {
                  const next = new Set(selected);
                  if (on) next.add(id);
                  else next.delete(id);
                  setSelected(next);
                }
              : undefined
          }
        />
        {people.data?.items.length === 0 && <p className="empty">{t('segments.noSample')}</p>}
        {pager}
      </section>
    </>
  );
}
