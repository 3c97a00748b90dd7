import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api.ts';
import { signIn } from './session.tsx';

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const s = await signIn(email, password);
      // The shell reads the session from this cache: fill it, or a stale "signed out" answer sends us back here.
      queryClient.clear();
      queryClient.setQueryData(['session'], { user: s.user, role: s.user.role, csrfToken: s.csrfToken });
      const next = new URLSearchParams(window.location.search).get('next');
      await navigate({ to: next && next.startsWith('/') ? next : '/' });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('login.rateLimited') : t('login.failed'));
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} className="card login-card" aria-label={t('login.title')}>
        <h1>{t('app.name')}</h1>
        <label>
          {t('login.email')}
          <input name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" className="btn-primary">{t('login.submit')}</button>
      </form>
    </main>
  );
}
