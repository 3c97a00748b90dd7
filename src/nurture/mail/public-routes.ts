import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  identifyVisitor,
  signIdentityToken,
  VISITOR_ID_RE,
  withIdentityToken,
} from '../../capture/identify.ts';
import type { App, AppContext } from '../../platform/http/context.ts';
import { escapeHtml, type Locale, pickLocale } from '../../platform/i18n.ts';
import { recordClick, recordOpen, unsubscribePerson } from './events.ts';
import { getMailSettings } from './settings.ts';
import { readClickToken, readOpenToken, readUnsubscribeToken } from './tokens.ts';

const params = z.object({ token: z.string().min(10).max(4000) });

// A transparent 1×1 GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const M = {
  ja: {
    title: 'メール配信停止',
    confirm: '{email} 宛のメール配信を停止します。',
    button: '配信を停止する',
    done: '配信を停止しました',
    doneBody: '{email} 宛のメールは今後お送りしません。',
    already: 'すでに配信停止済みです',
    invalid: 'このリンクは無効です',
    invalidBody: 'リンクが途中で切れていないかご確認ください。',
    sender: '送信者',
    contact: 'お問い合わせ',
  },
  en: {
    title: 'Unsubscribe',
    confirm: 'Stop e-mails to {email}.',
    button: 'Unsubscribe',
    done: 'You have been unsubscribed',
    doneBody: 'We will not send e-mails to {email} again.',
    already: 'You are already unsubscribed',
    invalid: 'This link is not valid',
    invalidBody: 'Please check that the whole link was copied.',
    sender: 'Sender',
    contact: 'Contact',
  },
} as const;

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;background:#f5f6f8;color:#1f2933;margin:0}
main{max-width:480px;margin:64px auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:20px;margin:0 0 16px}button{background:#2563eb;color:#fff;border:0;border-radius:6px;padding:10px 20px;font-size:16px;cursor:pointer}
.muted{color:#6b7280;font-size:13px;margin-top:24px}</style></head><body><main>${body}</main></body></html>`;
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .send(body);

const localeOf = (request: FastifyRequest): Locale => pickLocale(request.headers['accept-language']);

async function senderLines(ctx: AppContext, workspaceId: number, locale: Locale): Promise<string> {
  const s = await getMailSettings(ctx.db, workspaceId, ctx.config);
  const m = M[locale];
  const lines = [`${m.sender}: ${s.senderName}${s.postalAddress ? ` / ${s.postalAddress}` : ''}`];
  if (s.contact) lines.push(`${m.contact}: ${s.contact}`);
  return `<p class="muted">${lines.map(escapeHtml).join('<br>')}</p>`;
}

function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 2)}${'*'.repeat(Math.max(1, Math.min(6, local.length - 2)))}@${domain ?? ''}`;
}

/** The person an unsubscribe token speaks for: the recipient of the message it was made for. */
async function recipientOf(
  ctx: AppContext,
  token: string,
): Promise<{ workspaceId: number; personId: string; messageId: string } | undefined> {
  const messageId = readUnsubscribeToken(ctx, token);
  if (!messageId) return undefined;
  const r = await ctx.db.query<{ workspace_id: number; person_id: string | null }>(
    'SELECT workspace_id, person_id FROM mail_messages WHERE id = $1',
    [messageId],
  );
  const row = r.rows[0];
  return row?.person_id ? { workspaceId: row.workspace_id, personId: row.person_id, messageId } : undefined;
}

/** Open pixel, click redirect, unsubscribe page and RFC 8058 one-click: public, authenticated by signed tokens. */
export async function mailPublicRoutes(app: App, ctx: AppContext) {
  app.get(
    '/e/o/:token',
    {
      config: { public: true },
      schema: { tags: ['emails'], summary: 'E-mail open pixel (a 1×1 GIF)', params },
    },
    async (request, reply) => {
      const messageId = readOpenToken(ctx, request.params.token);
      if (messageId) await ctx.db.transaction((tx) => recordOpen(tx, messageId, ctx.clock.now()));
      return reply.code(200).type('image/gif').header('cache-control', 'no-store, max-age=0').send(PIXEL);
    },
  );

  app.get(
    '/e/c/:token',
    {
      config: { public: true },
      schema: {
        tags: ['emails'],
        summary: 'Tracked e-mail link: records the click and redirects to the link in the mail',
        params,
      },
    },
    async (request, reply) => {
      const t = readClickToken(ctx, request.params.token);
      const link = t
        ? await ctx.db.query<{ url: string | null }>(
            `SELECT meta->'links'->>($2::int) AS url FROM mail_messages WHERE id = $1`,
            [t.messageId, t.link],
          )
        : undefined;
      const url = link?.rows[0]?.url;
      if (!t || !url || !/^https?:\/\//i.test(url)) {
        const locale = localeOf(request);
        return html(
          reply,
          404,
          page(
            locale,
            M[locale].invalid,
            `<h1>${escapeHtml(M[locale].invalid)}</h1><p>${escapeHtml(M[locale].invalidBody)}</p>`,
          ),
        );
      }
      const now = ctx.clock.now();
      const visitor = request.cookies?._lfvid;
      const who = await ctx.db.transaction(async (tx) => {
        const r = await recordClick(tx, t.messageId, url, now);
        if (r?.personId && visitor && VISITOR_ID_RE.test(visitor))
          await identifyVisitor(tx, r.workspaceId, visitor, r.personId);
        return r;
      });
      // The destination is exactly the link from the mail, with the tracker's identity token added.
      const target = who?.personId
        ? withIdentityToken(url, signIdentityToken(ctx.secret, who.workspaceId, who.personId, now))
        : url;
      return reply
        .code(302)
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .redirect(target);
    },
  );

  app.get(
    '/u/:token',
    {
      config: { public: true },
      schema: { tags: ['emails'], summary: 'Unsubscribe page (one button, no login)', params },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const m = M[locale];
      const t = await recipientOf(ctx, request.params.token);
      const person = t
        ? await ctx.db.query<{ email: string; unsubscribed_at: Date | null }>(
            'SELECT email, unsubscribed_at FROM people WHERE workspace_id = $1 AND id = $2',
            [t.workspaceId, t.personId],
          )
        : undefined;
      const p = person?.rows[0];
      if (!t || !p)
        return html(
          reply,
          404,
          page(locale, m.invalid, `<h1>${escapeHtml(m.invalid)}</h1><p>${escapeHtml(m.invalidBody)}</p>`),
        );
      const footer = await senderLines(ctx, t.workspaceId, locale);
      const email = maskEmail(p.email);
      if (p.unsubscribed_at)
        return html(reply, 200, page(locale, m.title, `<h1>${escapeHtml(m.already)}</h1>${footer}`));
      return html(
        reply,
        200,
        page(
          locale,
          m.title,
          `<h1>${escapeHtml(m.title)}</h1><p>${escapeHtml(m.confirm.replace('{email}', email))}</p>
<form method="post" action="/u/${escapeHtml(request.params.token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(m.button)}</button></form>${footer}`,
        ),
      );
    },
  );

  app.post(
    '/u/:token',
    {
      config: { public: true },
      schema: {
        tags: ['emails'],
        summary: 'RFC 8058 one-click unsubscribe (List-Unsubscribe=One-Click): unsubscribes at once',
        params,
      },
    },
    async (request, reply) => {
      const locale = localeOf(request);
      const m = M[locale];
      const t = await recipientOf(ctx, request.params.token);
      if (!t) return html(reply, 404, page(locale, m.invalid, `<h1>${escapeHtml(m.invalid)}</h1>`));
      const body = request.body as Record<string, unknown> | undefined;
      const via =
        body && body['List-Unsubscribe'] === 'One-Click' && !request.headers.accept?.includes('text/html')
          ? 'one-click'
          : 'page';
      const r = await ctx.db.transaction((tx) =>
        unsubscribePerson(tx, t.workspaceId, t.personId, {
          messageId: t.messageId,
          via,
          at: ctx.clock.now(),
        }),
      );
      if (r === 'unknown')
        return html(reply, 404, page(locale, m.invalid, `<h1>${escapeHtml(m.invalid)}</h1>`));
      const p = await ctx.db.query<{ email: string }>('SELECT email FROM people WHERE id = $1', [t.personId]);
      const footer = await senderLines(ctx, t.workspaceId, locale);
      return html(
        reply,
        200,
        page(
          locale,
          m.done,
          `<h1>${escapeHtml(m.done)}</h1><p>${escapeHtml(m.doneBody.replace('{email}', maskEmail(p.rows[0]?.email ?? '')))}</p>${footer}`,
        ),
      );
    },
  );
}
