import type { AppContext } from '../../platform/http/context.ts';
import { signToken, verifyToken } from '../../platform/tokens.ts';
import { fromHeader, type MailSettings } from './settings.ts';

/**
 * Signed, per-message tokens for the public mail endpoints. The purpose is part of the
 * signature, so an open token cannot be replayed as an unsubscribe or a click.
 */
export const OPEN = 'mail-open';
export const CLICK = 'mail-click';
export const UNSUBSCRIBE = 'unsubscribe';

export interface UnsubscribePayload {
  /** workspace */
  w: number;
  /** person */
  p: string;
  /** message (absent for links made outside a message) */
  m?: string;
}

export interface ClickPayload {
  m: string;
  /** The exact URL that was in the mail: the redirect goes only there. */
  u: string;
}

type TokenCtx = Pick<AppContext, 'config' | 'secret'>;

export function openPixelUrl(ctx: TokenCtx, messageId: string): string {
  return `${ctx.config.publicUrl}/e/o/${signToken(ctx.secret, OPEN, { m: messageId })}`;
}

export function clickUrl(ctx: TokenCtx, messageId: string, url: string): string {
  return `${ctx.config.publicUrl}/e/c/${signToken(ctx.secret, CLICK, { m: messageId, u: url } satisfies ClickPayload)}`;
}

export function unsubscribeToken(ctx: TokenCtx, payload: UnsubscribePayload): string {
  return signToken(ctx.secret, UNSUBSCRIBE, payload);
}

export function unsubscribeUrl(ctx: TokenCtx, payload: UnsubscribePayload): string {
  return `${ctx.config.publicUrl}/u/${unsubscribeToken(ctx, payload)}`;
}

/** The mailto: half of List-Unsubscribe: a message to the sender address naming the token. */
export function unsubscribeMailto(ctx: TokenCtx & Pick<AppContext, 'config'>, settings: MailSettings, payload: UnsubscribePayload): string {
  const from = fromHeader(settings, ctx.config);
  return `mailto:${from.address}?subject=${encodeURIComponent(`unsubscribe ${unsubscribeToken(ctx, payload)}`)}`;
}

export const readOpenToken = (ctx: TokenCtx, token: string) => verifyToken<{ m: string }>(ctx.secret, OPEN, token);
export const readClickToken = (ctx: TokenCtx, token: string) => verifyToken<ClickPayload>(ctx.secret, CLICK, token);
export const readUnsubscribeToken = (ctx: TokenCtx, token: string) => verifyToken<UnsubscribePayload>(ctx.secret, UNSUBSCRIBE, token);
