import type { Queryable } from '../platform/db/client.ts';
import { emailDomain, isFreeMailDomain, normalizeCompanyName } from './normalize.ts';

export interface Account {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employeeCount: number | null;
  prefecture: string | null;
  ownerId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AccountRow {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employee_count: number | null;
  prefecture: string | null;
  owner_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const ACCOUNT_COLUMNS = 'id, name, domain, industry, employee_count, prefecture, owner_id, created_at, updated_at';

export const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  name: r.name,
  domain: r.domain,
  industry: r.industry,
  employeeCount: r.employee_count,
  prefecture: r.prefecture,
  ownerId: r.owner_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface AccountHint {
  company?: string | null;
  industry?: string | null;
  employeeCount?: number | null;
  prefecture?: string | null;
}

/**
 * Finds or creates the account of a business e-mail domain; free-mail and carrier domains
 * (gmail.com, yahoo.co.jp, docomo.ne.jp…) never make an account. Without a domain match, a
 * person with a company name joins an existing account of the same normalised name.
 */
export async function resolveAccount(
  q: Queryable,
  workspaceId: number,
  email: string,
  hint: AccountHint,
): Promise<string | null> {
  const domain = emailDomain(email);
  if (!isFreeMailDomain(domain)) {
    const name = hint.company ?? domain;
    const r = await q.query<{ id: string }>(
      `INSERT INTO accounts (workspace_id, name, name_normalized, domain, industry, employee_count, prefecture)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (workspace_id, domain) WHERE domain IS NOT NULL
       DO UPDATE SET
         name = CASE WHEN accounts.name = accounts.domain AND $8 THEN EXCLUDED.name ELSE accounts.name END,
         name_normalized = CASE WHEN accounts.name = accounts.domain AND $8 THEN EXCLUDED.name_normalized
                                ELSE accounts.name_normalized END,
         industry = coalesce(accounts.industry, EXCLUDED.industry),
         employee_count = coalesce(accounts.employee_count, EXCLUDED.employee_count),
         prefecture = coalesce(accounts.prefecture, EXCLUDED.prefecture)
       RETURNING id`,
      [
        workspaceId,
        name,
        normalizeCompanyName(name),
        domain,
        hint.industry ?? null,
        hint.employeeCount ?? null,
        hint.prefecture ?? null,
        Boolean(hint.company),
      ],
    );
    return r.rows[0].id;
  }
  if (hint.company) {
    // accounts_name_idx
    const r = await q.query<{ id: string }>(
      'SELECT id FROM accounts WHERE workspace_id = $1 AND name_normalized = $2 ORDER BY created_at LIMIT 1',
      [workspaceId, normalizeCompanyName(hint.company)],
    );
    return r.rows[0]?.id ?? null;
  }
  return null;
}
