import {
  type AcceptedInvitation,
  invitationParams,
  type MyInvitation,
  type MyInvitationList,
} from "../../_shared/schemas/invitations.ts";
import { withUserTransaction } from "../../_shared/user-transaction.ts";
import { parseParams } from "../../_shared/validation.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /invitations — invitations addressed to the caller (the email in their access token). Pending
 * invitations are also accepted by themselves at the next sign-in.
 *   GET    /invitations              any signed-in user: their pending invitations          200
 *   POST   /invitations/:id/accept   the invitee: joins the company with the invited role   200, 403 suspended, 404, 422 expired/accepted
 */
export function invitationRoutes({ sql, signedIn }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.get("/", async (c) => {
    const items = await withUserTransaction(sql, c.var.claims, async (tx) => {
      const rows = await tx<{ invitation: MyInvitation }[]>`
        select to_jsonb(i) as invitation from public.list_my_invitations() i`;
      return rows.map((row) => row.invitation);
    });
    return c.json({ items } satisfies MyInvitationList);
  });

  app.post("/:id/accept", async (c) => {
    const { id } = parseParams(c, invitationParams);
    const membership = await withUserTransaction(sql, c.var.claims, async (tx) => {
      const [row] = await tx<{ membership: AcceptedInvitation }[]>`
        select jsonb_build_object('tenant_id', m.tenant_id, 'user_id', m.user_id, 'role', m.role, 'created_at', m.created_at)
                 as membership
        from public.accept_invitation(${id}) m`;
      return row.membership;
    });
    return c.json(membership);
  });

  return app;
}
