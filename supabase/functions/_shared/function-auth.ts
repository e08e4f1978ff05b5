import type { MiddlewareHandler } from "hono";
import type { Sql } from "./db.ts";
import { type AuthVariables, createJwtVerifier, requireUser } from "./jwt.ts";
import type { ProjectKeys } from "./project-keys.ts";
import { requireServiceKey } from "./service-key.ts";

export { requireProviderSignature } from "./provider-signature.ts";

export interface FunctionAuth {
  /** A signed-in user's access token, of either key system; sets `c.var.claims` and `c.var.asUser`. */
  user: MiddlewareHandler<{ Variables: AuthVariables }>;
  /** One of the project's service keys (legacy service_role JWT or `sb_secret_…`), compared, not decoded. */
  service: MiddlewareHandler;
}

/**
 * The auth modes of a function built with createFunctionApp, from the project's keys
 * (projectKeysFromEnv). `sql` is the pool `asUser` opens user-scoped transactions on. Each mode is
 * built on first use, so a function that never uses one boots without that mode's keys.
 */
export function functionAuth(keys: ProjectKeys, sql?: Sql): FunctionAuth {
  let user: MiddlewareHandler<{ Variables: AuthVariables }> | undefined;
  let service: MiddlewareHandler | undefined;
  return {
    get user() {
      return user ??= requireUser(createJwtVerifier(keys), sql);
    },
    get service() {
      return service ??= requireServiceKey(keys.serviceKeys);
    },
  };
}
