import { useQuery } from '@tanstack/react-query';
import { api } from '../../../app/api.ts';
import type { Pickers } from './step-form.tsx';
import type { Option } from './types.ts';

async function options(path: string, label: (x: Record<string, unknown>) => string): Promise<Option[]> {
  try {
    const r = await api<{ items: Record<string, unknown>[] }>(path);
    return r.items.map((x) => ({ id: String(x.id), name: label(x) }));
  } catch {
    // A list the role may not read (or a part not installed) offers nothing rather than failing the page.
    return [];
  }
}

/** The lists the builder picks from: templates, segments, forms, campaigns, users. */
export function usePickers(): Pickers {
  const q = (key: string, path: string, label: (x: Record<string, unknown>) => string) =>
    useQuery({ queryKey: ['scenario-pickers', key], queryFn: () => options(path, label), staleTime: 30_000 }).data ?? [];
  const byName = (x: Record<string, unknown>) => String(x.name ?? x.id);
  return {
    templates: q('templates', '/api/v1/email-templates?limit=500', byName),
    segments: q('segments', '/api/v1/segments?limit=500', byName),
    forms: q('forms', '/api/v1/forms?limit=500', byName),
    campaigns: q('campaigns', '/api/v1/campaigns', byName),
    users: q('users', '/api/v1/users', (x) => (x.name ? `${x.name} <${x.email}>` : String(x.email))),
  };
}
