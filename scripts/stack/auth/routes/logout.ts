// POST /logout?scope=global|local|others (GoTrue internal/api/logout.go): ends sessions, whose
// refresh tokens go with them; answers 204.
import type { Hono } from "hono";
import { recordAudit } from "../audit.ts";
import { requireUser } from "../authentication.ts";
import { badRequest } from "../errors.ts";
import type { AuthDeps, AuthEnv } from "../route-context.ts";
import { endSessions } from "../sessions.ts";

export function logoutRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.post("/logout", async (c) => {
    const sql = deps.sql();
    const { user, session } = await requireUser(sql, c.req.header("authorization"));
    const scope = c.req.query("scope") ?? "";
    if (!["", "global", "local", "others"].includes(scope)) {
      throw badRequest("validation_failed", `Unsupported logout scope ${JSON.stringify(scope)}`);
    }
    await sql.begin(async (tx) => {
      await recordAudit(tx, user, "logout");
      // A token without a session id can only be signed out everywhere.
      if (session && scope === "local") await endSessions(tx, user.id, { only: session.id });
      else if (session && scope === "others") await endSessions(tx, user.id, { except: session.id });
      else await endSessions(tx, user.id);
    });
    return c.body(null, 204);
  });
}
