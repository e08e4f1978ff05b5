// POST /signup (GoTrue internal/api/signup.go), for email and password. With the CLI's default
// `[auth.email] enable_confirmations = false` the user is confirmed at once and gets a session;
// with confirmations on, the user is created unconfirmed and returned without one, and the
// confirmation link is emailed (at most one per `max_frequency`).
import { randomUUID } from "node:crypto";
import type { Hono } from "hono";
import type postgres from "postgres";
import { z } from "zod";
import { recordAudit } from "../audit.ts";
import { authConfig } from "../config.ts";
import { badRequest, unprocessable } from "../errors.ts";
import { validateEmail } from "../identifiers.ts";
import { checkPasswordStrength } from "../passwords.ts";
import { goMap, goString, readParams } from "../request-body.ts";
import { clientOf, requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { sessionResponse, startSession } from "../sessions.ts";
import { deliver, sendConfirmation, type OutgoingEmail } from "../emailed-links.ts";
import { createFlowState, validatePkceParams } from "../pkce.ts";
import { referrer } from "../redirect-urls.ts";
import { rateLimitKey } from "../sign-in-limiter.ts";
import { emailTaken, insertIdentity, insertUser, providerClaims, userResponse, type Metadata, type UserRow } from "../users.ts";

const signupParams = z.object({
  email: goString,
  phone: goString,
  password: goString,
  data: goMap,
  channel: goString,
  code_challenge: goString,
  code_challenge_method: goString,
});

const emailProvider = { provider: "email", providers: ["email"] };

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "23505";
}

export function signupRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/signup", async (c) => {
    const config = authConfig();
    const params = await readParams(c, "SignupParams", signupParams);
    const email = params.email ?? "";
    const phone = params.phone ?? "";
    if (email === "" && phone === "") {
      // GoTrue treats a signup without email or phone as an anonymous sign-in, which the stand-in does not offer.
      throw unprocessable("anonymous_provider_disabled", "Anonymous sign-ins are disabled");
    }
    deps.limiter.take("sign_in_sign_ups", rateLimitKey((name) => c.req.header(name)), config.rateLimit.signInSignUps);
    if (!config.enableSignup) throw unprocessable("signup_disabled", "Signups not allowed for this instance");
    const password = params.password ?? "";
    if (password === "") throw badRequest("validation_failed", "Signup requires a valid password");
    checkPasswordStrength(password, config);
    if (email !== "" && phone !== "") {
      throw badRequest("validation_failed", "Only an email address or phone number should be provided on signup.");
    }
    // Phone sign-ups need an SMS provider, which a local stack does not have.
    if (phone !== "") throw badRequest("phone_provider_disabled", "Phone signups are disabled");
    if (!config.email.enabled) throw badRequest("email_provider_disabled", "Email signups are disabled");
    const address = validateEmail(email);
    const aud = requestAud(c);
    const data: Metadata = params.data ?? {};
    const sql = deps.sql();

    const existing = await emailTaken(sql, address, aud);
    if (existing) {
      await recordAudit(sql, existing, "user_repeated_signup", { provider: "email" });
      if (config.email.autoconfirm) throw unprocessable("user_already_exists", "User already registered");
      // With confirmations on, GoTrue hides whether the address is registered behind a made-up user.
      const now = new Date().toISOString();
      return c.json({
        id: randomUUID(),
        aud,
        role: "",
        email: address,
        phone: "",
        confirmation_sent_at: now,
        app_metadata: emailProvider,
        user_metadata: data,
        identities: [],
        created_at: now,
        updated_at: now,
        is_anonymous: false,
      });
    }

    validatePkceParams(params.code_challenge_method ?? "", params.code_challenge ?? "");
    const redirectTo = referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });
    let emails: OutgoingEmail[] = [];
    try {
      const body = await sql.begin(async (tx) => {
        const userId = await insertUser(tx, {
          aud,
          email: address,
          phone: null,
          password: { plain: password },
          appMetadata: emailProvider,
          userMetadata: data,
        });
        // The identity's data is the provider claims plus the sign-up data, and becomes the user's metadata.
        const identityData: Metadata = { ...data, ...providerClaims(userId, { email: address }) };
        await insertIdentity(tx, userId, "email", identityData);
        await tx`
          update auth.users set role = 'authenticated', raw_user_meta_data = ${tx.json(identityData as postgres.JSONValue)}, updated_at = now()
          where id = ${userId}
        `;
        const actor = { id: userId, email: address, phone: null, raw_user_meta_data: identityData };
        if (!config.email.autoconfirm) {
          await recordAudit(tx, actor, "user_confirmation_requested", { provider: "email" });
          const pkce = (params.code_challenge ?? "") !== "";
          if (pkce) {
            await createFlowState(tx, { userId, method: params.code_challenge_method ?? "", challenge: params.code_challenge ?? "", authenticationMethod: "email/signup" });
          }
          const [user] = await tx<UserRow[]>`select * from auth.users where id = ${userId}`;
          emails = await sendConfirmation(tx, user, { config, externalUrl: deps.externalUrl, redirectTo, pkce });
          return userResponse(tx, userId);
        }
        await recordAudit(tx, actor, "user_signedup", { provider: "email" });
        await tx`
          update auth.users
          set email_confirmed_at = now(), confirmation_token = '',
              raw_user_meta_data = raw_user_meta_data || '{"email_verified": true}'::jsonb, updated_at = now()
          where id = ${userId}
        `;
        await recordAudit(tx, actor, "login", { provider: "email" });
        const { sessionId, refreshToken } = await startSession(tx, userId, clientOf(c));
        return sessionResponse(tx, { userId, sessionId, refreshToken }, { config, issuer: deps.issuer(config.jwtIssuer) });
      });
      deliver(deps.mail, emails);
      return c.json(body);
    } catch (error) {
      // Two sign-ups for one address at once: the unique index decides, as it does for GoTrue.
      if (isUniqueViolation(error)) throw unprocessable("user_already_exists", "User already registered");
      throw error;
    }
  });
}
