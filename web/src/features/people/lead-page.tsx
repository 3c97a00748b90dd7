import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../app/api.ts';
import { useCan } from '../../app/session.tsx';
import { AppLink, fullName, kanaOf, ProblemAlert, StageBadge, useAppNavigate } from '../../app/ui.tsx';
import { WEB_FEATURES } from '../index.ts';
import { PersonFields } from './person-fields.tsx';
import { StageControl } from './stage-control.tsx';
import { Timeline } from './timeline.tsx';
import type { Person } from './types.ts';
import { useUsers } from './use-users.ts';

/** `/people/$id`: everything about one lead, and what each feature adds to it. */
export function LeadPage() {
  const { t } = useTranslation();
  const { id } = useParams({ strict: false }) as { id: string };
  const person = useQuery({ queryKey: ['person', id], queryFn: () => api<Person>(`/api/v1/people/${id}`), retry: false });
  const canExport = useCan('privacy:manage');
  const canDelete = useCan('people:delete');
  const [deleting, setDeleting] = useState(false);

  if (person.isLoading) return <p className="loading">{t('common.loading')}</p>;
  if (person.error instanceof ApiError && (person.error.status === 404 || person.error.status === 400 || person.error.status === 422)) {
    return (
      <div className="page">
        <div className="alert alert-error" role="alert" data-testid="person-not-found">
          {t('people.lead.notFound')}
        </div>
        <AppLink to="/people" className="btn">
          {t('people.lead.back')}
        </AppLink>
      </div>
    );
  }
  if (!person.data) return <ProblemAlert error={person.error} />;
  const p = person.data;
  const kana = kanaOf(p);
  const panels = WEB_FEATURES.flatMap((f) => f.personPanels ?? []).sort((a, b) => a.order - b.order);

  return (
    <div className="page">
      <div className="breadcrumb">
        <AppLink to="/people">{t('people.lead.back')}</AppLink> / {fullName(p)}
      </div>
      <div className="page-header">
        <div>
          <h1 title={kana} data-testid="lead-name">
            {fullName(p)} {kana && <small className="muted" style={{ fontSize: 13, fontWeight: 400 }}>{kana}</small>}
          </h1>
          <div className="subtitle row" style={{ gap: 8 }}>
            <StageBadge stage={p.stage} />
            {p.accountId ? <AppLink to={`/accounts/${p.accountId}`}>{p.company}</AppLink> : p.company}
            {p.title && <span>{p.title}</span>}
            <span className="muted">{p.email}</span>
          </div>
        </div>
        <div className="page-actions">
          {canExport && (
            <a className="btn" href={`/api/v1/people/${p.id}/export`} download={`person-${p.id}.json`}>
              {t('people.lead.export')}
            </a>
          )}
          {canDelete && (
            <button type="button" className="btn-danger" onClick={() => setDeleting(true)}>
              {t('people.lead.delete')}
            </button>
          )}
        </div>
      </div>

      <div className="grid-sidebar">
        <div>
          <PersonFields key={p.updatedAt} person={p} />
          <Timeline personId={p.id} />
        </div>
        <div>
          <StageControl person={p} />
          <OwnerCard person={p} />
          {panels.map((panel) => (
            <panel.component key={panel.id} personId={p.id} />
          ))}
        </div>
      </div>
      {deleting && <DeleteDialog person={p} onClose={() => setDeleting(false)} />}
    </div>
  );
}

/** Owner (sales rep) and account, editable by roles that write people. */
function OwnerCard({ person }: { person: Person }) {
  const { t } = useTranslation();
  const canWrite = useCan('people:write');
  const users = useUsers();
  const queryClient = useQueryClient();
  const assign = useMutation({
    mutationFn: (ownerId: string | null) => api<Person>(`/api/v1/people/${person.id}`, { method: 'PATCH', body: { ownerId } }),
    onSuccess: (p) => queryClient.setQueryData(['person', person.id], p),
  });
  const owners = (users.data?.items ?? []).filter((u) => (u.active && u.role !== 'viewer') || u.id === person.ownerId);
  const ownerName = users.data?.items.find((u) => u.id === person.ownerId);
  return (
    <section className="card" aria-label={t('people.lead.owner')}>
      <dl className="kv">
        <dt>{t('people.lead.owner')}</dt>
        <dd>
          {canWrite ? (
            <select
              name="ownerId"
              aria-label={t('people.lead.owner')}
              value={person.ownerId ?? ''}
              disabled={assign.isPending}
              onChange={(e) => assign.mutate(e.target.value || null)}
            >
              <option value="">{t('people.lead.unassigned')}</option>
              {owners.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name || u.email} ({t(`role.${u.role}`)})
                </option>
              ))}
            </select>
          ) : (
            (ownerName?.name ?? <span className="muted">{t('people.lead.unassigned')}</span>)
          )}
        </dd>
        <dt>{t('people.lead.account')}</dt>
        <dd>
          {person.accountId ? (
            <AppLink to={`/accounts/${person.accountId}`}>{person.company || person.accountId}</AppLink>
          ) : (
            <span className="muted">{t('people.lead.noAccount')}</span>
          )}
        </dd>
        <dt>{t('people.col.grade')}</dt>
        <dd>{person.fitGrade ?? '—'}</dd>
        <dt>{t('people.col.engagement')}</dt>
        <dd>{person.engagementScore}</dd>
      </dl>
      <ProblemAlert error={assign.error} />
    </section>
  );
}

/** Erasure needs the e-mail typed back: it cannot be undone. */
function DeleteDialog({ person, onClose }: { person: Person; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const navigate = useAppNavigate();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const erase = useMutation({
    mutationFn: () => api(`/api/v1/people/${person.id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      ref.current?.close();
      queryClient.removeQueries({ queryKey: ['person', person.id] });
      await queryClient.invalidateQueries({ queryKey: ['people'] });
      navigate('/people');
    },
  });
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="delete-title">
      <h2 id="delete-title">{t('people.lead.deleteTitle')}</h2>
      <p>{t('people.lead.deleteText', { name: fullName(person) })}</p>
      <label>
        {t('people.lead.deleteConfirmLabel')}
        <input name="confirmEmail" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </label>
      <ProblemAlert error={erase.error} />
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="btn-danger"
          disabled={typed.trim().toLowerCase() !== person.email.toLowerCase() || erase.isPending}
          onClick={() => erase.mutate()}
        >
          {t('people.lead.delete')}
        </button>
      </div>
    </dialog>
  );
}
