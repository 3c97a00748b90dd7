import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Log } from '../log.ts';

/** The dependencies every route plugin receives, passed explicitly (no globals). */
export interface AppContext {
  db: Db;
  clock: Clock;
  log: Log;
  config: Config;
  /** Key for signed tokens (unsubscribe, tracking); from LEADFLOW_SECRET or generated once and stored. */
  secret: string;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A feature's routes: registered under the app with the shared context. */
export type RoutePlugin = (app: App, ctx: AppContext) => Promise<void> | void;
