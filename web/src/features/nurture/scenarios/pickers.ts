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

const byName = (x: Record<string, unknown>) => String(x.name ?? x.id);
const byUser = (x: Record<string, unknown>) => (x.name ? `${x.name} <${x.email}>` : String(x.email));

function useOptions(key: string, path: string, label: (x: Record<string, unknown>) => string): Option[] {
  return (
    useQuery({ queryKey: ['scenario-pickers', key], queryFn: () => options(path, label), staleTime: 30_000 })
      .data ?? []
  );
}

/** The lists the builder picks from: templates, segments, forms, campaigns, users. */
export function usePickers(): Pickers {
  const templates = useOptions('templates', '/api/v1/email-templates?limit=500', byName);
  const segments = useOptions('segments', '/api/v1/segments?limit=500', byName);
  const forms = useOptions('forms', '/api/v1/forms?limit=500', byName);
  const campaigns = useOptions('campaigns', '/api/v1/campaigns', byName);
  const users = useOptions('users', '/api/v1/users', byUser);
  return { templates, segments, forms, campaigns, users };
}
