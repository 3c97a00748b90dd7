import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { Queryable } from '../../platform/db/client.ts';

/**
 * The sender identity every marketing mail shows (特定電子メール法: the sender's name, a postal
 * address and a contact point), and the delivery policy. Stored in `settings` under `mail`.
 */
export const mailSettingsSchema = z.object({
  /** The organisation named as the sender in the footer and the From display name. */
  senderName: z.string().trim().min(1).max(200),
  /** The From address; empty: LEADFLOW_MAIL_FROM. */
  fromEmail: z.email().max(254).or(z.literal('')).default(''),
  replyTo: z.email().max(254).or(z.literal('')).default(''),
  /** The sender's postal address (shown in every marketing mail). */
  postalAddress: z.string().trim().max(500).default(''),
  /** A contact point for the recipient: a phone number, an address or a URL. */
  contact: z.string().trim().max(300).default(''),
  /** How many messages per second are handed to SMTP, across all workers. (Default: 10) */
  ratePerSecond: z.number().int().min(1).max(1000).default(10),
  /** Marketing mail only to people who consented (opt-in, as Japanese law expects). (Default: true) */
  requireConsent: z.boolean().default(true),
});

export type MailSettings = z.infer<typeof mailSettingsSchema>;

/** The display name and address in LEADFLOW_MAIL_FROM (`Name <addr>` or a bare address). */
export function parseMailbox(from: string): { name: string; address: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  if (m) return { name: m[1].trim(), address: m[2].trim() };
  return { name: '', address: from.trim() };
}

export function defaultMailSettings(config: Pick<Config, 'mailFrom'>): MailSettings {
  const from = parseMailbox(config.mailFrom);
  return {
    senderName: from.name || 'Leadflow',
    fromEmail: '',
    replyTo: '',
    postalAddress: '',
    contact: '',
    ratePerSecond: 10,
    requireConsent: true,
  };
}

export async function getMailSettings(
  q: Queryable,
  workspaceId: number,
  config: Pick<Config, 'mailFrom'>,
): Promise<MailSettings> {
  const r = await q.query<{ value: unknown }>(
    `SELECT value FROM settings WHERE workspace_id = $1 AND key = 'mail'`,
    [workspaceId],
  );
  const defaults = defaultMailSettings(config);
  if (!r.rows[0]) return defaults;
  const parsed = mailSettingsSchema.safeParse({ ...defaults, ...(r.rows[0].value as object) });
  return parsed.success ? parsed.data : defaults;
}

export async function saveMailSettings(
  q: Queryable,
  workspaceId: number,
  value: MailSettings,
): Promise<void> {
  await q.query(
    `INSERT INTO settings (workspace_id, key, value) VALUES ($1, 'mail', $2)
     ON CONFLICT (workspace_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [workspaceId, JSON.stringify(value)],
  );
}

/** The From header: the sender name with the configured (or default) address. */
export function fromHeader(
  settings: MailSettings,
  config: Pick<Config, 'mailFrom'>,
): { name: string; address: string } {
  const fallback = parseMailbox(config.mailFrom);
  return { name: settings.senderName, address: settings.fromEmail || fallback.address };
}
