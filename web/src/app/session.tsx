import { useQuery } from '@tanstack/react-query';
import { can, type Permission } from '../../../src/team/permissions.ts';
import { api, ApiError, setCsrfToken } from './api.ts';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'marketing' | 'sales' | 'viewer';
}

interface SessionAnswer {
  user: SessionUser | null;
  role: SessionUser['role'];
  csrfToken: string | null;
}

/** The signed-in user, or null when signed out. */
export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        const s = await api<SessionAnswer>('/api/v1/session');
        setCsrfToken(s.csrfToken);
        return s;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

/**
 * Whether the signed-in role holds a permission, read from the server's own permission table
 * (src/team/permissions.ts) so the UI hides exactly the controls the API would refuse.
 */
export function useCan(permission: Permission): boolean {
  const session = useSession();
  const role = session.data?.role;
  return role ? can(role, permission) : false;
}

export async function signIn(email: string, password: string) {
  const s = await api<{ user: SessionUser; csrfToken: string }>('/api/v1/session', { method: 'POST', body: { email, password } });
  setCsrfToken(s.csrfToken);
  return s;
}

export async function signOut() {
  await api('/api/v1/session', { method: 'DELETE' });
  setCsrfToken(null);
}
