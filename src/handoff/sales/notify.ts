import type { Queryable } from '../../platform/db/client.ts';
import type { AppContext } from '../../platform/http/context.ts';
import { escapeHtml, type Locale } from '../../platform/i18n.ts';
import { queueMail } from '../../platform/mail.ts';
import type { HandoffPackage } from './package.ts';

export interface Recipient {
  id: string;
  email: string;
  name: string;
  locale: string | null;
}

const localeOf = (r: Recipient): Locale => (r.locale?.toLowerCase().startsWith('en') ? 'en' : 'ja');

const TEXT = {
  ja: {
    assignedSubject: '【Leadflow】リードが割り当てられました: {who}',
    assignedIntro:
      '{name} さん、新しいリードの担当になりました。内容を確認し、期限までに受け入れるか理由を添えて差し戻してください。',
    due: '対応期限',
    name: '氏名',
    contact: '連絡先',
    company: '会社',
    title: '役職',
    source: '獲得経路',
    score: 'スコア',
    why: 'スコアの理由',
    campaigns: '参加したキャンペーン・イベント',
    content: '閲覧したコンテンツ',
    emails: 'メール',
    emailStats: '開封 {opened} 件・クリック {clicked} 件',
    account: '同じ会社の他の方',
    open: 'リードを開く',
    inbox: '受け入れ待ち一覧',
    none: 'なし',
    escalatedSubject: '【Leadflow】SLA超過: {who} が未対応です',
    escalatedIntro: '{name} さん、担当 {owner} のリードが受け入れ期限を過ぎても未対応です。',
    unassigned: '（未割り当て）',
  },
  en: {
    assignedSubject: '[Leadflow] Lead assigned to you: {who}',
    assignedIntro:
      '{name}, a new lead is yours. Review it and accept it, or send it back with a reason, before the due time.',
    due: 'Due',
    name: 'Name',
    contact: 'Contact',
    company: 'Company',
    title: 'Title',
    source: 'Acquired via',
    score: 'Score',
    why: 'Why it scored',
    campaigns: 'Campaigns and events',
    content: 'Content read',
    emails: 'E-mails',
    emailStats: '{opened} opened, {clicked} clicked',
    account: 'Others at the same company',
    open: 'Open the lead',
    inbox: 'Leads awaiting acceptance',
    none: 'none',
    escalatedSubject: '[Leadflow] SLA breached: {who} is waiting',
    escalatedIntro: '{name}, a lead owned by {owner} has passed its acceptance deadline untouched.',
    unassigned: '(unassigned)',
  },
} as const;

type Key = keyof (typeof TEXT)['ja'];

function t(locale: Locale, key: Key, vars: Record<string, string | number> = {}): string {
  return TEXT[locale][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

function formatDate(d: Date | null, locale: Locale): string {
  if (!d) return '—';
  return new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Tokyo',
  }).format(d);
}

/** Lead-supplied values never break a header line. */
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').slice(0, 200);

const whoOf = (pkg: HandoffPackage) => [pkg.person.company, pkg.person.name].filter(Boolean).join(' ');

/** The package as (label, value) lines; values are lead-supplied and escaped by the renderer. */
function lines(pkg: HandoffPackage, locale: Locale): [string, string][] {
  const none = t(locale, 'none');
  const s = pkg.score;
  return [
    [t(locale, 'name'), pkg.person.name],
    [t(locale, 'contact'), [pkg.person.email, pkg.person.phone].filter(Boolean).join(' / ')],
    [t(locale, 'company'), [pkg.person.company, pkg.person.department].filter(Boolean).join(' ') || none],
    [t(locale, 'title'), pkg.person.title ?? none],
    [
      t(locale, 'source'),
      [pkg.acquisition.channel, pkg.acquisition.source, pkg.acquisition.firstTouch?.title]
        .filter(Boolean)
        .join(' / ') || none,
    ],
    [t(locale, 'score'), s.ruleSetVersion === null ? none : `${s.fitGrade ?? '-'} / ${s.engagementScore}`],
    [t(locale, 'why'), s.summary.join(', ') || none],
    [
      t(locale, 'campaigns'),
      pkg.campaigns
        .map((c) => c.name)
        .slice(0, 5)
        .join(', ') || none,
    ],
    [
      t(locale, 'content'),
      pkg.content.downloads
        .map((d) => d.title ?? d.url ?? '')
        .filter(Boolean)
        .slice(0, 5)
        .join(', ') || none,
    ],
    [
      t(locale, 'emails'),
      t(locale, 'emailStats', { opened: pkg.emails.opened, clicked: pkg.emails.clicked }),
    ],
    [
      t(locale, 'account'),
      pkg.accountPeople
        .slice(0, 5)
        .map((o) => [o.name, o.title].filter(Boolean).join(' '))
        .join(', ') || none,
    ],
  ];
}

function render(
  intro: string,
  rows: [string, string][],
  links: [string, string][],
): { html: string; text: string } {
  const html =
    `<!doctype html><html><body style="font-family:sans-serif;color:#1f2933">` +
    `<p>${escapeHtml(intro)}</p><table cellpadding="4" style="border-collapse:collapse">` +
    rows
      .map(
        ([k, v]) =>
          `<tr><th align="left" style="color:#616e7c">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
      )
      .join('') +
    `</table><p>` +
    links.map(([label, href]) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`).join(' · ') +
    `</p></body></html>`;
  const text = [
    intro,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    ...links.map(([label, href]) => `${label}: ${href}`),
  ].join('\n');
  return { html, text };
}

/** Tells the new owner about the lead, once per assignment (the assignment id is the idempotency key). */
export async function mailAssignment(
  q: Queryable,
  ctx: Pick<AppContext, 'config'>,
  workspaceId: number,
  assignmentId: number,
  owner: Recipient,
  pkg: HandoffPackage,
): Promise<void> {
  const locale = localeOf(owner);
  const base = ctx.config.publicUrl.replace(/\/$/, '');
  const due =
    pkg.handoff?.status === 'awaiting'
      ? ([[t(locale, 'due'), formatDate(pkg.handoff.dueAt, locale)]] as [string, string][])
      : [];
  const { html, text } = render(
    t(locale, 'assignedIntro', { name: owner.name || owner.email }),
    [...due, ...lines(pkg, locale)],
    [
      [t(locale, 'open'), `${base}/people/${pkg.person.id}`],
      [t(locale, 'inbox'), `${base}/handoff`],
    ],
  );
  await queueMail(q, ctx, workspaceId, {
    idempotencyKey: `handoff:assigned:${assignmentId}`,
    to: owner.email,
    subject: oneLine(t(locale, 'assignedSubject', { who: whoOf(pkg) })),
    html,
    text,
    personId: pkg.person.id,
    kind: 'notification',
    meta: { handoff: 'assigned', assignmentId },
  });
}

/** Tells a manager that a handoff breached its SLA, once per handoff and manager. */
export async function mailEscalation(
  q: Queryable,
  ctx: Pick<AppContext, 'config'>,
  workspaceId: number,
  handoffId: number,
  manager: Recipient,
  ownerName: string | null,
  pkg: HandoffPackage,
): Promise<void> {
  const locale = localeOf(manager);
  const base = ctx.config.publicUrl.replace(/\/$/, '');
  const { html, text } = render(
    t(locale, 'escalatedIntro', {
      name: manager.name || manager.email,
      owner: ownerName ?? t(locale, 'unassigned'),
    }),
    [[t(locale, 'due'), formatDate(pkg.handoff?.dueAt ?? null, locale)], ...lines(pkg, locale)],
    [
      [t(locale, 'open'), `${base}/people/${pkg.person.id}`],
      [t(locale, 'inbox'), `${base}/handoff`],
    ],
  );
  await queueMail(q, ctx, workspaceId, {
    idempotencyKey: `handoff:escalated:${handoffId}:${manager.id}`,
    to: manager.email,
    subject: oneLine(t(locale, 'escalatedSubject', { who: whoOf(pkg) })),
    html,
    text,
    personId: pkg.person.id,
    kind: 'notification',
    meta: { handoff: 'escalated', handoffId },
  });
}
