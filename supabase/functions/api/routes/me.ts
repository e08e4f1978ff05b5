import { type Profile, updateProfileBody } from "../../_shared/schemas/me.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody } from "../../_shared/validation.ts";
import { givenColumns, type RouteDependencies, routes } from "./context.ts";

/**
 * /me — the signed-in person's own profile (GET /me itself, who the token says they are, is in app.ts).
 *   GET    /me/profile   their profile, with whether they are a platform admin           200
 *   PATCH  /me           full_name (≤ 200), avatar_url (http(s), ≤ 2048), locale (pt-BR|en)   200, 422
 * Written as the user: RLS lets them update only their own row, and column grants only these columns.
 */
export function meRoutes({ signedIn }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.get("/profile", async (c) => {
    const profile = await c.var.asUser((tx) => ownProfile(tx));
    return c.json(profile satisfies Profile);
  });

  app.patch("/", async (c) => {
    const body = await parseJsonBody(c, updateProfileBody);
    const given = new Set(givenColumns(body));
    const profile = await c.var.asUser(async (tx) => {
      // A field left out keeps its value; null clears it.
      await tx`
        update public.profiles p set
          full_name = case when ${given.has("full_name")} then ${body.full_name ?? null}::text else p.full_name end,
          avatar_url = case when ${given.has("avatar_url")} then ${body.avatar_url ?? null}::text else p.avatar_url end,
          locale = case when ${given.has("locale")} then ${body.locale ?? null}::text else p.locale end
        where p.id = (select auth.uid())`;
      return ownProfile(tx);
    });
    return c.json(profile satisfies Profile);
  });

  return app;
}

async function ownProfile(tx: TransactionSql): Promise<Profile> {
  const [row] = await tx<Profile[]>`
    select p.id, p.email, p.full_name, p.avatar_url, p.locale, p.is_platform_admin, p.updated_at
    from public.profiles p
    where p.id = (select auth.uid())`;
  return row;
}
