// POST /otp (GoTrue internal/api/otp.go and magic_link.go), behind `signInWithOtp`: emails a
// sign-in link and code to a confirmed address. An unknown address is signed up first (unless
// `create_user` is false: 422 otp_disabled); an unconfirmed one gets the sign-up confirmation
// instead. Answers {} either way. Phone codes need an SMS provider, which a local stack lacks.
import type { Hono } from "hono";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../audit.ts";
import { authConfig } from "../config.ts";
import { deliver, sendConfirmation, sendMagicLink, type OutgoingEmail } from "../emailed-links.ts";
import { badRequest, unprocessable } from "../errors.ts";
import { validateEmail, validatePhone } from "../identifiers.ts";
import { createFlowState, validatePkceParams } from "../pkce.ts";
import { referrer } from "../redirect-urls.ts";
import { goBool, goMap, goString, readParams } from "../request-body.ts";
import { requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { createEmailUser, findUserByEmail } from "../users.ts";

const otpParams = z.object({
  email: goString,
  phone: goString,
  create_user: goBool,
  data: goMap,
  channel: goString,
  code_challenge_method: goString,
  code_challenge: goString,
});

export function otpRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/otp", async (c) => {
    const config = authConfig();
    const params = await readParams(c, "OtpParams", otpParams);
    const email = params.email ?? "";
    const phone = params.phone ?? "";
    if (email !== "" && phone !== "") throw badRequest("validation_failed", "Only an email address or phone number should be provided");
    if (email !== "" && (params.channel ?? "") !== "") throw badRequest("validation_failed", "Channel should only be specified with Phone OTP");
    const challenge = params.code_challenge ?? "";
    const challengeMethod = params.code_challenge_method ?? "";
    validatePkceParams(challengeMethod, challenge);
    const aud = requestAud(c);
    const address = email !== "" ? validateEmail(email) : "";
    if (params.create_user === false && address !== "" && !(await findUserByEmail(deps.sql(), address, aud))) {
      throw unprocessable("otp_disabled", "Signups not allowed for otp");
    }
    if (phone !== "") {
      validatePhone(phone);
      throw badRequest("phone_provider_disabled", "Unsupported phone provider");
    }
    if (address === "") throw badRequest("validation_failed", "One of email or phone must be set");
    if (!config.email.enabled) throw unprocessable("email_provider_disabled", "Email logins are disabled");
    const redirectTo = referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });
    const pkce = challenge !== "";
    const context = { config, externalUrl: deps.externalUrl, redirectTo, pkce };

    const emails: OutgoingEmail[] = await deps.sql().begin(async (tx) => {
      let user = await findUserByEmail(tx, address, aud);
      if (!user) {
        if (!config.enableSignup) throw unprocessable("signup_disabled", "Signups not allowed for this instance");
        // GoTrue signs the person up with a random password they never learn.
        user = await createEmailUser(tx, {
          aud,
          email: address,
          password: randomBytes(33).toString("base64url"),
          data: params.data ?? {},
          confirmed: config.email.autoconfirm,
        });
        await recordAudit(tx, user, config.email.autoconfirm ? "user_signedup" : "user_confirmation_requested", { provider: "email" });
      }
      if (!user.email_confirmed_at) {
        if (pkce) await createFlowState(tx, { userId: user.id, method: challengeMethod, challenge, authenticationMethod: "email/signup" });
        return sendConfirmation(tx, user, context);
      }
      if (pkce) await createFlowState(tx, { userId: user.id, method: challengeMethod, challenge, authenticationMethod: "magiclink" });
      await recordAudit(tx, user, "user_recovery_requested");
      return sendMagicLink(tx, user, context);
    });
    deliver(deps.mail, emails);
    return c.json({});
  });
}
