import type { FastifyReply } from 'fastify';

/**
 * The public capture endpoints answer any origin: a customer's site posts forms and tracker
 * events from its own domain. No credentials are ever involved, so `*` is safe.
 */
export function allowAnyOrigin(reply: FastifyReply): FastifyReply {
  return reply
    .header('access-control-allow-origin', '*')
    .header('access-control-allow-methods', 'GET, POST, OPTIONS')
    .header('access-control-allow-headers', 'Content-Type, Accept')
    .header('access-control-max-age', '86400');
}
