import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Queryable } from '../../platform/db/client.ts';
import { systemActor } from '../../team/audit.ts';
import { createTemplate } from '../mail/templates.ts';

/** A real SMTP server on 127.0.0.1 that keeps every message it accepts. */
export interface TestSmtp {
  url: string;
  messages: ParsedMail[];
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          messages.push(m);
          callback();
        })
        .catch(callback);
    },
  });
  // A client that drops its connection (a killed worker) is normal for an SMTP server, not a crash.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A marketing template (through the mail part's own function). */
export async function makeTemplate(q: Queryable, name: string, subject: string): Promise<string> {
  const t = await createTemplate(q, systemActor('test'), {
    name,
    subject,
    html: `<p>{{ person.lastName }} 様</p><p>${name}</p>`,
  });
  return t.id;
}

/** Makes every pending job of these queues due now (what the passing of time does for waits). */
export async function makeDue(q: Queryable, queues: string[] = ['scenarios.step']): Promise<number> {
  const r = await q.query(
    `UPDATE jobs SET run_at = now() - interval '1 second' WHERE status = 'pending' AND queue = ANY($1::text[])`,
    [queues],
  );
  return r.affectedRows;
}

export async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
