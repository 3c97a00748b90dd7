import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { App, AppContext } from './context.ts';
import { sendProblem } from './problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { actor: string; key: string; workspaceId: number };
  }
}

/**
 * `Idempotency-Key` on writes: the first request claims the key, its response is stored, and a
 * retry with the same key gets the stored response instead of doing the work again. A retry
 * while the first is still running gets 409; the same key on another path gets 422.
 */
export function registerIdempotency(app: App, ctx: AppContext) {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || request.method !== 'POST' || !request.principal) return;
    if (key.length === 0 || key.length > 200) {
      return sendProblem(reply, request, new AppError(400, 'validation', 'Invalid request', 'Idempotency-Key: 1 to 200 characters'));
    }
    const p = request.principal;
    const actor = `${p.kind}:${p.id}`;
    const fingerprint = `${request.method} ${request.url}`;
    const claimed = await ctx.db.query(
      `INSERT INTO idempotency_keys (workspace_id, actor, key, request) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [p.workspaceId, actor, key, fingerprint],
    );
    if (claimed.affectedRows === 1) {
      request.idempotency = { actor, key, workspaceId: p.workspaceId };
      return;
    }
    const r = await ctx.db.query<{ request: string; status_code: number | null; response: string | null }>(
      'SELECT request, status_code, response FROM idempotency_keys WHERE workspace_id = $1 AND actor = $2 AND key = $3',
      [p.workspaceId, actor, key],
    );
    const stored = r.rows[0];
    if (stored.request !== fingerprint) {
      return sendProblem(reply, request, new AppError(422, 'idempotency-key-reused', 'Idempotency key reused', 'This key was used for another request'));
    }
    if (stored.status_code === null) {
      return sendProblem(reply, request, new AppError(409, 'idempotency-in-progress', 'Conflict', 'The first request with this key is still running'));
    }
    return reply
      .code(stored.status_code)
      .header('content-type', 'application/json; charset=utf-8')
      .header('idempotent-replayed', 'true')
      .send(stored.response);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    if (reply.statusCode >= 500) {
      // Let the client retry a server failure with the same key.
      await ctx.db.query('DELETE FROM idempotency_keys WHERE workspace_id = $1 AND actor = $2 AND key = $3', [
        idem.workspaceId,
        idem.actor,
        idem.key,
      ]);
    } else {
      await ctx.db.query(
        'UPDATE idempotency_keys SET status_code = $4, response = $5 WHERE workspace_id = $1 AND actor = $2 AND key = $3',
        [idem.workspaceId, idem.actor, idem.key, reply.statusCode, typeof payload === 'string' ? payload : null],
      );
    }
    return payload;
  });
}
