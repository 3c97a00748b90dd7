import { compile } from 'html-to-text';
import juice from 'juice';
import { Liquid, type Template } from 'liquidjs';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { escapeHtml, type Locale } from '../../platform/i18n.ts';

/**
 * Personalisation with LiquidJS. HTML parts render with escaping on, so a lead's
 * `<script>` in a company name arrives as text; the subject and the text part render
 * without HTML escaping (they are not HTML). Only the variables below exist.
 */
const htmlEngine = new Liquid({
  outputEscape: 'escape',
  strictFilters: true,
  ownPropertyOnly: true,
  cache: 200,
});
const textEngine = new Liquid({ strictFilters: true, ownPropertyOnly: true, cache: 200 });

export const TEMPLATE_VARIABLES: Record<string, readonly string[]> = {
  person: [
    'id',
    'email',
    'lastName',
    'firstName',
    'lastNameKana',
    'firstNameKana',
    'company',
    'department',
    'title',
    'phone',
    'industry',
    'employeeCount',
    'prefecture',
    'country',
    'stage',
    'fitGrade',
    'engagementScore',
    'customFields',
  ],
  account: ['name', 'domain', 'industry', 'prefecture', 'employeeCount'],
  owner: ['name', 'email'],
  sender: ['name', 'email', 'postalAddress', 'contact'],
  unsubscribeUrl: [],
};

export interface TemplateParts {
  subject: string;
  preheader?: string | null;
  html: string;
  text?: string | null;
}

export interface RenderVars {
  person: Record<string, unknown>;
  account: Record<string, unknown> | null;
  owner: Record<string, unknown> | null;
  sender: { name: string; email: string; postalAddress: string; contact: string };
  unsubscribeUrl: string;
}

const PART_ENGINES: Record<keyof TemplateParts, Liquid> = {
  subject: textEngine,
  preheader: htmlEngine,
  html: htmlEngine,
  text: textEngine,
};

function checkVariables(engine: Liquid, tpl: Template[], field: string, errors: FieldError[]): void {
  for (const segs of engine.globalVariableSegmentsSync(tpl)) {
    const [root, prop] = segs.map(String);
    const allowed = TEMPLATE_VARIABLES[root];
    const name = segs.map(String).join('.');
    if (!allowed) errors.push({ path: field, message: `unknown variable "${name}"` });
    else if (prop !== undefined && allowed.length && !allowed.includes(prop))
      errors.push({ path: field, message: `unknown variable "${name}"` });
    else if (prop !== undefined && !allowed.length)
      errors.push({ path: field, message: `"${root}" has no property "${prop}"` });
  }
}

/**
 * Checks every part at save time: Liquid syntax, unknown filters, unknown variables and the
 * `raw` filter (which would turn escaping off for lead values). Throws a 422 naming the part.
 */
export function validateTemplateParts(parts: TemplateParts): void {
  const errors: FieldError[] = [];
  for (const field of ['subject', 'preheader', 'html', 'text'] as const) {
    const source = parts[field];
    if (source == null) continue;
    if (/\|\s*raw\b/.test(source)) {
      errors.push({ path: field, message: 'the raw filter is not allowed: every value is escaped' });
      continue;
    }
    const engine = PART_ENGINES[field];
    try {
      checkVariables(engine, engine.parse(source), field, errors);
    } catch (err) {
      errors.push({
        path: field,
        message: `Liquid syntax error: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  if (parts.subject.includes('\n')) errors.push({ path: 'subject', message: 'must be one line' });
  if (errors.length)
    throw new AppError(
      422,
      'validation',
      'Invalid request',
      `${errors[0].path}: ${errors[0].message}`,
      errors,
    );
}

const FOOTER = {
  ja: {
    intro: 'このメールは {sender} より {email} 様にお送りしています。',
    unsubscribe: '今後のメール配信を希望されない場合は、こちらから配信停止できます',
    unsubscribeLink: '配信停止',
    sender: '送信者',
    address: '住所',
    contact: 'お問い合わせ',
  },
  en: {
    intro: 'This e-mail was sent to {email} by {sender}.',
    unsubscribe: 'If you no longer wish to receive these e-mails, you can unsubscribe here',
    unsubscribeLink: 'Unsubscribe',
    sender: 'Sender',
    address: 'Address',
    contact: 'Contact',
  },
} as const;

/** The sender identity and unsubscribe link appended to every marketing mail (HTML and text). */
export function footer(locale: Locale, vars: RenderVars): { html: string; text: string } {
  const m = FOOTER[locale];
  const intro = m.intro
    .replace('{sender}', vars.sender.name)
    .replace('{email}', String(vars.person.email ?? ''));
  const lines: [string, string][] = [[m.sender, vars.sender.name]];
  if (vars.sender.postalAddress) lines.push([m.address, vars.sender.postalAddress]);
  if (vars.sender.contact) lines.push([m.contact, vars.sender.contact]);
  const html =
    `<div class="lf-footer" style="margin-top:32px;padding-top:16px;border-top:1px solid #ddd;font-size:12px;color:#666;line-height:1.6">` +
    `<p style="margin:0 0 8px">${escapeHtml(intro)}<br>${escapeHtml(m.unsubscribe)}: ` +
    `<a href="${escapeHtml(vars.unsubscribeUrl)}" data-lf-unsubscribe="1" style="color:#666">${escapeHtml(m.unsubscribeLink)}</a></p>` +
    `<p style="margin:0">${lines.map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(v)}`).join('<br>')}</p></div>`;
  const text = [
    '',
    '--',
    intro,
    `${m.unsubscribe}: ${vars.unsubscribeUrl}`,
    ...lines.map(([k, v]) => `${k}: ${v}`),
  ].join('\n');
  return { html, text };
}

function withPreheader(html: string, preheader: string): string {
  if (!preheader) return html;
  const span = `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${preheader}</div>`;
  return /<body[^>]*>/i.test(html) ? html.replace(/<body[^>]*>/i, (b) => `${b}${span}`) : span + html;
}

function withFooter(html: string, footerHtml: string): string {
  return /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footerHtml}</body>`) : html + footerHtml;
}

/** The text part from the HTML, with options compiled once (compiling them took most of each call). */
const htmlToText = compile({ wordwrap: 100, selectors: [{ selector: 'img', format: 'skip' }] });

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Renders a template for one person: Liquid (escaped in HTML), preheader, the footer with the
 * sender and unsubscribe link (marketing), CSS inlined, and a text part generated from the
 * HTML when the template has none.
 */
export async function renderTemplate(
  parts: TemplateParts,
  vars: RenderVars,
  opts: { locale: Locale; marketing: boolean; rewriteLinks?: (html: string) => string },
): Promise<RenderedMail> {
  const scope = vars as unknown as Record<string, unknown>;
  const subject = (await textEngine.parseAndRender(parts.subject, scope)).replace(/\s+/g, ' ').trim();
  const preheader = parts.preheader ? await htmlEngine.parseAndRender(parts.preheader, scope) : '';
  let html = withPreheader(await htmlEngine.parseAndRender(parts.html, scope), preheader);
  const foot = opts.marketing ? footer(opts.locale, vars) : null;
  if (foot) html = withFooter(html, foot.html);
  if (opts.rewriteLinks) html = opts.rewriteLinks(html);
  // Inlining parses and reserialises the whole document (about as long as everything else
  // here): only when there is a style sheet to inline.
  if (/<style[\s>]|<link\b[^>]*stylesheet/i.test(html))
    html = juice(html, { removeStyleTags: true, preserveMediaQueries: true });
  let text = parts.text ? await textEngine.parseAndRender(parts.text, scope) : '';
  if (!parts.text) {
    const body = foot ? html.replace(/<div class="lf-footer"[\s\S]*$/, '') : html;
    text = htmlToText(body);
  }
  if (foot) text = `${text.trimEnd()}\n${foot.text}`;
  return { subject, html, text };
}

/** Sample values for previews and save-time checks when no person is chosen. */
export function sampleVars(sender: RenderVars['sender'], unsubscribeUrl: string): RenderVars {
  return {
    person: {
      email: 'taro.yamada@example.co.jp',
      lastName: '山田',
      firstName: '太郎',
      company: '株式会社サンプル',
      customFields: {},
    },
    account: { name: '株式会社サンプル' },
    owner: null,
    sender,
    unsubscribeUrl,
  };
}
