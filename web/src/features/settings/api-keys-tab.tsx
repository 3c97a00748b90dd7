import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../app/api.ts';
import { FieldError, formatDateTime, ProblemAlert } from '../../app/ui.tsx';

interface ApiKey {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** API keys: create (the key is shown once, with a copy button), list, revoke. Admin only. */
export function ApiKeysTab() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState('marketing');
  const [fresh, setFresh] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => api<{ items: ApiKey[] }>('/api/v1/api-keys') });
  const create = useMutation({
    mutationFn: () => api<ApiKey & { key: string }>('/api/v1/api-keys', { method: 'POST', body: { name: name.trim(), role } }),
    onSuccess: async (k) => {
      setFresh({ name: k.name, key: k.key });
      setCopied(false);
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/api-keys/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard refused (insecure context): select the text so the user can copy it by hand.
      const el = document.querySelector('[data-testid=new-api-key]');
      if (el) window.getSelection()?.selectAllChildren(el);
    }
    setCopied(true);
  }

  return (
    <div>
      {fresh && (
        <div className="card" data-testid="new-key-card">
          <div className="alert alert-warn">{t('settings.keys.shownOnce')}</div>
          <div className="copy-field">
            <code data-testid="new-api-key">{fresh.key}</code>
            <button type="button" className="btn" onClick={() => copy(fresh.key)}>
              {copied ? t('common.copied') : t('common.copy')}
            </button>
            <button type="button" className="btn-primary" onClick={() => setFresh(null)}>
              {t('settings.keys.done')}
            </button>
          </div>
        </div>
      )}
      <form className="toolbar" onSubmit={submit} noValidate>
        <label>
          {t('settings.keys.name')}
          <input name="keyName" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
          <FieldError error={create.error} path="name" />
        </label>
        <label>
          {t('settings.keys.role')}
          <select name="keyRole" value={role} onChange={(e) => setRole(e.target.value)}>
            {['admin', 'marketing', 'sales', 'viewer'].map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn-primary" disabled={create.isPending || !name.trim()}>
          {t('settings.keys.create')}
        </button>
      </form>
      <ProblemAlert error={revoke.error} />
      <div className="table-wrap">
        <table className="table" data-testid="api-keys-table">
          <thead>
            <tr>
              <th>{t('settings.keys.name')}</th>
              <th>{t('settings.keys.role')}</th>
              <th>{t('settings.keys.prefix')}</th>
              <th>{t('settings.keys.createdAt')}</th>
              <th>{t('settings.keys.lastUsed')}</th>
              <th>{t('settings.keys.status')}</th>
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.data?.items.map((k) => (
              <tr key={k.id} data-key-name={k.name}>
                <td>{k.name}</td>
                <td>{t(`role.${k.role}`)}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td className="nowrap">{formatDateTime(k.createdAt, i18n.language)}</td>
                <td className="nowrap">{k.lastUsedAt ? formatDateTime(k.lastUsedAt, i18n.language) : t('settings.keys.never')}</td>
                <td>
                  <span className={`badge ${k.revokedAt ? 'badge-muted' : 'badge-success'}`}>
                    {k.revokedAt ? t('settings.keys.revoked') : t('settings.keys.active')}
                  </span>
                </td>
                <td>
                  {!k.revokedAt && (
                    <button
                      type="button"
                      className="btn btn-sm btn-danger"
                      onClick={() => window.confirm(t('settings.keys.confirmRevoke', { name: k.name })) && revoke.mutate(k.id)}
                    >
                      {t('settings.keys.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
