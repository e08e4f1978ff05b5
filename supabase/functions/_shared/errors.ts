import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one error shape every Renum function answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
  return c.json(errorBody(code, message, details), status);
}

export interface ApiErrorOptions {
  /** Machine-readable detail; for validation errors a list of `{ path, message }`. */
  details?: unknown;
  /** Extra response headers, such as Retry-After or WWW-Authenticate. */
  headers?: Record<string, string>;
  /** What went wrong underneath; logged for 5xx answers, never sent. */
  cause?: unknown;
}

/**
 * An answer in the one error shape, thrown from anywhere in a request (a route, a middleware, a
 * helper) and turned into the response by the app's error handler (function-app.ts). `message` is
 * written for people and is always safe to show.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  toBody(): ErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}
