// auth.sessions and auth.refresh_tokens as GoTrue keeps them: a session per sign-in, a chain of
// refresh tokens in it (each new token's `parent` is the one it replaced), and the session JSON
// that the token endpoints answer with.
import { randomBytes, randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { signAccessToken, type AccessTokenSubject } from "./access-tokens.ts";
import type { AuthConfig } from "./config.ts";
import { epochSeconds, type Queryable } from "./database.ts";
import type { WeakPassword } from "./passwords.ts";
import { nilInstanceId, userResponse, type UserJson } from "./users.ts";

export interface SessionRow {
  id: string;
  user_id: string;
  created_at: string;
  updated_at: string;
  not_after: string | null;
  refreshed_at: string | null;
}

export interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  created_at: string;
  updated_at: string;
  parent: string | null;
  session_id: string | null;
}

/** Who is asking, for the session's user_agent and ip columns. */
export interface Client {
  userAgent: string | null;
  ip: string | null;
}

export function clientIp(forwardedFor: string | undefined, remoteAddress: string | undefined): string | null {
  const candidate = forwardedFor?.split(",").map((part) => part.trim()).find(Boolean) ?? remoteAddress ?? "";
  const address = candidate.startsWith("::ffff:") ? candidate.slice(7) : candidate;
  return isIP(address) ? address : null;
}

// GoTrue's crypto.SecureAlphanumeric(12): base32, lowercase.
const base32 = "abcdefghijklmnopqrstuvwxyz234567";
function newRefreshTokenString(): string {
  return [...randomBytes(12)].map((byte) => base32[byte & 31]).join("");
}

export async function insertRefreshToken(sql: Queryable, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = newRefreshTokenString();
  await sql`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
    values (${nilInstanceId}, ${token}, ${userId}, false, now(), now(), ${parent}, ${sessionId})
  `;
  return token;
}

/** A new session with its first refresh token (GoTrue's GrantAuthenticatedUser). */
export async function startSession(sql: Queryable, userId: string, client: Client): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  await sql`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (${sessionId}, ${userId}, now(), now(), 'aal1', ${client.userAgent}, ${client.ip})
  `;
  const refreshToken = await insertRefreshToken(sql, userId, sessionId, null);
  await sql`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
  return { sessionId, refreshToken };
}

export async function findSession(sql: Queryable, id: string, { forUpdate = false } = {}): Promise<SessionRow | null> {
  const [session] = forUpdate
    ? await sql<SessionRow[]>`select id, user_id, created_at, updated_at, not_after, refreshed_at from auth.sessions where id = ${id} for update`
    : await sql<SessionRow[]>`select id, user_id, created_at, updated_at, not_after, refreshed_at from auth.sessions where id = ${id}`;
  return session ?? null;
}

/** GoTrue's Session.CheckValidity: not_after, then the `[auth.sessions]` timebox and inactivity timeout. */
export function sessionExpiry(session: SessionRow, tokenUpdatedAt: string, config: AuthConfig): string | null {
  const now = Date.now() / 1000;
  if (session.not_after && now > epochSeconds(session.not_after)) return "Invalid Refresh Token: Session Expired";
  if (config.sessionTimebox && now > epochSeconds(session.created_at) + config.sessionTimebox / 1000) {
    return "Invalid Refresh Token: Session Expired";
  }
  if (config.sessionInactivityTimeout) {
    const lastRefreshed = session.refreshed_at ?? tokenUpdatedAt;
    if (now > epochSeconds(lastRefreshed) + config.sessionInactivityTimeout / 1000) {
      return "Invalid Refresh Token: Session Expired (Inactivity)";
    }
  }
  return null;
}

/** Removes sessions (their refresh tokens go with them): all of a user's, one, or all but one. */
export async function endSessions(sql: Queryable, userId: string, scope: { only?: string; except?: string } = {}): Promise<void> {
  if (scope.only) await sql`delete from auth.sessions where id = ${scope.only}`;
  else if (scope.except) await sql`delete from auth.sessions where user_id = ${userId} and id <> ${scope.except}`;
  else await sql`delete from auth.sessions where user_id = ${userId}`;
}

export interface SessionJson {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: UserJson;
  weak_password?: WeakPassword;
}

/** GoTrue's AccessTokenResponse for a session, with a fresh access token. */
export async function sessionResponse(
  sql: Queryable,
  { userId, sessionId, refreshToken }: { userId: string; sessionId: string; refreshToken: string },
  { config, issuer, weakPassword }: { config: AuthConfig; issuer: string; weakPassword?: WeakPassword | null },
): Promise<SessionJson> {
  const user = await userResponse(sql, userId);
  const session = await findSession(sql, sessionId);
  if (!session) throw new Error(`session ${sessionId} vanished`);
  const subject: AccessTokenSubject = {
    userId,
    aud: String(user.aud),
    role: String(user.role),
    email: String(user.email),
    phone: String(user.phone),
    appMetadata: user.app_metadata as Record<string, unknown>,
    userMetadata: user.user_metadata as Record<string, unknown>,
    isAnonymous: user.is_anonymous === true,
    sessionId,
    signedInAt: epochSeconds(session.created_at),
  };
  const { token, expiresAt } = await signAccessToken(subject, { issuer, lifetimeSeconds: config.jwtExpiry });
  return {
    access_token: token,
    token_type: "bearer",
    expires_in: config.jwtExpiry,
    expires_at: expiresAt,
    refresh_token: refreshToken,
    user,
    ...(weakPassword ? { weak_password: weakPassword } : {}),
  };
}
