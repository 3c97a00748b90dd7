import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../../app/api.ts';
import { useCan } from '../../../app/session.tsx';
import {
  AppLink,
  FieldError,
  formatDate,
  formatNumber,
  Pager,
  ProblemAlert,
  useAppNavigate,
} from '../../../app/ui.tsx';
import type { Page, Segment } from './types.ts';

/** /segments: every segment and static list, with a live count per row. */
export function SegmentsPage() {
  const { t, i18n } = useTranslation();
  const canWrite = useCan('segments:write');
  const navigate = useAppNavigate();
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['segments', q, cursor],
    queryFn: () => api<Page<Segment>>(`/api/v1/segments${qs({ q, cursor, limit: 50 })}`),
  });
  const [creating, setCreating] = useState<'dynamic' | 'static' | null>(null);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api<Segment>('/api/v1/segments', {
        method: 'POST',
        body:
          creating === 'static'
            ? { name, kind: 'static' }
            : { name, kind: 'dynamic', filter: { field: 'stage', op: 'in', value: ['inquiry', 'mql'] } },
      }),
    onSuccess: (s) => navigate(`/segments/${s.id}`),
  });

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>{t('segments.title')}</h1>
          <p className="subtitle">{t('segments.subtitle')}</p>
        </div>
        {canWrite && (
          <div className="page-actions">
            <button type="button" onClick={() => setCreating('dynamic')} data-testid="new-segment">
              {t('segments.new')}
            </button>
            <button type="button" className="btn" onClick={() => setCreating('static')}>
              {t('segments.newList')}
            </button>
          </div>
        )}
      </div>
      {creating && (
        <form
          className="card row"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <label className="form-row">
            {creating === 'static' ? t('segments.newList') : t('segments.new')} — {t('segments.name')}
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={200}
              data-testid="segment-name"
            />
            <FieldError error={create.error} path="name" />
          </label>
          <div className="form-actions">
            <button type="submit" disabled={create.isPending || !name.trim()} data-testid="create-segment">
              {t('common.create')}
            </button>
            <button type="button" className="btn" onClick={() => setCreating(null)}>
              {t('common.cancel')}
            </button>
          </div>
          <ProblemAlert error={create.error} />
        </form>
      )}
      <div className="toolbar">
        <input
          type="search"
          placeholder={t('common.search')}
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setCursors([]);
          }}
        />
      </div>
      <ProblemAlert error={list.error} />
      <div className="card flush">
        <table className="table">
          <thead>
            <tr>
              <th>{t('segments.name')}</th>
              <th>{t('segments.kind')}</th>
              <th className="num">{t('segments.members')}</th>
              <th>{t('segments.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((s) => (
              <tr key={s.id}>
                <td>
                  <AppLink to={`/segments/${s.id}`}>{s.name}</AppLink>
                  {s.description && <div className="muted">{s.description}</div>}
                </td>
                <td>
                  <span className={`badge ${s.kind === 'static' ? 'badge-muted' : 'badge-success'}`}>
                    {t(`segments.kind.${s.kind}`)}
                  </span>
                </td>
                <td className="num">
                  <SegmentCount segment={s} lang={i18n.language} />
                </td>
                <td className="nowrap">{formatDate(s.updatedAt, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data && list.data.items.length === 0 && <p className="empty">{t('segments.empty')}</p>}
        {list.isLoading && <p className="empty">{t('common.loading')}</p>}
      </div>
      <Pager
        hasPrev={cursors.length > 0}
        hasNext={Boolean(list.data?.nextCursor)}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}
      />
    </div>
  );
}

function SegmentCount({ segment, lang }: { segment: Segment; lang: string }) {
  const count = useQuery({
    queryKey: ['segment-count', segment.id, segment.updatedAt],
    queryFn: () => api<{ count: number }>(`/api/v1/segments/${segment.id}/count`),
    enabled: segment.kind === 'dynamic',
    staleTime: 60_000,
  });
  const n = segment.kind === 'static' ? segment.memberCount : count.data?.count;
  return (
    <span data-testid="segment-count">{n === undefined || n === null ? '…' : formatNumber(n, lang)}</span>
  );
}
