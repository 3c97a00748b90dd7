import { z } from 'zod';

/** Configuration read from the environment (and CLI flags), validated once at start. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  publicUrl: string;
  secret: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
}

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  LEADFLOW_DATA_DIR: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  LEADFLOW_PUBLIC_URL: z.url().optional(),
  LEADFLOW_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  LEADFLOW_MAIL_FROM: z.string().min(3).optional(),
});

export class ConfigError extends Error {}

export interface ConfigOverrides {
  port?: number;
  dataDir?: string;
}

/** Reads the configuration; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const port = overrides.port ?? e.PORT ?? 3000;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: overrides.dataDir ?? e.LEADFLOW_DATA_DIR ?? './data',
    port,
    publicUrl: (e.LEADFLOW_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    secret: e.LEADFLOW_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.LEADFLOW_MAIL_FROM ?? 'Leadflow <no-reply@localhost>',
  };
}
