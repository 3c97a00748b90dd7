import { useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../app/api.ts';
import { AppLink, formatNumber, PersonName, ProblemAlert, StageBadge } from '../../app/ui.tsx';
import { type Account, STAGES } from './types.ts';
import { useUserName } from './use-users.ts';

/** `/accounts/$id`: a company, its people and where they stand in the funnel. */
export function AccountPage() {
  const { t, i18n } = useTranslation();
  const { id } = useParams({ strict: false }) as { id: string };
  const ownerName = useUserName();
  const account = useQuery({ queryKey: ['account', id], queryFn: () => api<Account>(`/api/v1/accounts/${id}`), retry: false });
  if (account.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (account.error instanceof ApiError && account.error.status < 500) {
    return (
      <div className="page">
        <div className="alert alert-error" role="alert">
          {t('accounts.notFound')}
        </div>
      </div>
    );
  }
  if (!account.data) return <ProblemAlert error={account.error} />;
  const a = account.data;
  return (
    <div className="page">
      <div className="breadcrumb">{t('accounts.title')}</div>
      <div className="page-header">
        <h1 data-testid="account-name">{a.name}</h1>
        <AppLink to={`/accounts/${a.id}/activity`} className="btn btn-sm">
          {t('accounts.activity.link')}
        </AppLink>
      </div>
      <div className="grid-sidebar">
        <section className="card flush">
          <div className="card-header">
            <h2>{t('accounts.people')}</h2>
            <AppLink to="/people" search={{ q: a.name }} className="btn btn-sm">
              {t('people.title')}
            </AppLink>
          </div>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>{t('people.col.name')}</th>
                  <th>{t('people.col.title')}</th>
                  <th>{t('people.col.stage')}</th>
                  <th>{t('people.col.grade')}</th>
                  <th className="num">{t('people.col.engagement')}</th>
                  <th>{t('people.col.owner')}</th>
                </tr>
              </thead>
              <tbody>
                {a.people.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <AppLink to={`/people/${p.id}`}>
                        <PersonName person={p} />
                      </AppLink>
                    </td>
                    <td>{p.title}</td>
                    <td>
                      <StageBadge stage={p.stage} />
                    </td>
                    <td>{p.fitGrade ?? '—'}</td>
                    <td className="num">{p.engagementScore}</td>
                    <td>{ownerName(p.ownerId)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <div>
          <section className="card">
            <dl className="kv">
              <dt>{t('accounts.domain')}</dt>
              <dd>{a.domain ?? '—'}</dd>
              <dt>{t('accounts.industry')}</dt>
              <dd>{a.industry ?? '—'}</dd>
              <dt>{t('accounts.employees')}</dt>
              <dd>{a.employeeCount ? formatNumber(a.employeeCount, i18n.language) : '—'}</dd>
              <dt>{t('accounts.prefecture')}</dt>
              <dd>{a.prefecture ?? '—'}</dd>
              <dt>{t('accounts.owner')}</dt>
              <dd>{ownerName(a.ownerId) || '—'}</dd>
            </dl>
          </section>
          <section className="card">
            <h2>{t('accounts.stages')}</h2>
            <table className="table">
              <tbody>
                {STAGES.filter((s) => a.stageCounts[s]).map((s) => (
                  <tr key={s}>
                    <td>
                      <StageBadge stage={s} />
                    </td>
                    <td className="num">{a.stageCounts[s]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      </div>
    </div>
  );
}
