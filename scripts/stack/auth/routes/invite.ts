// POST /invite (GoTrue internal/api/invite.go), behind `supabase.auth.admin.inviteUserByEmail`: an
// admin creates the user (no password, unconfirmed) and Auth emails an invitation link, which
// confirms the address and signs the person in. A confirmed address cannot be invited again.
import type { Hono } from "hono";
import { z } from "zod";
import { adminActor, recordAudit } from "../audit.ts";
import { requireAdmin } from "../authentication.ts";
import { authConfig } from "../config.ts";
import { deliver, sendInvite } from "../emailed-links.ts";
import { unprocessable } from "../errors.ts";
import { validateEmail } from "../identifiers.ts";
import { referrer } from "../redirect-urls.ts";
import { goMap, goString, readParams } from "../request-body.ts";
import { requestAud, type AuthDeps, type AuthEnv } from "../route-context.ts";
import { createEmailUser, findUserByEmail, userResponse } from "../users.ts";

const inviteParams = z.object({ email: goString, data: goMap });

export function inviteRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/invite", async (c) => {
    const role = await requireAdmin(c.req.header("authorization"));
    const config = authConfig();
    const params = await readParams(c, "InviteParams", inviteParams);
    const email = validateEmail(params.email ?? "");
    const aud = requestAud(c);
    const redirectTo = referrer(config, { header: (name) => c.req.header(name), query: (name) => c.req.query(name) });

    const { body, emails } = await deps.sql().begin(async (tx) => {
      let user = await findUserByEmail(tx, email, aud);
      if (user?.email_confirmed_at) throw unprocessable("email_exists", "A user with this email address has already been registered");
      user ??= await createEmailUser(tx, { aud, email, password: null, data: params.data ?? {}, confirmed: false });
      await recordAudit(tx, adminActor(role), "user_invited", { user_id: user.id, user_email: user.email });
      const emails = await sendInvite(tx, user, { config, externalUrl: deps.externalUrl, redirectTo });
      return { body: await userResponse(tx, user.id), emails };
    });
    deliver(deps.mail, emails);
    return c.json(body);
  });
}
