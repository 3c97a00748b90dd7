import { useQuery } from '@tanstack/react-query';
import { api } from '../../app/api.ts';
import type { Page, User } from './types.ts';

/** The workspace's users (owners), cached for the session. */
export function useUsers() {
  return useQuery({ queryKey: ['users'], queryFn: () => api<Page<User>>('/api/v1/users'), staleTime: 60_000 });
}

export function useUserName() {
  const users = useUsers();
  const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u.name || u.email]));
  return (id: string | null | undefined) => (id ? (byId.get(id) ?? '') : '');
}
