import pino from 'pino';

export type Log = pino.Logger;

/**
 * The process logger. Authorization headers, cookies, passwords and e-mail addresses are
 * redacted: secrets and personal data never reach the logs.
 */
export function createLog(level = process.env.LOG_LEVEL ?? 'info'): Log {
  return pino({
    level,
    // Paths only: query strings may carry e-mail addresses or tokens.
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, path: (req.url ?? '').split('?')[0] }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.email',
        '*.secret',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}

export const silentLog: Log = pino({ level: 'silent' });
