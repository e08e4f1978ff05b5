import {
  type AcceptedInvitation,
  answerInvitationBody,
  declineInvitationBody,
  invitationParams,
  invitationTokenQuery,
  type LinkedInvitation,
  type MyInvitation,
  type MyInvitationList,
} from "../../_shared/schemas/invitations.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /invitations — invitations from the invitee's side. Answering one takes the token of the link
 * e-mailed to the invited address (the proof of owning it); signing in never accepts anything.
 *   GET    /invitations                     any signed-in user: pending invitations to their address  200
 *   GET    /invitations/:id?token=          holder of the link: the invitation and its state           200, 403 token, 404
 *   POST   /invitations/:id/accept {token}  holder of the link signed in with the invited address:
 *                                           joins with the invited role                               200, 403 token/address or suspended, 404, 422 answered/expired
 *   POST   /invitations/:id/decline {token} holder of the link: the invitation, now declined            200, 403 token, 404, 422 answered/expired
 *   POST   /invitations/:id/decline {}      the invitee from their list (account with the invited
 *                                           address): the invitation, now declined                    200, 404 another's, 422 answered/expired
 */
export function invitationRoutes({ signedIn }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.get("/", async (c) => {
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ invitation: MyInvitation }[]>`
        select to_jsonb(i) as invitation from public.list_my_invitations() i`;
      return rows.map((row) => row.invitation);
    });
    return c.json({ items } satisfies MyInvitationList);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, invitationParams);
    const { token } = parseQuery(c, invitationTokenQuery);
    const invitation = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ invitation: LinkedInvitation }[]>`
        select to_jsonb(i) as invitation from public.read_invitation(${id}, ${token}) i`;
      return row.invitation;
    });
    return c.json(invitation);
  });

  app.post("/:id/accept", async (c) => {
    const { id } = parseParams(c, invitationParams);
    const { token } = await parseJsonBody(c, answerInvitationBody);
    const membership = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ membership: AcceptedInvitation }[]>`
        select jsonb_build_object('tenant_id', m.tenant_id, 'user_id', m.user_id, 'role', m.role, 'created_at', m.created_at)
                 as membership
        from public.accept_invitation(${id}, ${token}) m`;
      return row.membership;
    });
    return c.json(membership);
  });

  app.post("/:id/decline", async (c) => {
    const { id } = parseParams(c, invitationParams);
    const { token } = await parseJsonBody(c, declineInvitationBody);
    const invitation = await c.var.asUser(async (tx) => {
      if (token === undefined) {
        const [row] = await tx<{ invitation: LinkedInvitation }[]>`
          select to_jsonb(i) as invitation from public.decline_my_invitation(${id}) i`;
        return row.invitation;
      }
      await tx`select public.decline_invitation(${id}, ${token})`;
      const [row] = await tx<{ invitation: LinkedInvitation }[]>`
        select to_jsonb(i) as invitation from public.read_invitation(${id}, ${token}) i`;
      return row.invitation;
    });
    return c.json(invitation);
  });

  return app;
}
