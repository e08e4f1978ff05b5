// /user/identities (GoTrue internal/api/identity.go), behind `linkIdentity` and `unlinkIdentity`:
// with `[auth] enable_manual_linking = false` (the CLI's default) GoTrue refuses both with 404
// manual_linking_disabled, after checking the caller is signed in. With linking on, unlinking works
// as GoTrue's DeleteIdentity does; linking needs an OAuth provider, which a local stack lacks.
import type { Hono } from "hono";
import { requireUser } from "../authentication.ts";
import { authConfig } from "../config.ts";
import { badRequest, notFound, unprocessable } from "../errors.ts";
import type { AuthDeps, AuthEnv } from "../route-context.ts";
import { identitiesOf, userResponse } from "../users.ts";

function requireManualLinking(): void {
  if (!authConfig().manualLinking) throw notFound("manual_linking_disabled", "Manual linking is disabled");
}

export function identityRoutes(app: Hono<AuthEnv>, deps: AuthDeps): void {
  app.get("/user/identities/authorize", async (c) => {
    await requireUser(deps.sql(), c.req.header("authorization"));
    requireManualLinking();
    throw badRequest("validation_failed", `Unsupported provider: ${c.req.query("provider") ?? ""}`);
  });

  app.delete("/user/identities/:identityId", async (c) => {
    const { user } = await requireUser(deps.sql(), c.req.header("authorization"));
    requireManualLinking();
    const identities = (await identitiesOf(deps.sql(), [user.id])).get(user.id) ?? [];
    const identity = identities.find((candidate) => candidate.id === c.req.param("identityId"));
    if (!identity) throw unprocessable("identity_not_found", "Identity doesn't exist");
    if (identities.length <= 1) throw unprocessable("single_identity_not_deletable", "User must have at least 1 identity after unlinking");
    await deps.sql()`delete from auth.identities where id = ${identity.id}`;
    return c.json(await userResponse(deps.sql(), user.id));
  });
}
