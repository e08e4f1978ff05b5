// GET /reauthenticate (GoTrue internal/api/reauthenticate.go), behind `supabase.auth.reauthenticate()`:
// emails the signed-in user a code, the nonce that PUT /user asks for before a password change when
// `[auth.email] secure_password_change` is on and the session is older than a day.
import type { Hono } from "hono";
import { recordAudit } from "../audit.ts";
import { requireUser } from "../authentication.ts";
import { authConfig } from "../config.ts";
import { deliver, sendReauthentication } from "../emailed-links.ts";
import { badRequest, unprocessable } from "../errors.ts";
import type { AuthDeps, AuthEnv } from "../route-context.ts";
import { findUserById } from "../users.ts";

export function reauthenticateRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.get("/reauthenticate", async (c) => {
    const config = authConfig();
    const { user } = await requireUser(deps.sql(), c.req.header("authorization"));
    if (!user.email && !user.phone) {
      throw badRequest("validation_failed", "Reauthentication requires the user to have an email or a phone number");
    }
    if (user.email && !user.email_confirmed_at) throw unprocessable("email_not_confirmed", "Please verify your email first.");
    // Phone users would get an SMS, which a local stack cannot send.
    if (!user.email) throw badRequest("phone_provider_disabled", "Phone logins are disabled");
    const emails = await deps.sql().begin(async (tx) => {
      const locked = (await findUserById(tx, user.id, { forUpdate: true })) ?? user;
      await recordAudit(tx, locked, "user_reauthenticate_requested");
      return sendReauthentication(tx, locked, { config, externalUrl: deps.externalUrl, redirectTo: config.siteUrl });
    });
    deliver(deps.mail, emails);
    return c.json({});
  });
}
