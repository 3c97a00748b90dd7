/** One field's problem in a validation error. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error type for expected failures. Rendered as application/problem+json (RFC 9457).
 * `type` is a short slug; it is published as `https://leadflow.dev/problems/<type>`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
  }

  toProblem(instance?: string) {
    return {
      type: `https://leadflow.dev/problems/${this.type}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
      ...(instance ? { instance } : {}),
    };
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError(404, 'not-found', `${what} not found`, id ? `No ${what.toLowerCase()} with id ${id}` : undefined);

export const invalid = (path: string, message: string) =>
  new AppError(422, 'validation', 'Invalid request', `${path}: ${message}`, [{ path, message }]);

export const conflict = (type: string, detail: string) => new AppError(409, type, 'Conflict', detail);

export const forbidden = (detail = 'Your role does not allow this action') =>
  new AppError(403, 'forbidden', 'Forbidden', detail);

export function assertUnreachable(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}

/** Translates a PostgreSQL unique violation into a domain error at the data edge; rethrows the rest. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') return false;
  return constraint === undefined || e.constraint === constraint || (e.message ?? '').includes(constraint);
}
