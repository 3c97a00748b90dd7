import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { WEB_FEATURES } from '../features/index.ts';
import { ApiError } from './api.ts';
import { setLanguage } from './i18n.ts';
import { signOut, useSession } from './session.tsx';

const NAV = WEB_FEATURES.flatMap((f) => f.nav ?? []).sort((a, b) => a.order - b.order);

/** The signed-in layout around a routed page. */
export function Shell() {
  return (
    <ShellLayout>
      <Outlet />
    </ShellLayout>
  );
}

/** Navigation (role-aware), header with the user, role, language switch and sign-out, and the page. */
export function ShellLayout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  // A request refused with 401 means the session ended (expired, signed out elsewhere, user deactivated).
  useEffect(
    () =>
      queryClient.getQueryCache().subscribe((event) => {
        const error = event.type === 'updated' && event.action.type === 'error' ? event.action.error : null;
        if (error instanceof ApiError && error.status === 401 && event.query.queryKey[0] !== 'session') {
          void queryClient.invalidateQueries({ queryKey: ['session'] });
        }
      }),
    [queryClient],
  );

  useEffect(() => {
    if (session.data === null) {
      const next = window.location.pathname + window.location.search;
      void navigate({ to: '/login', search: { next } as never });
    }
  }, [session.data, navigate]);

  if (session.isError) return <p className="loading error">{t('common.error')}</p>;
  if (session.isLoading || !session.data) return <p className="loading">{t('common.loading')}</p>;
  const { role, user } = session.data;

  return (
    <div className="shell">
      <nav className="sidebar" aria-label={t('shell.mainNav')}>
        <div className="brand">{t('app.name')}</div>
        {NAV.filter((n) => !n.roles || n.roles.includes(role)).map((n) => (
          <Link key={n.to} to={n.to} activeProps={{ className: 'active' }} activeOptions={{ exact: n.to === '/' }}>
            {t(n.label)}
          </Link>
        ))}
        <div className="sidebar-footer">Leadflow</div>
      </nav>
      <div className="main">
        <header className="topbar">
          <span className="who" data-testid="current-user">
            {user?.name || user?.email}
          </span>
          <span className="badge badge-muted" data-testid="current-role">
            {t(`role.${role}`)}
          </span>
          <select aria-label={t('shell.language')} value={i18n.language} onChange={(e) => setLanguage(e.target.value as 'ja' | 'en')}>
            <option value="ja">日本語</option>
            <option value="en">English</option>
          </select>
          <button
            type="button"
            className="btn btn-sm"
            onClick={async () => {
              await signOut();
              queryClient.clear();
              await navigate({ to: '/login' });
            }}
          >
            {t('shell.logout')}
          </button>
        </header>
        <main className="content">{children}</main>
      </div>
    </div>
  );
}

/** Shown for any path no feature claims, inside the shell. */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="page not-found" data-testid="not-found">
      <div className="code">404</div>
      <h1>{t('shell.notFound.title')}</h1>
      <p className="muted">{t('shell.notFound.text')}</p>
      <Link to="/" className="btn btn-primary">
        {t('shell.notFound.home')}
      </Link>
    </div>
  );
}

export function ShellNotFound() {
  return (
    <ShellLayout>
      <NotFoundPage />
    </ShellLayout>
  );
}
