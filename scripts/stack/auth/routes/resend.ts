// POST /resend (GoTrue internal/api/resend.go): the sign-up confirmation or the email-change links
// again, within `max_frequency`. Answers {} also when there is nothing to resend, so it reveals
// nothing about the address.
import type { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../audit.ts";
import { authConfig } from "../config.ts";
import { deliver, sendConfirmation, sendEmailChange, type OutgoingEmail } from "../emailed-links.ts";
import { badRequest } from "../errors.ts";
import { validateEmail, validatePhone } from "../identifiers.ts";
import { createFlowState, validatePkceParams } from "../pkce.ts";
import { referrer } from "../redirect-urls.ts";
import { goString, readParams } from "../request-body.ts";
import { requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { findUserByEmail } from "../users.ts";

const resendParams = z.object({
  type: goString,
  email: goString,
  phone: goString,
  code_challenge: goString,
  code_challenge_method: goString,
});

export function resendRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/resend", async (c) => {
    const config = authConfig();
    const params = await readParams(c, "ResendConfirmationParams", resendParams);
    const type = params.type ?? "";
    const email = params.email ?? "";
    const phone = params.phone ?? "";
    const challenge = params.code_challenge ?? "";
    const challengeMethod = params.code_challenge_method ?? "";
    if (type === "signup" || type === "email_change") validatePkceParams(challengeMethod, challenge);
    else if (type !== "sms" && type !== "phone_change") {
      throw badRequest("validation_failed", "Missing one of these types: signup, email_change, sms, phone_change");
    }
    if (email === "" && type === "signup") throw badRequest("validation_failed", "Type provided requires an email address");
    if (phone === "" && type === "sms") throw badRequest("validation_failed", "Type provided requires a phone number");
    if (email !== "" && phone !== "") throw badRequest("validation_failed", "Only an email address or phone number should be provided.");
    if (phone !== "") {
      validatePhone(phone);
      throw badRequest("phone_provider_disabled", "Phone logins are disabled");
    }
    if (email === "") throw badRequest("validation_failed", "Missing email address or phone number");
    if (!config.email.enabled) throw badRequest("email_provider_disabled", "Email logins are disabled");
    const address = validateEmail(email);
    const redirectTo = referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });
    const pkce = challenge !== "";
    const context = { config, externalUrl: deps.externalUrl, redirectTo, pkce };

    const emails: OutgoingEmail[] = await deps.sql().begin(async (tx) => {
      const user = await findUserByEmail(tx, address, requestAud(c));
      if (!user) return [];
      if (type === "signup") {
        if (user.email_confirmed_at) return [];
        await recordAudit(tx, user, "user_confirmation_requested");
        if (pkce) await createFlowState(tx, { userId: user.id, method: challengeMethod, challenge, authenticationMethod: "email/signup" });
        return sendConfirmation(tx, user, context);
      }
      if (!user.email_change) return [];
      if (pkce) await createFlowState(tx, { userId: user.id, method: challengeMethod, challenge, authenticationMethod: "email_change" });
      return sendEmailChange(tx, user, user.email_change, context);
    });
    deliver(deps.mail, emails);
    return c.json({});
  });
}
