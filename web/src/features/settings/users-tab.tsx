import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.ts';
import { useCan, useSession } from '../../app/session.tsx';
import { FieldError, fieldError, formatDate, ProblemAlert } from '../../app/ui.tsx';

const ROLES = ['admin', 'marketing', 'sales', 'viewer'] as const;

interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
  createdAt: string;
}

/** The team: everyone sees it; admins add users, change roles and deactivate. */
export function UsersTab() {
  const { t, i18n } = useTranslation();
  const canManage = useCan('users:manage');
  const me = useSession().data?.user?.id;
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ items: User[] }>('/api/v1/users') });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Record<string, unknown> }) => api<User>(`/api/v1/users/${id}`, { method: 'PATCH', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });

  return (
    <div>
      {canManage && <CreateUserForm />}
      <ProblemAlert error={update.error} />
      <div className="table-wrap">
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th>{t('settings.users.name')}</th>
              <th>{t('settings.users.email')}</th>
              <th>{t('settings.users.role')}</th>
              <th>{t('settings.users.status')}</th>
              <th>{t('settings.keys.createdAt')}</th>
              {canManage && <th>{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {users.data?.items.map((u) => (
              <tr key={u.id} data-user={u.email}>
                <td>
                  {u.name} {u.id === me && <span className="muted">{t('settings.users.you')}</span>}
                </td>
                <td>{u.email}</td>
                <td>
                  {canManage && u.id !== me ? (
                    <select
                      aria-label={t('settings.users.role')}
                      value={u.role}
                      onChange={(e) => update.mutate({ id: u.id, body: { role: e.target.value } })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`role.${r}`)}
                        </option>
                      ))}
                    </select>
                  ) : (
                    t(`role.${u.role}`)
                  )}
                </td>
                <td>
                  <span className={`badge ${u.active ? 'badge-success' : 'badge-muted'}`}>
                    {u.active ? t('settings.users.active') : t('settings.users.inactive')}
                  </span>
                </td>
                <td className="nowrap">{formatDate(u.createdAt, i18n.language)}</td>
                {canManage && (
                  <td>
                    {u.id !== me && (
                      <button
                        type="button"
                        className={u.active ? 'btn btn-sm btn-danger' : 'btn btn-sm'}
                        onClick={() => update.mutate({ id: u.id, body: { active: !u.active } })}
                      >
                        {u.active ? t('settings.users.deactivate') : t('settings.users.activate')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function CreateUserForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [v, setV] = useState({ name: '', email: '', password: '', role: 'sales' });
  const create = useMutation({
    mutationFn: () => api<User>('/api/v1/users', { method: 'POST', body: v }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      setV({ name: '', email: '', password: '', role: 'sales' });
      setOpen(false);
    },
  });
  if (!open) {
    return (
      <div className="toolbar">
        <button type="button" className="btn-primary" onClick={() => setOpen(true)}>
          {t('settings.users.add')}
        </button>
        {create.isSuccess && <span className="badge badge-success">{t('settings.users.created')}</span>}
      </div>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const fields = ['name', 'email', 'password'] as const;
  return (
    <form className="card" onSubmit={submit} noValidate data-testid="create-user">
      {create.error && !['name', 'email', 'password', 'role'].some((f) => fieldError(create.error, f)) && <ProblemAlert error={create.error} />}
      <div className="form-grid">
        {fields.map((f) => (
          <div className="form-row" key={f}>
            <label>
              {t(`settings.users.${f}`)}
              <input
                name={f}
                type={f === 'password' ? 'password' : f === 'email' ? 'email' : 'text'}
                autoComplete={f === 'password' ? 'new-password' : 'off'}
                value={v[f]}
                aria-invalid={Boolean(fieldError(create.error, f))}
                onChange={(e) => setV({ ...v, [f]: e.target.value })}
              />
            </label>
            <FieldError error={create.error} path={f} />
          </div>
        ))}
        <div className="form-row">
          <label>
            {t('settings.users.role')}
            <select name="role" value={v.role} onChange={(e) => setV({ ...v, role: e.target.value })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn-primary" disabled={create.isPending}>
          {t('common.create')}
        </button>
      </div>
    </form>
  );
}
