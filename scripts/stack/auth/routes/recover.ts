// POST /recover (GoTrue internal/api/recover.go and mail.go sendPasswordRecovery): emails a
// password-recovery link. The answer is 200 {} whether or not the address has an account, so it
// reveals nothing; only a known address gets an email, at most one per `max_frequency`.
import type { Hono } from "hono";
import { z } from "zod";
import { recordAudit } from "../audit.ts";
import { authConfig } from "../config.ts";
import { emailFrequencyError } from "../email-frequency.ts";
import { newOtp, tokenHash } from "../email-otp.ts";
import { recoveryEmail } from "../email-templates.ts";
import { badRequest } from "../errors.ts";
import { validateEmail } from "../identifiers.ts";
import { createFlowState, pkcePrefix, validatePkceParams } from "../pkce.ts";
import { referrer } from "../redirect-urls.ts";
import { goString, readParams } from "../request-body.ts";
import { requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { nilInstanceId, type UserRow } from "../users.ts";
import { localSender } from "../../mail/mailbox.ts";

const recoverParams = z.object({ email: goString, code_challenge: goString, code_challenge_method: goString });

export function recoverRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/recover", async (c) => {
    const config = authConfig();
    const params = await readParams(c, "RecoverParams", recoverParams);
    if (!params.email) throw badRequest("validation_failed", "Password recovery requires an email");
    const email = validateEmail(params.email);
    const challenge = params.code_challenge ?? "";
    const challengeMethod = params.code_challenge_method ?? "";
    validatePkceParams(challengeMethod, challenge);
    const redirectTo = referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });

    const recoveryMail = await deps.sql().begin(async (tx) => {
      const [user] = await tx<UserRow[]>`
        select * from auth.users
        where instance_id = ${nilInstanceId} and lower(email) = ${email} and aud = ${requestAud(c)} and is_sso_user = false
        limit 1 for update
      `;
      if (!user) return null;
      const tooSoon = emailFrequencyError(user.recovery_sent_at, config.email.maxFrequency);
      if (tooSoon) throw tooSoon;
      if (challenge !== "") {
        await createFlowState(tx, { userId: user.id, method: challengeMethod, challenge, authenticationMethod: "recovery" });
      }
      await recordAudit(tx, user, "user_recovery_requested");

      const otp = newOtp(config.email.otpLength);
      const token = (challenge !== "" ? pkcePrefix : "") + tokenHash(user.email ?? email, otp);
      await tx`update auth.users set recovery_token = ${token}, recovery_sent_at = now(), updated_at = now() where id = ${user.id}`;
      const confirmationUrl = `${deps.externalUrl}/verify?${new URLSearchParams({ token, type: "recovery", redirect_to: redirectTo })}`;
      const { subject, html } = recoveryEmail(config.email.recoveryTemplate, {
        SiteURL: config.siteUrl,
        ConfirmationURL: confirmationUrl,
        Email: user.email ?? email,
        Token: otp,
        TokenHash: token,
        RedirectTo: redirectTo,
      });
      return { from: localSender, to: user.email ?? email, subject, html };
    });
    // Sent once the token is stored, so the link in it always works.
    if (recoveryMail) deps.mail.send(recoveryMail);
    return c.json({});
  });
}
