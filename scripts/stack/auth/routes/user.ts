// GET /user and PUT /user (GoTrue internal/api/user.go): the signed-in user, and the changes a
// user may make to their own account.
import type { Hono } from "hono";
import type postgres from "postgres";
import { z } from "zod";
import { recordAudit } from "../audit.ts";
import { requireUser } from "../authentication.ts";
import { authConfig } from "../config.ts";
import { epochSeconds } from "../database.ts";
import { badRequest, forbidden, unprocessable } from "../errors.ts";
import { validateEmail, validatePhone } from "../identifiers.ts";
import { checkPasswordStrength } from "../passwords.ts";
import { goMap, goString, readParams } from "../request-body.ts";
import { requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { endSessions } from "../sessions.ts";
import { isOtpExpired, tokenHash } from "../email-otp.ts";
import { deliver, sendEmailChange, type OutgoingEmail } from "../emailed-links.ts";
import { createFlowState, validatePkceParams } from "../pkce.ts";
import { referrer } from "../redirect-urls.ts";
import { emailTaken, identitiesOf, mergeMetadata, userJson, userResponse, type UserRow } from "../users.ts";

const userUpdateParams = z.object({
  email: goString,
  password: goString,
  nonce: goString,
  data: goMap,
  app_metadata: goMap,
  phone: goString,
  channel: goString,
  code_challenge: goString,
  code_challenge_method: goString,
});

export function userRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.get("/user", async (c) => {
    const { claims, user } = await requireUser(deps.sql(), c.req.header("authorization"));
    const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    if (!audience || (c.req.header("x-jwt-aud") || audience) !== audience) {
      throw badRequest("validation_failed", "Token audience doesn't match request audience");
    }
    return c.json(userJson(user, (await identitiesOf(deps.sql(), [user.id])).get(user.id) ?? []));
  });

  app.put("/user", async (c) => {
    const config = authConfig();
    const sql = deps.sql();
    const { user, session } = await requireUser(sql, c.req.header("authorization"));
    const params = await readParams(c, "UserUpdateParams", userUpdateParams);

    const email = params.email ? validateEmail(params.email) : "";
    if (params.phone) validatePhone(params.phone);
    const password = params.password ?? null;
    if (password !== null) checkPasswordStrength(password, config);
    if (params.app_metadata) throw forbidden("not_admin", "Updating app_metadata requires admin privileges");
    if (params.phone && validatePhone(params.phone) !== user.phone) {
      // A phone change is confirmed by SMS, which a local stack cannot send.
      throw unprocessable("phone_provider_disabled", "Phone logins are disabled");
    }
    const changesEmail = email !== "" && email !== user.email;
    if (changesEmail && (await emailTaken(sql, email, user.aud ?? requestAud(c), user.id))) {
      throw unprocessable("email_exists", "A user with this email address has already been registered");
    }
    if (password !== null) {
      // `[auth.email] secure_password_change`: a session older than a day must reauthenticate,
      // which needs an emailed nonce the stand-in cannot send.
      const recent = session !== null && Date.now() / 1000 < epochSeconds(session.created_at) + 24 * 3600;
      if (config.email.securePasswordChange && !recent) {
        if (!params.nonce) throw badRequest("reauthentication_needed", "Password update requires reauthentication");
        // GoTrue's verifyReauthentication: the code /reauthenticate emailed, once and for `otp_expiry`.
        const valid = (user.reauthentication_token ?? "") !== "" && user.email &&
          user.reauthentication_token === tokenHash(user.email, params.nonce) &&
          !isOtpExpired(user.reauthentication_sent_at, config.email.otpExpiry);
        if (!valid) throw unprocessable("reauthentication_not_valid", "Nonce has expired or is invalid");
        await sql`update auth.users set reauthentication_token = '', reauthentication_sent_at = null where id = ${user.id}`;
      }
      const [same] = await sql<{ same: boolean }[]>`
        select coalesce(encrypted_password, '') <> '' and extensions.crypt(${password}, encrypted_password) = encrypted_password as same
        from auth.users where id = ${user.id}
      `;
      if (same?.same) throw unprocessable("same_password", "New password should be different from the old password.");
    }

    const redirectTo = referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });
    if (changesEmail) validatePkceParams(params.code_challenge_method ?? "", params.code_challenge ?? "");
    let emails: OutgoingEmail[] = [];
    const body = await sql.begin(async (tx) => {
      if (password !== null) {
        await tx`
          update auth.users
          set encrypted_password = extensions.crypt(${password}, extensions.gen_salt('bf', 10)),
              confirmation_token = '', confirmation_sent_at = null, recovery_token = '', recovery_sent_at = null,
              email_change_token_current = '', email_change_token_new = '', email_change_sent_at = null,
              phone_change_token = '', phone_change_sent_at = null, reauthentication_token = '', reauthentication_sent_at = null,
              updated_at = now()
          where id = ${user.id}
        `;
        // A new password signs the user out everywhere else.
        await endSessions(tx, user.id, session ? { except: session.id } : {});
        await recordAudit(tx, user, "user_updated_password");
      }
      if (params.data) {
        const metadata = mergeMetadata(user.raw_user_meta_data, params.data);
        await tx`update auth.users set raw_user_meta_data = ${tx.json(metadata as postgres.JSONValue)}, updated_at = now() where id = ${user.id}`;
      }
      if (changesEmail) {
        // As GoTrue: a permanent user's new address is never taken on trust. A link goes to it (and,
        // with double_confirm_changes, one to the current address); /verify applies the change.
        const pkce = (params.code_challenge ?? "") !== "";
        if (pkce) {
          await createFlowState(tx, { userId: user.id, method: params.code_challenge_method ?? "", challenge: params.code_challenge ?? "", authenticationMethod: "email_change" });
        }
        const [fresh] = await tx<UserRow[]>`select * from auth.users where id = ${user.id} for update`;
        emails = await sendEmailChange(tx, fresh, email, { config, externalUrl: deps.externalUrl, redirectTo, pkce });
      }
      await recordAudit(tx, user, "user_modified");
      return userResponse(tx, user.id);
    });
    deliver(deps.mail, emails);
    return c.json(body);
  });
}
