// Errors exactly as Supabase Auth (GoTrue internal/api/errors.go HandleResponseError) writes them.
// The body depends on the request's X-Supabase-Api-Version header:
//   2024-01-01 or later: {"code": "<error_code>", "message": "..."} and the header echoed back
//   absent (the initial version): {"code": <HTTP status>, "error_code": "<error_code>", "msg": "..."}
// @supabase/auth-js always sends 2024-01-01 and reads `code` only when the response carries the
// header; other clients (curl, older SDKs) get the initial shape. Both carry x-sb-error-code.
import type { Context } from "hono";

export const apiVersionHeader = "X-Supabase-Api-Version";
const apiVersion20240101 = "2024-01-01";

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** Only for weak_password: which rules the password broke ("length", "characters"). */
    readonly weakPasswordReasons?: string[],
  ) {
    super(message);
    this.name = "AuthError";
  }
}

/**
 * GoTrue's OAuthError, still used for a few token-endpoint answers: always 400, always
 * {"error": ..., "error_description": ...}, whatever the API version.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = "OAuthError";
  }
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const notFound = (code: string, message: string) => new AuthError(404, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);
export const unexpectedFailure = () =>
  new AuthError(500, "unexpected_failure", "Unexpected failure, please check server logs for more information");

/** GoTrue's DetermineClosestAPIVersion: an unparsable or older date means the initial version. */
function usesApiVersion20240101(requested: string | undefined): boolean {
  if (!requested || !/^\d{4}-\d{2}-\d{2}$/.test(requested)) return false;
  const date = Date.parse(`${requested}T00:00:00Z`);
  return Number.isFinite(date) && date >= Date.parse(`${apiVersion20240101}T00:00:00Z`);
}

export function errorResponse(c: Context, error: AuthError | OAuthError): Response {
  if (error instanceof OAuthError) return c.json({ error: error.error, error_description: error.description }, 400);
  const current = usesApiVersion20240101(c.req.header(apiVersionHeader));
  if (current) c.header(apiVersionHeader, apiVersion20240101);
  c.header("x-sb-error-code", error.errorCode);
  const reasons = error.weakPasswordReasons ? { weak_password: { reasons: error.weakPasswordReasons } } : {};
  const body = current
    ? { code: error.errorCode, message: error.message, ...reasons }
    : { code: error.status, error_code: error.errorCode, msg: error.message, ...reasons };
  return c.json(body, error.status as 400);
}
