import { cleanText } from '../../people/normalize.ts';
import type { Queryable } from '../../platform/db/client.ts';
import { invalid } from '../../platform/errors.ts';

export const MEMBER_STATUSES = ['member', 'invited', 'registered', 'attended', 'no_show'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A campaign's channel guessed from its name: "展示会 2026秋" is a trade show, "ウェビナー…" a webinar. */
export function guessChannel(name: string): string {
  const s = name.normalize('NFKC').toLowerCase();
  if (/ウェビナー|webinar|オンラインセミナー/.test(s)) return 'webinar';
  if (/セミナー|seminar|勉強会|カンファレンス|conference/.test(s)) return 'seminar';
  if (/名刺|business ?card/.test(s)) return 'business_card';
  if (/資料|ホワイトペーパー|whitepaper|download/.test(s)) return 'document_request';
  if (/テレアポ|telemarketing/.test(s)) return 'telemarketing';
  return 'tradeshow';
}

export interface CampaignRef {
  id: string;
  name: string;
  channel: string;
}

/**
 * The campaign an import joins, by id or by name. A name that does not exist yet creates the
 * campaign (unless `create` is false, e.g. for a dry run, which then answers null).
 */
export async function resolveCampaign(
  q: Queryable,
  ws: number,
  ref: string,
  opts: { create: boolean; channel?: string | null },
): Promise<CampaignRef | null> {
  const value = cleanText(ref);
  if (!value) throw invalid('campaign', 'must not be empty');
  if (UUID_RE.test(value)) {
    const r = await q.query<CampaignRef>(
      'SELECT id, name, channel FROM campaigns WHERE workspace_id = $1 AND id = $2',
      [ws, value],
    );
    if (!r.rows[0]) throw invalid('campaign', `no campaign with id ${value}`);
    return r.rows[0];
  }
  if (value.length > 200) throw invalid('campaign', 'a campaign name has at most 200 characters');
  const found = await q.query<CampaignRef>(
    'SELECT id, name, channel FROM campaigns WHERE workspace_id = $1 AND name = $2',
    [ws, value],
  );
  if (found.rows[0]) return found.rows[0];
  if (!opts.create) return null;
  await q.query(
    `INSERT INTO campaigns (workspace_id, name, channel) VALUES ($1, $2, $3) ON CONFLICT (workspace_id, name) DO NOTHING`,
    [ws, value, opts.channel ?? guessChannel(value)],
  );
  const r = await q.query<CampaignRef>(
    'SELECT id, name, channel FROM campaigns WHERE workspace_id = $1 AND name = $2',
    [ws, value],
  );
  return r.rows[0];
}
