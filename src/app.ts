import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { FEATURE_ROUTES } from './features.ts';
import { pendingMigrations } from './platform/db/migrate.ts';
import { AppError } from './platform/errors.ts';
import type { App, AppContext } from './platform/http/context.ts';
import { registerIdempotency } from './platform/http/idempotency.ts';
import { errorHandler, sendProblem } from './platform/http/problem.ts';
import { registerAuth } from './team/auth.ts';

const WEB_DIR = fileURLToPath(new URL('../dist/web/', import.meta.url));

export interface BuildOptions {
  /** Log requests (serve does; tests do not). */
  logger?: boolean;
}

/** Builds the HTTP app: API, OpenAPI, public endpoints and the web UI. Does not listen. */
export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<App> {
  const app = (Fastify({
    loggerInstance: opts.logger ? ctx.log : undefined,
    bodyLimit: 1024 * 1024,
    trustProxy: true,
  }) as unknown as FastifyInstance).withTypeProvider<ZodTypeProvider>() as App;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  await app.register(multipart, { limits: { fileSize: 512 * 1024 * 1024, files: 1 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Leadflow API',
        version: '1',
        description:
          'Marketing automation and lead management. Authenticate with `Authorization: Bearer <api key>`. ' +
          'Errors are application/problem+json. Lists take ?limit=&cursor= and answer {items, nextCursor}.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'lf_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  registerAuth(app, ctx);
  registerIdempotency(app, ctx);

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const pending = await pendingMigrations(ctx.db);
    if (pending.length > 0) return reply.code(503).send({ status: 'migrating', pending });
    return { status: 'ok' };
  });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  for (const routes of FEATURE_ROUTES) await routes(app, ctx);

  const hasWeb = existsSync(`${WEB_DIR}index.html`);
  if (hasWeb) {
    await app.register(fastifyStatic, { root: WEB_DIR, prefix: '/', wildcard: false, index: false });
  }

  // Unknown /api paths are problems; every other GET is a deep link into the SPA. index.html is
  // read per request (it is small), so a rebuilt UI is served without a restart.
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0];
    if (request.method === 'GET' && !path.startsWith('/api/') && hasWeb) {
      const indexHtml = await readFile(`${WEB_DIR}index.html`, 'utf8').catch(() => undefined);
      if (indexHtml) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml);
    }
    return sendProblem(reply, request, new AppError(404, 'not-found', 'Not found', `No route for ${request.method} ${path}`));
  });

  return app;
}
