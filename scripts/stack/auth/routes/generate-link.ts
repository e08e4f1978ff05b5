// POST /admin/generate_link (GoTrue internal/api/mail.go adminGenerateLink), behind
// `supabase.auth.admin.generateLink`: the same links and codes the emails carry, answered to the
// admin instead of emailed. Types: signup, invite, magiclink, recovery, email_change_current,
// email_change_new. The answer is the user's JSON plus action_link, email_otp, hashed_token,
// verification_type and redirect_to.
import type { Hono } from "hono";
import { randomBytes } from "node:crypto";
import type postgres from "postgres";
import { z } from "zod";
import { adminActor, recordAudit } from "../audit.ts";
import { requireAdmin } from "../authentication.ts";
import { authConfig } from "../config.ts";
import { tokenHash } from "../email-otp.ts";
import { actionLink, newEmailToken } from "../emailed-links.ts";
import { badRequest, notFound, unprocessable } from "../errors.ts";
import { validateEmail } from "../identifiers.ts";
import { isRedirectUrlValid, referrer } from "../redirect-urls.ts";
import { goMap, goString, readParams } from "../request-body.ts";
import { requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { createEmailUser, emailTaken, findUserByEmail, mergeMetadata, userResponse, type UserRow } from "../users.ts";

const generateLinkParams = z.object({
  type: goString,
  email: goString,
  new_email: goString,
  password: goString,
  data: goMap,
  redirect_to: goString,
});

const duplicateEmail = () => unprocessable("email_exists", "A user with this email address has already been registered");

export function generateLinkRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/admin/generate_link", async (c) => {
    const role = await requireAdmin(c.req.header("authorization"));
    const config = authConfig();
    const params = await readParams(c, "GenerateLinkParams", generateLinkParams);
    const email = validateEmail(params.email ?? "");
    const requested = params.redirect_to ?? "";
    const redirectTo = isRedirectUrlValid(config, requested)
      ? requested
      : referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });
    const aud = requestAud(c);
    let type = params.type ?? "";

    const answer = await deps.sql().begin(async (tx) => {
      let user: UserRow | null = await findUserByEmail(tx, email, aud);
      if (!user) {
        if (type === "magiclink") type = "signup";
        else if (["recovery", "email_change_current", "email_change_new"].includes(type)) {
          throw notFound("user_not_found", "User with this email not found");
        }
      }
      const { otp, hash } = newEmailToken(config, email);
      let linkToken = hash;
      switch (type) {
        case "magiclink":
        case "recovery":
          await recordAudit(tx, user!, "user_recovery_requested");
          await tx`update auth.users set recovery_token = ${hash}, recovery_sent_at = now() where id = ${user!.id}`;
          break;
        case "invite":
          if (user?.email_confirmed_at) throw duplicateEmail();
          user ??= await createEmailUser(tx, { aud, email, password: null, data: params.data ?? {}, confirmed: false });
          await recordAudit(tx, adminActor(role), "user_invited", { user_id: user.id, user_email: user.email });
          await tx`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = now(), invited_at = now() where id = ${user.id}`;
          break;
        case "signup":
          if (user?.email_confirmed_at) throw duplicateEmail();
          if (user) {
            const metadata = mergeMetadata(user.raw_user_meta_data, params.data ?? {});
            await tx`update auth.users set raw_user_meta_data = ${tx.json(metadata as postgres.JSONValue)} where id = ${user.id}`;
          } else {
            const password = params.password || randomBytes(48).toString("base64url");
            user = await createEmailUser(tx, { aud, email, password, data: params.data ?? {}, confirmed: false });
          }
          await tx`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = now() where id = ${user.id}`;
          break;
        case "email_change_current":
        case "email_change_new": {
          if (!config.email.doubleConfirmChanges && type === "email_change_current") {
            throw badRequest("validation_failed", "Enable secure email change to generate link for current email");
          }
          const newEmail = validateEmail(params.new_email ?? "");
          if (await emailTaken(tx, newEmail, user!.aud ?? aud, user!.id)) throw duplicateEmail();
          // GoTrue hashes the new address's token over the new address, with the same code.
          const current = type === "email_change_current" ? hash : "";
          const next = type === "email_change_new" ? tokenHash(newEmail, otp) : "";
          linkToken = current || next;
          await tx`
            update auth.users
            set email_change = ${newEmail}, email_change_sent_at = now(), email_change_confirm_status = 0,
                email_change_token_current = ${current}, email_change_token_new = ${next}
            where id = ${user!.id}
          `;
          break;
        }
        default:
          throw badRequest("validation_failed", `Invalid email action link type requested: ${type}`);
      }
      const linkType = type.startsWith("email_change") ? "email_change" : type;
      return {
        ...(await userResponse(tx, user!.id)),
        action_link: actionLink(deps.externalUrl, linkToken, linkType, redirectTo),
        email_otp: otp,
        hashed_token: hash,
        verification_type: type,
        redirect_to: redirectTo,
      };
    });
    return c.json(answer);
  });
}
