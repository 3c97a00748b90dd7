import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from './url-guard.ts';

export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

/** How long a receiver may take before the attempt counts as failed. (Default: 10 s; WEBHOOKS_TIMEOUT_MS) */
export function deliveryTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.WEBHOOKS_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 10_000;
}

/**
 * Resolves like dns.lookup but refuses private addresses at connect time, so a host that
 * resolved to a public address when the subscription was saved cannot be rebound to an
 * internal one later (DNS rebinding).
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as LookupAddress[];
      const usable = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (usable.length === 0) {
        return callback(
          Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }),
          '',
          4,
        );
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}

/** POSTs one signed webhook body; never throws, never follows redirects, reads at most 1 KB of the answer. */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, durationMs: elapsed() });
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return done({ statusCode: null, error: 'invalid URL', responseExcerpt: null });
    }
    const client = u.protocol === 'https:' ? https : http;
    const req = client.request(
      u,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        lookup: guardedLookup(opts.allowPrivate),
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          done({
            statusCode: res.statusCode ?? null,
            error: null,
            responseExcerpt: Buffer.concat(chunks).toString('utf8').slice(0, 1024),
          }),
        );
        res.on('error', (e) =>
          done({ statusCode: res.statusCode ?? null, error: e.message, responseExcerpt: null }),
        );
      },
    );
    // Bounds the whole exchange, not only socket inactivity: a receiver that trickles bytes is cut off too.
    const timer = setTimeout(() => {
      req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', (e) => done({ statusCode: null, error: e.message, responseExcerpt: null }));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
