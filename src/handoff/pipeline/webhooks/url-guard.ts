import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may never reach unless WEBHOOKS_ALLOW_PRIVATE=1: loopback, private, link-local and the like. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, private, link-local, CGNAT, multicast and unspecified addresses (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family === 6) return PRIVATE.check(address, 'ipv6');
  return true;
}

/** Whether private targets are allowed: only by the explicit WEBHOOKS_ALLOW_PRIVATE=1 (local receivers in tests and development). */
export function allowPrivateTargets(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.WEBHOOKS_ALLOW_PRIVATE === '1';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function isLoopback(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return LOOPBACK.check(mapped[1], 'ipv4');
  return LOOPBACK.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; message: string };

function defaultPort(u: URL): string {
  return u.port || (u.protocol === 'https:' ? '443' : '80');
}

/**
 * Checks a subscription URL without touching the network: http(s) only, no credentials, not this
 * Leadflow server (its public URL, or loopback on the port it listens on — even when private
 * targets are allowed), not a private address literal or localhost name.
 */
export function checkUrlShape(
  raw: string,
  publicUrl: string,
  allowPrivate: boolean,
  ownPort?: number,
): UrlCheck {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, message: 'not a valid URL' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    return { ok: false, message: 'must be an http or https URL' };
  if (u.username || u.password)
    return { ok: false, message: 'must not contain credentials; sign requests with the secret instead' };
  const own = new URL(publicUrl);
  if (u.hostname.toLowerCase() === own.hostname.toLowerCase() && defaultPort(u) === defaultPort(own)) {
    return { ok: false, message: 'must not point at this Leadflow server' };
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback =
    host === 'localhost' || host.endsWith('.localhost') || (isIP(host) > 0 && isLoopback(host));
  if (loopback && ownPort !== undefined && defaultPort(u) === String(ownPort)) {
    return { ok: false, message: 'must not point at this Leadflow server' };
  }
  if (!allowPrivate) {
    if (host === 'localhost' || host.endsWith('.localhost'))
      return { ok: false, message: 'must not point at a loopback address' };
    if (isIP(host) && isPrivateAddress(host))
      return { ok: false, message: 'must not point at a loopback, private or link-local address' };
  }
  return { ok: true, url: u };
}

/** checkUrlShape plus a DNS lookup: every address the host resolves to must be public. */
export async function checkWebhookUrl(
  raw: string,
  publicUrl: string,
  allowPrivate = allowPrivateTargets(),
  ownPort?: number,
): Promise<UrlCheck> {
  const shape = checkUrlShape(raw, publicUrl, allowPrivate, ownPort);
  if (!shape.ok || allowPrivate) return shape;
  const host = shape.url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return shape;
  try {
    const addresses = await lookup(host, { all: true });
    if (addresses.some((a) => isPrivateAddress(a.address))) {
      return { ok: false, message: 'resolves to a loopback, private or link-local address' };
    }
  } catch {
    return { ok: false, message: 'the host name does not resolve' };
  }
  return shape;
}
