// GET /verify and POST /verify (GoTrue internal/api/verify.go) for the links and codes Auth emails.
// GET is the link in the email: it redirects to `redirect_to` with the session in the fragment
// (implicit flow) or an auth code in `?code=` (PKCE, token hashes starting "pkce_"), and errors in
// the redirect too, as GoTrue puts them. POST is verifyOtp: {type, token_hash} or {type, email,
// token}, answered with a session. A token works once and for `otp_expiry` seconds.
//
// The stand-in emails recovery links only (no SMTP-backed sign-up confirmation, invite, magic link or
// email change), so tokens of other types never match and are answered as GoTrue answers an unknown one.
import type { Context, Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../audit.ts";
import { authConfig, type AuthConfig } from "../config.ts";
import type { Transaction } from "../database.ts";
import { isOtpExpired, tokenHash } from "../email-otp.ts";
import { AuthError, badRequest, forbidden, unprocessable } from "../errors.ts";
import { validateEmail, validatePhone } from "../identifiers.ts";
import { issueAuthCode, pkcePrefix } from "../pkce.ts";
import { referrer } from "../redirect-urls.ts";
import { goString, readParams } from "../request-body.ts";
import { clientOf, requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { sessionResponse, startSession, type SessionJson } from "../sessions.ts";
import { isBanned, nilInstanceId, type UserRow } from "../users.ts";

const verifyParams = z.object({
  type: goString,
  token: goString,
  token_hash: goString,
  email: goString,
  phone: goString,
  redirect_to: goString,
});

// The types GoTrue knows for emailed links; only recovery tokens are ever issued here.
const emailLinkTypes = new Set(["signup", "invite", "recovery", "magiclink", "email_change", "email"]);
const recoveryTypes = new Set(["recovery", "magiclink", "email"]);

const linkInvalid = () => forbidden("otp_expired", "Email link is invalid or has expired");
const tokenInvalid = () => forbidden("otp_expired", "Token has expired or is invalid");

// GoTrue's oauthErrorMap: the OAuth `error` that goes with an HTTP status in a redirect.
const oauthErrors: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized_client",
  403: "access_denied",
  500: "server_error",
  503: "temporarily_unavailable",
};

/** The user whose recovery token is `hash` (GoTrue's verifyTokenHash). */
async function userByTokenHash(tx: Transaction, type: string, hash: string, config: AuthConfig): Promise<UserRow> {
  if (!emailLinkTypes.has(type)) throw badRequest("validation_failed", "Invalid email verification type");
  const [user] = recoveryTypes.has(type) && hash !== ""
    ? await tx<UserRow[]>`select * from auth.users where instance_id = ${nilInstanceId} and recovery_token = ${hash} for update`
    : [];
  if (!user) throw linkInvalid();
  if (isBanned(user)) throw forbidden("user_banned", "User is banned");
  if (isOtpExpired(user.recovery_sent_at, config.email.otpExpiry)) throw linkInvalid();
  return user;
}

/** The user whose emailed code is `otp` (GoTrue's verifyUserAndToken, for email codes). */
async function userByEmailCode(tx: Transaction, c: Context<AuthEnv>, type: string, email: string, otp: string, config: AuthConfig): Promise<UserRow> {
  const [user] = await tx<UserRow[]>`
    select * from auth.users
    where instance_id = ${nilInstanceId} and lower(email) = ${email} and aud = ${requestAud(c)} and is_sso_user = false
    limit 1 for update
  `;
  if (!user) throw tokenInvalid();
  if (isBanned(user)) throw forbidden("user_banned", "User is banned");
  const hash = tokenHash(email, otp);
  const stored = user.recovery_token ?? "";
  const matches = recoveryTypes.has(type) && stored !== "" && (stored === hash || stored === pkcePrefix + hash);
  if (!matches || isOtpExpired(user.recovery_sent_at, config.email.otpExpiry)) throw tokenInvalid();
  return user;
}

/** GoTrue's recoverVerify: the token is spent, and an unconfirmed address counts as confirmed by it. */
async function spendRecoveryToken(tx: Transaction, user: UserRow): Promise<void> {
  await tx`update auth.users set recovery_token = '', updated_at = now() where id = ${user.id}`;
  if (user.email_confirmed_at) {
    await recordAudit(tx, user, "login");
  } else {
    await recordAudit(tx, user, "user_signedup", { provider: "email" });
    await tx`update auth.users set email_confirmed_at = now(), updated_at = now() where id = ${user.id}`;
  }
}

async function newSession(tx: Transaction, c: Context<AuthEnv>, deps: AuthDeps, user: UserRow, config: AuthConfig): Promise<SessionJson> {
  const { sessionId, refreshToken } = await startSession(tx, user.id, clientOf(c));
  return sessionResponse(tx, { userId: user.id, sessionId, refreshToken }, { config, issuer: deps.issuer(config.jwtIssuer) });
}

/** GoTrue's prepErrorRedirectURL: the error in the fragment, and for PKCE in the query as well. */
function errorRedirect(redirectTo: string, error: AuthError, pkce: boolean): string {
  const url = new URL(redirectTo);
  const details = new URLSearchParams();
  const oauthError = oauthErrors[error.status];
  if (oauthError) details.set("error", oauthError);
  details.set("error_code", error.errorCode);
  details.set("error_description", error.message);
  if (pkce) for (const [name, value] of details) url.searchParams.set(name, value);
  details.set("sb", "");
  url.hash = details.toString();
  return url.toString();
}

/** AccessTokenResponse.AsRedirectURL: the session in the fragment, keys sorted as Go's url.Values encodes them. */
function sessionRedirect(redirectTo: string, session: SessionJson, type: string): string {
  const fragment = new URLSearchParams({
    access_token: session.access_token,
    expires_at: String(session.expires_at),
    expires_in: String(session.expires_in),
    refresh_token: session.refresh_token,
    token_type: session.token_type,
    type,
  });
  return `${redirectTo.split("#")[0]}#${fragment}`;
}

export function verifyRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.get("/verify", async (c) => {
    const config = authConfig();
    const token = c.req.query("token") ?? "";
    const type = c.req.query("type") ?? "";
    const redirectTo = referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });
    if (type === "") throw badRequest("validation_failed", "Verify requires a verification type");
    if (token === "") throw badRequest("validation_failed", "Verify requires a token or a token hash");
    const pkce = token.startsWith(pkcePrefix);

    let location: string;
    try {
      location = await deps.sql().begin(async (tx) => {
        const user = await userByTokenHash(tx, type, token, config);
        await spendRecoveryToken(tx, user);
        if (!pkce) return sessionRedirect(redirectTo, await newSession(tx, c, deps, user, config), type);
        const code = await issueAuthCode(tx, user.id, "recovery");
        if (!code) throw badRequest("flow_state_not_found", "No associated flow state found. No valid flow state found for user.");
        const url = new URL(redirectTo);
        url.searchParams.set("code", code);
        return url.toString();
      });
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      location = errorRedirect(redirectTo, error, pkce);
    }
    return c.redirect(location, 303);
  });

  app.post("/verify", async (c) => {
    const config = authConfig();
    const params = await readParams(c, "VerifyParams", verifyParams);
    const type = params.type ?? "";
    const token = params.token ?? "";
    const hash = params.token_hash ?? "";
    const email = params.email ?? "";
    const phone = params.phone ?? "";
    if (type === "") throw badRequest("validation_failed", "Verify requires a verification type");
    if ((token === "") === (hash === "")) throw badRequest("validation_failed", "Verify requires either a token or a token hash");
    let address = "";
    if (token !== "") {
      if (phone !== "" && email === "") {
        validatePhone(phone);
        // No SMS is ever sent by a local stack, so no phone code can be right.
        throw tokenInvalid();
      }
      if (email === "" || phone !== "") {
        throw badRequest("validation_failed", "Only an email address or phone number should be provided on verify");
      }
      try {
        address = validateEmail(email);
      } catch {
        throw unprocessable("validation_failed", "Invalid email format");
      }
    } else if (email !== "" || phone !== "" || (params.redirect_to ?? "") !== "") {
      throw badRequest("validation_failed", "Only the token_hash and type should be provided");
    }
    if (!emailLinkTypes.has(type) && !["sms", "phone_change"].includes(type)) {
      throw badRequest("validation_failed", "Unsupported verification type");
    }

    const session = await deps.sql().begin(async (tx) => {
      const user = hash !== "" ? await userByTokenHash(tx, type, hash, config) : await userByEmailCode(tx, c, type, address, token, config);
      await spendRecoveryToken(tx, user);
      return newSession(tx, c, deps, user, config);
    });
    return c.json(session);
  });
}
