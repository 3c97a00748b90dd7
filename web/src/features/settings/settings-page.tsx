import { useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../../app/i18n.ts';
import { useCan, useSession } from '../../app/session.tsx';
import { useAppNavigate } from '../../app/ui.tsx';
import { ApiKeysTab } from './api-keys-tab.tsx';
import { AuditTab } from './audit-tab.tsx';
import { UsersTab } from './users-tab.tsx';

/** `/settings?tab=…`: language for everyone; users, API keys and the audit log for those allowed. */
export function SettingsPage() {
  const { t } = useTranslation();
  const search = useSearch({ strict: false }) as { tab?: string };
  const navigate = useAppNavigate();
  const tabs = [
    { id: 'general', show: true },
    { id: 'users', show: useCan('users:list') },
    { id: 'apiKeys', show: useCan('api-keys:manage') },
    { id: 'audit', show: useCan('audit:read') },
  ].filter((x) => x.show);
  const active = tabs.find((x) => x.id === search.tab)?.id ?? 'general';
  return (
    <div className="page" data-testid="settings">
      <div className="page-header">
        <h1>{t('settings.title')}</h1>
      </div>
      <div className="tabs" role="tablist">
        {tabs.map((x) => (
          <button
            key={x.id}
            type="button"
            role="tab"
            className="tab"
            aria-selected={x.id === active}
            onClick={() => navigate('/settings', x.id === 'general' ? {} : { tab: x.id }, { replace: true })}
          >
            {t(`settings.tab.${x.id}`)}
          </button>
        ))}
      </div>
      {active === 'general' && <GeneralTab />}
      {active === 'users' && <UsersTab />}
      {active === 'apiKeys' && <ApiKeysTab />}
      {active === 'audit' && <AuditTab />}
    </div>
  );
}

function GeneralTab() {
  const { t, i18n } = useTranslation();
  const session = useSession().data;
  return (
    <div className="grid-2">
      <section className="card">
        <h2>{t('settings.language.title')}</h2>
        <div className="row" role="radiogroup" aria-label={t('settings.language.title')}>
          {(['ja', 'en'] as const).map((lang) => (
            <label className="inline" key={lang}>
              <input type="radio" name="language" value={lang} checked={i18n.language === lang} onChange={() => setLanguage(lang)} />
              {lang === 'ja' ? '日本語' : 'English'}
            </label>
          ))}
        </div>
        <p className="muted">{t('settings.language.help')}</p>
      </section>
      <section className="card">
        <h2>{t('settings.profile.title')}</h2>
        <dl className="kv">
          <dt>{t('settings.users.name')}</dt>
          <dd>{session?.user?.name}</dd>
          <dt>{t('settings.users.email')}</dt>
          <dd>{session?.user?.email}</dd>
          <dt>{t('settings.users.role')}</dt>
          <dd>{session ? t(`role.${session.role}`) : ''}</dd>
        </dl>
      </section>
    </div>
  );
}
