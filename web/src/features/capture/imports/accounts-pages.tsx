import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, qs } from '../../../app/api.ts';
import {
  AppLink,
  formatDateTime,
  formatNumber,
  fullName,
  Pager,
  ProblemAlert,
  StageBadge,
} from '../../../app/ui.tsx';

interface AccountItem {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employeeCount: number | null;
  prefecture: string | null;
  peopleCount: number;
}

interface AccountDetail extends AccountItem {
  stageCounts: Record<string, number>;
}

interface ActivityItem {
  id: number;
  type: string;
  occurredAt: string;
  properties: Record<string, unknown>;
  campaign: { id: string; name: string } | null;
  person: { id: string; email: string; lastName: string | null; firstName: string | null; stage: string };
}

/** /accounts: every company with its number of people, searchable by name or domain. */
export function AccountsListPage() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['accounts', q, cursor],
    queryFn: () =>
      api<{ items: AccountItem[]; nextCursor: string | null }>(
        `/api/v1/accounts${qs({ q, cursor, limit: 50 })}`,
      ),
  });
  return (
    <div className="page">
      <div className="page-header">
        <h1>{t('accounts.list.title')}</h1>
      </div>
      <div className="toolbar">
        <input
          type="search"
          name="q"
          value={q}
          placeholder={t('accounts.list.search')}
          onChange={(e) => {
            setQ(e.target.value);
            setCursors([undefined]);
          }}
        />
      </div>
      <ProblemAlert error={list.error} />
      <section className="card flush">
        <div className="table-wrap">
          <table className="table" data-testid="accounts-table">
            <thead>
              <tr>
                <th>{t('accounts.list.name')}</th>
                <th>{t('accounts.list.domain')}</th>
                <th>{t('accounts.list.industry')}</th>
                <th className="num">{t('accounts.list.people')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data?.items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <AppLink to={`/accounts/${a.id}`}>{a.name}</AppLink>
                  </td>
                  <td>{a.domain ?? ''}</td>
                  <td>{a.industry ?? ''}</td>
                  <td className="num">{formatNumber(a.peopleCount, i18n.language)}</td>
                  <td>
                    <AppLink to={`/accounts/${a.id}/activity`}>{t('accounts.activity.link')}</AppLink>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.data && list.data.items.length === 0 && <p className="empty">{t('accounts.list.empty')}</p>}
      </section>
      <Pager
        hasPrev={cursors.length > 1}
        hasNext={Boolean(list.data?.nextCursor)}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => setCursors([...cursors, list.data?.nextCursor ?? undefined])}
      />
    </div>
  );
}

/** /accounts/$id/activity: what everyone at the company did, newest first, with their stages. */
export function AccountActivityPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams({ strict: false }) as { id: string };
  const account = useQuery({
    queryKey: ['account', id],
    queryFn: () => api<AccountDetail>(`/api/v1/accounts/${id}`),
    retry: false,
  });
  const feed = useInfiniteQuery({
    queryKey: ['account-activity', id],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api<{ items: ActivityItem[]; nextCursor: string | null }>(
        `/api/v1/accounts/${id}/activity${qs({ cursor: pageParam, limit: 50 })}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: account.isSuccess,
  });
  if (account.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (account.error instanceof ApiError && account.error.status === 404) {
    return (
      <div className="page">
        <div className="alert alert-error" role="alert">
          {t('common.notFound')}
        </div>
      </div>
    );
  }
  if (!account.data) return <ProblemAlert error={account.error} />;
  const a = account.data;
  const items = feed.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/accounts">{t('accounts.list.title')}</AppLink> /{' '}
        <AppLink to={`/accounts/${a.id}`}>{a.name}</AppLink>
      </div>
      <div className="page-header">
        <h1 data-testid="account-activity-title">
          {a.name} — {t('accounts.activity.title')}
        </h1>
        <div className="page-actions">
          <AppLink to={`/accounts/${a.id}`} className="btn btn-sm">
            {t('accounts.activity.back')}
          </AppLink>
        </div>
      </div>
      <div className="grid-sidebar">
        <section className="card flush">
          <div className="table-wrap">
            <table className="table" data-testid="account-activity">
              <thead>
                <tr>
                  <th>{t('accounts.activity.when')}</th>
                  <th>{t('accounts.activity.who')}</th>
                  <th>{t('accounts.activity.what')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((x) => (
                  <tr key={x.id}>
                    <td className="nowrap">{formatDateTime(x.occurredAt, i18n.language)}</td>
                    <td>
                      <AppLink to={`/people/${x.person.id}`}>{fullName(x.person)}</AppLink>{' '}
                      <StageBadge stage={x.person.stage} />
                    </td>
                    <td>
                      {t(`people.act.${x.type}`, { defaultValue: x.type })}
                      {x.campaign ? ` · ${x.campaign.name}` : ''}
                      {typeof x.properties.url === 'string' ? ` · ${x.properties.url}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {feed.data && items.length === 0 && <p className="empty">{t('accounts.activity.empty')}</p>}
          {feed.hasNextPage && (
            <div className="form-actions">
              <button type="button" className="btn btn-sm" onClick={() => void feed.fetchNextPage()}>
                {t('common.next')}
              </button>
            </div>
          )}
        </section>
        <section className="card">
          <h2>{t('accounts.activity.stages')}</h2>
          <table className="table">
            <tbody>
              {Object.entries(a.stageCounts).map(([stage, n]) => (
                <tr key={stage}>
                  <td>
                    <StageBadge stage={stage} />
                  </td>
                  <td className="num">{formatNumber(n, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}
