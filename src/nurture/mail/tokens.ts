import type { AppContext } from '../../platform/http/context.ts';
import { signToken, verifyToken } from '../../platform/tokens.ts';
import { fromHeader, type MailSettings } from './settings.ts';

/**
 * Signed, per-message tokens for the public mail endpoints. The purpose is part of the
 * signature, so an open token cannot be replayed as an unsubscribe or a click. Tokens carry
 * only the message id (16 bytes) and, for clicks, the index of the link in the message:
 * short enough for any URL, and the destination can only be a link the message contained.
 */
export const OPEN = 'mail-open';
export const CLICK = 'mail-click';
export const UNSUBSCRIBE = 'mail-unsubscribe';

type TokenCtx = Pick<AppContext, 'config' | 'secret'>;

function packId(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

function unpackId(packed: string): string | undefined {
  const hex = Buffer.from(packed, 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function read(ctx: TokenCtx, purpose: string, token: string): string | undefined {
  const v = verifyToken<unknown>(ctx.secret, purpose, token);
  return typeof v === 'string' ? v : undefined;
}

export function openPixelUrl(ctx: TokenCtx, messageId: string): string {
  return `${ctx.config.publicUrl}/e/o/${signToken(ctx.secret, OPEN, packId(messageId))}`;
}

export function clickUrl(ctx: TokenCtx, messageId: string, linkIndex: number): string {
  return `${ctx.config.publicUrl}/e/c/${signToken(ctx.secret, CLICK, `${packId(messageId)}~${linkIndex}`)}`;
}

export function unsubscribeToken(ctx: TokenCtx, messageId: string): string {
  return signToken(ctx.secret, UNSUBSCRIBE, packId(messageId));
}

export function unsubscribeUrl(ctx: TokenCtx, messageId: string): string {
  return `${ctx.config.publicUrl}/u/${unsubscribeToken(ctx, messageId)}`;
}

/** The mailto: half of List-Unsubscribe: a message to the sender address naming the token. */
export function unsubscribeMailto(ctx: TokenCtx, settings: MailSettings, messageId: string): string {
  const from = fromHeader(settings, ctx.config);
  return `mailto:${from.address}?subject=${encodeURIComponent(`unsubscribe ${unsubscribeToken(ctx, messageId)}`)}`;
}

export function readOpenToken(ctx: TokenCtx, token: string): string | undefined {
  const v = read(ctx, OPEN, token);
  return v ? unpackId(v) : undefined;
}

export function readUnsubscribeToken(ctx: TokenCtx, token: string): string | undefined {
  const v = read(ctx, UNSUBSCRIBE, token);
  return v ? unpackId(v) : undefined;
}

export function readClickToken(
  ctx: TokenCtx,
  token: string,
): { messageId: string; link: number } | undefined {
  const v = read(ctx, CLICK, token);
  const m = v ? /^([A-Za-z0-9_-]{22})~(\d{1,4})$/.exec(v) : null;
  const messageId = m ? unpackId(m[1]) : undefined;
  return m && messageId ? { messageId, link: Number(m[2]) } : undefined;
}
