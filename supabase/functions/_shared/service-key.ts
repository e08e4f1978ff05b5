import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors.ts";
import { bearerToken } from "./jwt.ts";
import { isServiceKey } from "./project-keys.ts";

/**
 * Middleware for endpoints only the project itself calls (pg_net kicks from the database, one
 * function handing over to another): the caller presents one of the project's service keys — the
 * legacy service_role JWT or an `sb_secret_…` key — as `Authorization: Bearer <key>` or in `apikey`.
 * The key is compared with the known ones in constant time, never decoded: a secret key is not a
 * JWT, and the legacy key is not signed by the project's asymmetric keys.
 */
export function requireServiceKey(serviceKeys: string[]): MiddlewareHandler {
  if (serviceKeys.length === 0) {
    throw new Error("no service key to compare with: set SUPABASE_SECRET_KEYS or SUPABASE_SERVICE_ROLE_KEY");
  }
  return async (c, next) => {
    // Both places count: Supabase's gateway answers a request that carries a key only in `apikey`
    // by adding an Authorization header of its own (a JWT it mints for the key's role), so the key
    // itself may be in `apikey` while Authorization holds something else.
    const presented = [bearerToken(c.req.header("authorization")), c.req.header("apikey")].filter((key): key is string => !!key);
    if (presented.length === 0) {
      throw new ApiError(401, "unauthorized", "This endpoint is called by the project itself, with a service key.", {
        headers: { "WWW-Authenticate": 'Bearer realm="renum"' },
      });
    }
    const matches = await Promise.all(presented.map((key) => isServiceKey(key, serviceKeys)));
    if (!matches.includes(true)) {
      throw new ApiError(403, "forbidden", "This endpoint accepts only the project's service keys.");
    }
    await next();
  };
}
