import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from '../errors.ts';

interface ZodIssueLike {
  instancePath?: string;
  message?: string;
  params?: { issue?: { path?: (string | number)[]; message?: string } };
}

function validationErrors(err: FastifyError): FieldError[] {
  const context = (err as { validationContext?: string }).validationContext;
  return ((err.validation ?? []) as ZodIssueLike[]).map((v) => {
    const path = v.params?.issue?.path?.map(String).join('.') ?? v.instancePath?.replace(/^\//, '').replace(/\//g, '.');
    return {
      path: path || context || 'body',
      message: v.params?.issue?.message ?? v.message ?? 'invalid',
    };
  });
}

/** Maps any error to application/problem+json; never leaks a stack trace. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as FastifyError & { code?: string; statusCode?: number };
  if (hasZodFastifySchemaValidationErrors(e) || e.validation) {
    const errors = validationErrors(e);
    const detail = errors.map((x) => `${x.path}: ${x.message}`).join('; ');
    return new AppError(400, 'validation', 'Invalid request', detail, errors);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'body-too-large', 'Request body too large', 'The request body exceeds the size limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported-media-type', 'Unsupported media type', e.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'malformed-body', 'Malformed request body', 'The JSON body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(400, 'malformed-body', 'Malformed request body', 'The body is not valid JSON');
  }
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new AppError(400, 'malformed-body', 'Malformed request body', 'The body is not valid JSON');
  }
  if (e.statusCode === 429) {
    return new AppError(429, 'rate-limited', 'Too many requests', 'Slow down and retry later');
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(e.statusCode, 'bad-request', 'Bad request', e.message);
  }
  const pg = err as { code?: string; column?: string };
  if (pg.code === '22P02' || pg.code === '22007' || pg.code === '22008') {
    return new AppError(400, 'validation', 'Invalid request', 'A value has the wrong format');
  }
  return new AppError(500, 'internal', 'Internal server error', 'Something went wrong; it has been logged');
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError) {
  return reply
    .code(error.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(JSON.stringify(error.toProblem(request.url.split('?')[0])));
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(err);
  if (appError.status >= 500) {
    // Logged once, here at the edge; the client sees only the problem document.
    request.log.error({ err, url: request.url.split('?')[0] }, 'request failed');
  }
  return sendProblem(reply, request, appError);
}
