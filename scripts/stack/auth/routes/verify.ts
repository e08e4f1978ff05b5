// GET /verify and POST /verify (GoTrue internal/api/verify.go) for the links and codes Auth emails.
// GET is the link in the email: it redirects to `redirect_to` with the session in the fragment
// (implicit flow) or an auth code in `?code=` (PKCE, token hashes starting "pkce_"), and errors in
// the redirect too, as GoTrue puts them. POST is verifyOtp: {type, token_hash} or {type, email,
// token}, answered with a session. A token works once and for `otp_expiry` seconds.
//
// Every emailed kind is verified as GoTrue verifies it: "signup" and "invite" confirm the address
// (confirmation_token), "recovery" and "magiclink" sign in (recovery_token), "email_change" applies
// a pending change once confirmed (both addresses with double_confirm_changes when confirmations
// are on; the first link answers "Confirmation link accepted..."), and "email" is either code.
import { randomBytes } from "node:crypto";
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
import { insertIdentity, isBanned, nilInstanceId, providerClaims, type UserRow } from "../users.ts";

const verifyParams = z.object({
  type: goString,
  token: goString,
  token_hash: goString,
  email: goString,
  phone: goString,
  redirect_to: goString,
});

// The types GoTrue knows for emailed links.
const emailLinkTypes = new Set(["signup", "invite", "recovery", "magiclink", "email_change", "email"]);
const singleConfirmationAccepted = "Confirmation link accepted. Please proceed to confirm link sent to the other email";

/** The user's token for `type` and when it was sent, as GoTrue's verifyTokenHash pairs them. */
function storedTokens(user: UserRow, type: string): { tokens: string[]; sentAt: string | null } {
  switch (type) {
    case "signup":
    case "invite":
      return { tokens: [user.confirmation_token ?? ""], sentAt: user.confirmation_sent_at };
    case "recovery":
    case "magiclink":
      return { tokens: [user.recovery_token ?? ""], sentAt: user.recovery_sent_at };
    case "email_change":
      return { tokens: [user.email_change_token_new ?? "", user.email_change_token_current ?? ""], sentAt: user.email_change_sent_at };
    default:
      return { tokens: [], sentAt: null };
  }
}

/** For type "email": the confirmation code if it matches, else the magic link (GoTrue's EmailOTPVerification). */
function resolveEmailType(user: UserRow, matches: (stored: string) => boolean): string {
  return matches(user.confirmation_token ?? "") ? "signup" : "magiclink";
}

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

/** The user whose emailed token is `hash`, and the type it turned out to be (GoTrue's verifyTokenHash). */
async function userByTokenHash(tx: Transaction, type: string, hash: string, config: AuthConfig): Promise<{ user: UserRow; type: string }> {
  if (!emailLinkTypes.has(type)) throw badRequest("validation_failed", "Invalid email verification type");
  const [user] = hash === ""
    ? []
    : await tx<UserRow[]>`
        select * from auth.users
        where instance_id = ${nilInstanceId} and (
          (${type} in ('signup', 'invite', 'email') and confirmation_token = ${hash})
          or (${type} in ('recovery', 'magiclink', 'email') and recovery_token = ${hash})
          or (${type} = 'email_change' and (email_change_token_new = ${hash} or email_change_token_current = ${hash})))
        limit 1 for update
      `;
  if (!user) throw linkInvalid();
  if (isBanned(user)) throw forbidden("user_banned", "User is banned");
  const resolved = type === "email" ? resolveEmailType(user, (stored) => stored === hash) : type;
  if (isOtpExpired(storedTokens(user, resolved).sentAt, config.email.otpExpiry)) throw linkInvalid();
  return { user, type: resolved };
}

/** The user whose emailed code is `otp` (GoTrue's verifyUserAndToken, for email codes). */
async function userByEmailCode(tx: Transaction, c: Context<AuthEnv>, type: string, email: string, otp: string, config: AuthConfig): Promise<{ user: UserRow; type: string }> {
  const hash = tokenHash(email, otp);
  const [user] = type === "email_change"
    ? await tx<UserRow[]>`
        select * from auth.users
        where instance_id = ${nilInstanceId} and aud = ${requestAud(c)} and is_sso_user = false and (
          (lower(email) = ${email} and email_change_token_current in (${hash}, ${pkcePrefix + hash}))
          or (lower(email_change) = ${email} and email_change_token_new in (${hash}, ${pkcePrefix + hash})))
        limit 1 for update
      `
    : await tx<UserRow[]>`
        select * from auth.users
        where instance_id = ${nilInstanceId} and lower(email) = ${email} and aud = ${requestAud(c)} and is_sso_user = false
        limit 1 for update
      `;
  if (!user) throw tokenInvalid();
  if (isBanned(user)) throw forbidden("user_banned", "User is banned");
  const matches = (stored: string) => stored !== "" && (stored === hash || stored === pkcePrefix + hash);
  const resolved = type === "email" ? resolveEmailType(user, matches) : type;
  const { tokens, sentAt } = storedTokens(user, resolved);
  if (!tokens.some(matches) || isOtpExpired(sentAt, config.email.otpExpiry)) throw tokenInvalid();
  return { user, type: resolved };
}

/** GoTrue's User.Confirm: the address is confirmed, the code spent, and the metadata says so. */
async function confirmEmail(tx: Transaction, user: UserRow): Promise<void> {
  await tx`
    update auth.users
    set email_confirmed_at = coalesce(email_confirmed_at, now()), confirmation_token = '',
        raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb, updated_at = now()
    where id = ${user.id}
  `;
}

/** GoTrue's signupVerify: an invited user without a password gets a random one; the address is confirmed. */
async function spendConfirmationToken(tx: Transaction, user: UserRow): Promise<void> {
  if (!user.encrypted_password && user.invited_at) {
    await tx`
      update auth.users set encrypted_password = extensions.crypt(${randomBytes(48).toString("base64url")}, extensions.gen_salt('bf', 10))
      where id = ${user.id}
    `;
  }
  await recordAudit(tx, user, "user_signedup", { provider: "email" });
  await confirmEmail(tx, user);
  if (user.email) {
    await tx`
      update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
      where user_id = ${user.id} and provider = 'email' and lower(identity_data ->> 'email') = lower(${user.email})
    `;
  }
}

/**
 * GoTrue's emailChangeVerify: with confirmations on and double_confirm_changes, the first of the two
 * links only marks one side confirmed (null is returned); otherwise the change is applied.
 */
async function spendEmailChangeToken(tx: Transaction, user: UserRow, spent: (stored: string) => boolean, config: AuthConfig): Promise<UserRow | null> {
  if (!config.email.autoconfirm && config.email.doubleConfirmChanges && (user.email_change_confirm_status ?? 0) === 0 && user.email) {
    const current = spent(user.email_change_token_current ?? "");
    await tx`
      update auth.users
      set email_change_confirm_status = 1,
          email_change_token_current = case when ${current} then '' else email_change_token_current end,
          email_change_token_new = case when ${current} then email_change_token_new else '' end
      where id = ${user.id}
    `;
    return null;
  }
  const newEmail = user.email_change ?? "";
  await recordAudit(tx, user, "user_modified");
  const [identity] = await tx`select id from auth.identities where user_id = ${user.id} and provider = 'email'`;
  if (identity) {
    await tx`
      update auth.identities set identity_data = identity_data || ${tx.json({ email: newEmail, email_verified: true })}, updated_at = now()
      where id = ${identity.id}
    `;
  } else {
    await insertIdentity(tx, user.id, "email", providerClaims(user.id, { email: newEmail }, true));
  }
  await tx`
    update auth.users
    set email = ${newEmail}, email_change = '', email_change_token_current = '', email_change_token_new = '',
        email_change_confirm_status = 0, updated_at = now()
    where id = ${user.id}
  `;
  if (!user.email_confirmed_at) await confirmEmail(tx, user);
  return user;
}

/** Spends the token of `type`; null when an email change still waits for its other link. */
async function spendToken(tx: Transaction, user: UserRow, type: string, spent: (stored: string) => boolean, config: AuthConfig): Promise<UserRow | null> {
  if (type === "signup" || type === "invite") await spendConfirmationToken(tx, user);
  else if (type === "email_change") return spendEmailChangeToken(tx, user, spent, config);
  else await spendRecoveryToken(tx, user);
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

/** GoTrue's prepRedirectURL: a message in the fragment, and for PKCE in the query as well. */
function messageRedirect(redirectTo: string, message: string, pkce: boolean): string {
  const url = new URL(redirectTo);
  if (pkce) url.searchParams.set("message", message);
  url.hash = new URLSearchParams({ message, sb: "" }).toString();
  return url.toString();
}

// models.ParseAuthenticationMethod: the flow-state method each link type signs in with.
const authenticationMethods: Record<string, string> = {
  signup: "email/signup",
  invite: "invite",
  recovery: "recovery",
  magiclink: "magiclink",
  email_change: "email_change",
};

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
        const found = await userByTokenHash(tx, type, token, config);
        const user = await spendToken(tx, found.user, found.type, (stored) => stored === token, config);
        if (!user) return messageRedirect(redirectTo, singleConfirmationAccepted, pkce);
        if (!pkce) return sessionRedirect(redirectTo, await newSession(tx, c, deps, user, config), type);
        const code = await issueAuthCode(tx, user.id, authenticationMethods[found.type] ?? found.type);
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
      const found = hash !== "" ? await userByTokenHash(tx, type, hash, config) : await userByEmailCode(tx, c, type, address, token, config);
      const code = tokenHash(address, token);
      const spent = (stored: string) => stored !== "" && (stored === hash || stored === code || stored === pkcePrefix + code);
      const user = await spendToken(tx, found.user, found.type, spent, config);
      return user ? newSession(tx, c, deps, user, config) : null;
    });
    if (!session) return c.json({ msg: singleConfirmationAccepted, code: "200" });
    return c.json(session);
  });
}
