// Who is calling: GoTrue's requireAuthentication (a user's access token, whose user and session
// must still exist) and requireAdminCredentials (a token whose role is an admin role).
import type { JWTPayload } from "jose";
import { bearerClaims } from "./access-tokens.ts";
import type { Queryable } from "./database.ts";
import { badRequest, forbidden } from "./errors.ts";
import { findSession, type SessionRow } from "./sessions.ts";
import { findUserById, type UserRow } from "./users.ts";

// GOTRUE_JWT_ADMIN_ROLES' default.
const adminRoles = new Set(["service_role", "supabase_admin"]);
const uuidFormat = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidFormat.test(value);
}

export interface Caller {
  claims: JWTPayload;
  user: UserRow;
  session: SessionRow | null;
}

export async function requireUser(sql: Queryable, authorization: string | undefined): Promise<Caller> {
  const claims = await bearerClaims(authorization);
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  if (subject === "") throw forbidden("bad_jwt", "invalid claim: missing sub claim");
  if (!isUuid(subject)) throw badRequest("bad_jwt", "invalid claim: sub claim must be a UUID");
  const user = await findUserById(sql, subject);
  if (!user) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");

  let session: SessionRow | null = null;
  const sessionId = typeof claims.session_id === "string" ? claims.session_id : "";
  if (sessionId !== "" && sessionId !== "00000000-0000-0000-0000-000000000000") {
    if (!isUuid(sessionId)) throw forbidden("bad_jwt", "invalid claim: session_id claim must be a UUID");
    session = await findSession(sql, sessionId);
    if (!session) throw forbidden("session_not_found", "Session from session_id claim in JWT does not exist");
  }
  return { claims, user, session };
}

/** The admin token's role, or GoTrue's 401/403. */
export async function requireAdmin(authorization: string | undefined): Promise<string> {
  const claims = await bearerClaims(authorization);
  const role = typeof claims.role === "string" ? claims.role : "";
  if (!adminRoles.has(role)) throw forbidden("not_admin", "User not allowed");
  return role;
}
