// Who a Storage request acts as, decided as supabase/storage's jwt plugin does
// (src/http/plugins/jwt.ts): the bearer token, verified with the project's JWT secret (legacy
// keys) or its signing key (asymmetric keys), gives the role and claims every database statement
// of the request runs with, and `sub` becomes the owner of what it uploads. The gateway first puts
// a project API key in `apikey` in place of a missing bearer (gateway-authorization.ts), as
// Supabase's gateway does, so an `sb_` key acts as a short-lived JWT of its role.
import type { IncomingMessage } from "node:http";
import { importJWK, type JWTPayload, jwtVerify } from "jose";
import { gatewayAuthorization } from "../gateway/gateway-authorization.ts";
import { activeKeys } from "../instance-keys.ts";
import { storageErrors } from "./storage-errors.ts";

export interface Caller {
  /** The Postgres role statements run as (`role` of the token; anon for an unauthenticated read). */
  role: string;
  claims: JWTPayload & { role?: string };
  /** The raw token, which Storage hands to Postgres as `request.jwt`. */
  jwt: string;
  /** `sub` of a verified token: the owner recorded on objects it writes. */
  owner: string | undefined;
  authenticated: boolean;
}

export const anonymousCaller: Caller = { role: "anon", claims: { role: "anon" }, jwt: "", owner: undefined, authenticated: false };

async function verifiedClaims(token: string): Promise<JWTPayload> {
  const keys = activeKeys();
  if (keys.mode === "asymmetric") {
    const { payload } = await jwtVerify(token, await importJWK(keys.signingKey.publicJwk, "ES256"), { algorithms: ["ES256"] });
    return payload;
  }
  const { payload } = await jwtVerify(token, new TextEncoder().encode(keys.jwtSecret), { algorithms: ["HS256", "HS384", "HS512"] });
  return payload;
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request's caller. Routes that also serve public buckets (`allowAnonymous`, Storage's
 * allowInvalidJwt) treat a missing or unusable token as anon; the others refuse it with jose's
 * reason, as Storage does (AccessDenied, statusCode "403").
 */
export async function callerOf(incoming: IncomingMessage, { allowAnonymous = false } = {}): Promise<Caller> {
  const authorization = await gatewayAuthorization(header(incoming, "authorization"), header(incoming, "apikey"));
  const jwt = (authorization ?? "").replace(/^Bearer\s+/i, "");
  if (!jwt && allowAnonymous) return anonymousCaller;
  try {
    const claims = await verifiedClaims(jwt);
    return { role: typeof claims.role === "string" && claims.role ? claims.role : "anon", claims, jwt, owner: claims.sub, authenticated: true };
  } catch (error) {
    if (allowAnonymous) return anonymousCaller;
    throw storageErrors.accessDenied(error instanceof Error ? error.message : "Invalid JWT");
  }
}

/** Storage's enforceJwtRole: routes for the service role only answer 403 to anyone else. */
export function requireServiceRole(caller: Caller): void {
  if (!caller.authenticated) throw storageErrors.accessDenied("Access denied: JWT is not authenticated", 403);
  if (caller.role !== "service_role") throw storageErrors.accessDenied("Access denied: Invalid role", 403);
}
