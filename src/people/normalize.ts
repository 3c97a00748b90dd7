import emailProviders from 'email-providers/all.json' with { type: 'json' };

const EMAIL_RE = /^[^\s@"<>(),;:\\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * NFKC (so full-width ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ matches), trimmed, lower-cased.
 * Returns undefined for anything that is not a plausible address.
 */
export function normalizeEmail(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.normalize('NFKC').trim().toLowerCase().replace(/^mailto:/, '');
  if (s.length > 254 || !EMAIL_RE.test(s)) return undefined;
  return s;
}

/** Full-width digits and symbols to half-width; keeps digits, +, -, (, ) and spaces. */
export function normalizePhone(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw
    .normalize('NFKC')
    .replace(/[‐‑‒–—―ー−]/g, '-')
    .replace(/[^\d+\-() ]/g, '')
    .trim();
  return s.length > 0 ? s : undefined;
}

/** Half-width katakana to full-width, and trimmed; other characters (髙, ①) are kept as they are. */
export function normalizeKana(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.replace(/[\uff61-\uff9f]+/g, (m) => m.normalize('NFKC')).trim();
  return s.length > 0 ? s : undefined;
}

/** Trims, collapses inner white space (including the ideographic space), and turns '' into undefined. */
export function cleanText(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const s = String(raw).replace(/[\s\u3000]+/g, ' ').trim();
  return s.length > 0 ? s : undefined;
}

const FREE_MAIL = new Set<string>(emailProviders as string[]);
// Japanese carrier and ISP domains that e-mail-providers may not list.
for (const d of ['au.com', 'ezweb.ne.jp', 'docomo.ne.jp', 'softbank.ne.jp', 'i.softbank.jp', 'ymobile.ne.jp'])
  FREE_MAIL.add(d);

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}

/** True for free-mail and mobile-carrier domains, which never identify a company. */
export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL.has(domain.toLowerCase());
}

/**
 * A company name reduced for matching: NFKC (㈱ → (株)), legal-form words removed
 * (株式会社, (株), 有限会社, Inc., Co., Ltd. …), spaces dropped, lower-cased.
 */
export function normalizeCompanyName(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/株式会社|有限会社|合同会社|合名会社|合資会社|一般社団法人|一般財団法人|\(株\)|\(有\)|\(同\)/g, '')
    .replace(/\b(inc|corp|corporation|co|ltd|llc|limited|kk|k\.k)\b\.?/gi, '')
    .replace(/[\s,.・]/g, '')
    .toLowerCase();
}
