import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { WEB_FEATURES } from '../features/index.ts';
import { setLanguage } from './i18n.ts';
import { signOut, useSession } from './session.tsx';

const NAV = WEB_FEATURES.flatMap((f) => f.nav ?? []).sort((a, b) => a.order - b.order);

/** The signed-in layout: navigation, language switch, sign-out, and the page. */
export function Shell() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  useEffect(() => {
    if (session.data === null) {
      const next = window.location.pathname + window.location.search;
      void navigate({ to: '/login', search: { next } as never });
    }
  }, [session.data, navigate]);

  if (session.isLoading || !session.data) return <p className="loading">{t('common.loading')}</p>;
  const role = session.data.role;

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="main">
        <div className="brand">{t('app.name')}</div>
        {NAV.filter((n) => !n.roles || n.roles.includes(role)).map((n) => (
          <Link key={n.to} to={n.to} activeProps={{ className: 'active' }} activeOptions={{ exact: n.to === '/' }}>
            {t(n.label)}
          </Link>
        ))}
        <div className="sidebar-footer">
          <span className="who">{session.data.user?.name ?? role}</span>
          <select
            aria-label={t('shell.language')}
            value={i18n.language}
            onChange={(e) => setLanguage(e.target.value as 'ja' | 'en')}
          >
            <option value="ja">日本語</option>
            <option value="en">English</option>
          </select>
          <button
            type="button"
            className="link"
            onClick={async () => {
              await signOut();
              queryClient.clear();
              await navigate({ to: '/login' });
            }}
          >
            {t('shell.logout')}
          </button>
        </div>
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
