// POST /token?grant_type=password|refresh_token|pkce (GoTrue internal/api/token.go, token_refresh.go).
import type { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../audit.ts";
import { isUuid } from "../authentication.ts";
import { authConfig } from "../config.ts";
import { goTime } from "../database.ts";
import { AuthError, badRequest, notFound, OAuthError, unprocessable } from "../errors.ts";
import { passwordWeakness } from "../passwords.ts";
import { rateLimitKey } from "../sign-in-limiter.ts";
import { findFlowStateByAuthCode, isFlowStateExpired, verifierMatches } from "../pkce.ts";
import { goString, readParams } from "../request-body.ts";
import { clientOf, requestAud, type AuthContext, type AuthDeps, type AuthEnv } from "../route-context.ts";
import {
  findSession,
  insertRefreshToken,
  sessionExpiry,
  sessionResponse,
  startSession,
  type RefreshTokenRow,
  type SessionJson,
} from "../sessions.ts";
import { findUserById, isBanned, nilInstanceId, type UserRow } from "../users.ts";

const invalidCredentials = () => badRequest("invalid_credentials", "Invalid login credentials");

const passwordGrantParams = z.object({ email: goString, phone: goString, password: goString });
const refreshTokenGrantParams = z.object({ refresh_token: goString });
const pkceGrantParams = z.object({ auth_code: goString, code_verifier: goString });

interface Candidate extends UserRow {
  password_matches: boolean | null;
}

async function passwordGrant(c: AuthContext, deps: AuthDeps): Promise<Response> {
  const config = authConfig();
  const params = await readParams(c, "PasswordGrantParams", passwordGrantParams);
  const email = params.email ?? "";
  const phone = params.phone ?? "";
  const password = params.password ?? "";
  if (email !== "" && phone !== "") {
    throw badRequest("validation_failed", "Only an email address or phone number should be provided on login.");
  }
  if (email === "" && phone === "") throw badRequest("validation_failed", "missing email or phone");
  if (phone !== "") throw unprocessable("phone_provider_disabled", "Phone logins are disabled");
  if (!config.email.enabled) throw unprocessable("email_provider_disabled", "Email logins are disabled");
  deps.limiter.take("sign_in_sign_ups", rateLimitKey((name) => c.req.header(name)), config.rateLimit.signInSignUps);

  // One query either way: an unknown address is checked against a dummy hash, so a miss takes
  // as long as a wrong password and the answers cannot be told apart.
  const sql = deps.sql();
  const dummy = await deps.dummyPasswordHash();
  const [candidate] = await sql<Candidate[]>`
    select u.*, extensions.crypt(${password}, coalesce(nullif(u.encrypted_password, ''), ${dummy})) = u.encrypted_password as password_matches
    from (select 1) as probe
    left join lateral (
      select * from auth.users
      where instance_id = ${nilInstanceId} and lower(email) = ${email.toLowerCase()} and aud = ${requestAud(c)} and is_sso_user = false
      limit 1
    ) as u on true
  `;
  if (!candidate.id || !candidate.encrypted_password) throw invalidCredentials();
  const user: UserRow = candidate;
  if (isBanned(user)) throw badRequest("user_banned", "User is banned");
  if (candidate.password_matches !== true) throw invalidCredentials();
  if (!user.email_confirmed_at) throw badRequest("email_not_confirmed", "Email not confirmed");

  const body = await sql.begin(async (tx) => {
    await recordAudit(tx, user, "login", { provider: "email" });
    const { sessionId, refreshToken } = await startSession(tx, user.id, clientOf(c));
    return sessionResponse(
      tx,
      { userId: user.id, sessionId, refreshToken },
      { config, issuer: deps.issuer(config.jwtIssuer), weakPassword: passwordWeakness(password, config) },
    );
  });
  return c.json(body);
}

type RefreshOutcome = { session: SessionJson } | { error: AuthError };

/**
 * GoTrue's RefreshTokenGrant. The token row is locked for the whole exchange, so two refreshes of
 * one token run one after the other and the second gets the token the first issued (GoTrue's
 * "client could not store the result" case). Some refusals commit what they did first (dropping a
 * token without a session, revoking a reused token's family), hence the outcome value.
 */
async function refreshTokenGrant(c: AuthContext, deps: AuthDeps): Promise<Response> {
  const config = authConfig();
  const params = await readParams(c, "RefreshTokenGrantParams", refreshTokenGrantParams);
  deps.limiter.take("token_refresh", rateLimitKey((name) => c.req.header(name)), config.rateLimit.tokenRefresh);
  const presented = params.refresh_token ?? "";
  if (presented === "") throw new OAuthError("invalid_request", "refresh_token required");
  const notFound = () => badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");

  const outcome = await deps.sql().begin(async (tx): Promise<RefreshOutcome> => {
    const [token] = await tx<RefreshTokenRow[]>`
      select id::text, token, user_id, revoked, created_at, updated_at, parent, session_id
      from auth.refresh_tokens where token = ${presented} for update
    `;
    if (!token) throw notFound();
    const user = isUuid(token.user_id) ? await findUserById(tx, token.user_id) : null;
    if (!user) throw notFound();
    if (isBanned(user)) throw badRequest("user_banned", "Invalid Refresh Token: User Banned");
    const session = token.session_id ? await findSession(tx, token.session_id, { forUpdate: true }) : null;
    if (!session) {
      await tx`delete from auth.refresh_tokens where id = ${token.id}`;
      return { error: badRequest("session_not_found", "Invalid Refresh Token: No Valid Session Found") };
    }
    const expired = sessionExpiry(session, token.updated_at, config);
    if (expired) throw badRequest("session_expired", expired);

    let issued: string | null = null;
    if (token.revoked) {
      const [active] = await tx<{ token: string; parent: string | null }[]>`
        select token, parent from auth.refresh_tokens where session_id = ${session.id} and revoked = false order by id desc limit 1
      `;
      if (active && active.parent === token.token) {
        // The client lost the answer to its last refresh: hand it the token that answer carried.
        issued = active.token;
      } else {
        const reusableUntil = Date.parse(goTime(token.updated_at)) + config.refreshTokenReuseInterval * 1000;
        if (Date.now() > reusableUntil) {
          // Reuse of a spent token: someone else may hold this session's tokens, so revoke them all.
          // (GoTrue also bumps updated_at here, which reopens the reuse window for the newest
          // token; leaving it alone keeps the whole session revoked, as intended.)
          if (config.refreshTokenRotation) {
            await tx`update auth.refresh_tokens set revoked = true where session_id = ${session.id} and revoked = false`;
          }
          return { error: badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used") };
        }
      }
    }

    await recordAudit(tx, user, "token_refreshed");
    if (issued === null) {
      await recordAudit(tx, user, "token_revoked");
      await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${token.id}`;
      issued = await insertRefreshToken(tx, user.id, session.id, token.token);
    }
    const client = clientOf(c);
    await tx`
      update auth.sessions set refreshed_at = now() at time zone 'utc', user_agent = ${client.userAgent}, ip = ${client.ip}, updated_at = now()
      where id = ${session.id}
    `;
    const body = await sessionResponse(
      tx,
      { userId: user.id, sessionId: session.id, refreshToken: issued },
      { config, issuer: deps.issuer(config.jwtIssuer) },
    );
    return { session: body };
  });
  if ("error" in outcome) throw outcome.error;
  return c.json(outcome.session);
}

/**
 * GoTrue's PKCE grant (exchangeCodeForSession): the auth code of a flow, with the verifier of its
 * challenge, becomes a session once; the flow is then gone.
 */
async function pkceGrant(c: AuthContext, deps: AuthDeps): Promise<Response> {
  const config = authConfig();
  const params = await readParams(c, "PKCEGrantParams", pkceGrantParams);
  const authCode = params.auth_code ?? "";
  const verifier = params.code_verifier ?? "";
  if (authCode === "" || verifier === "") {
    throw badRequest("validation_failed", "invalid request: both auth code and code verifier should be non-empty");
  }
  const body = await deps.sql().begin(async (tx) => {
    const flow = await findFlowStateByAuthCode(tx, authCode);
    if (!flow || !flow.user_id) throw notFound("flow_state_not_found", "invalid flow state, no valid flow state found");
    if (isFlowStateExpired(flow)) throw unprocessable("flow_state_expired", "invalid flow state, flow state has expired");
    const user = await findUserById(tx, flow.user_id);
    if (!user) throw notFound("user_not_found", "User not found");
    if (!verifierMatches(flow, verifier)) {
      throw badRequest("bad_code_verifier", "code challenge does not match previously saved code verifier");
    }
    await recordAudit(tx, user, "login", { provider_type: flow.provider_type });
    const { sessionId, refreshToken } = await startSession(tx, user.id, clientOf(c));
    await tx`delete from auth.flow_state where id = ${flow.id}`;
    return sessionResponse(tx, { userId: user.id, sessionId, refreshToken }, { config, issuer: deps.issuer(config.jwtIssuer) });
  });
  return c.json(body);
}

export function tokenRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/token", async (c) => {
    switch (c.req.query("grant_type")) {
      case "password":
        return passwordGrant(c, deps);
      case "refresh_token":
        return refreshTokenGrant(c, deps);
      case "pkce":
        return pkceGrant(c, deps);
      default:
        // Also id_token and web3, which need providers a local stack does not have.
        throw badRequest("invalid_credentials", "unsupported_grant_type");
    }
  });
}
