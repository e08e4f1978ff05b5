import { ApiError } from "../../_shared/errors.ts";
import type { SendInvitationMail } from "../../_shared/invitation-mail.ts";
import {
  changeMemberRoleBody,
  type Invitation,
  type InvitationList,
  invitationParams,
  inviteMemberBody,
  type Member,
  memberListQuery,
  type MemberPage,
  memberParams,
} from "../../_shared/schemas/members.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import {
  containsPattern,
  pageWindow,
  refusedOrMissing,
  requireCapability,
  type RouteDependencies,
  routes,
} from "./context.ts";

/**
 * /members — the people in the current tenant (X-Tenant-Id) and the invitations to join it.
 *   GET    /members                       members                                     200
 *   PATCH  /members/:user_id              owners and admins (owners for owners)       200, 403, 404, 422 last owner
 *   DELETE /members/:user_id              owners and admins; anyone for themselves    204, 403, 404, 422 last owner
 *   GET    /members/invitations           owners and admins: pending invitations      200, 403
 *   POST   /members/invitations           owners and admins (owners invite owners);   201, 403, 409, 422, 429, 502
 *                                          e-mails the invitation link through Auth
 *   POST   /members/invitations/:id/resend owners and admins: a new link (the old stops) 200, 403, 404, 422, 429, 502
 *   DELETE /members/invitations/:id       owners and admins                           204, 403, 404
 */
export function memberRoutes({ signedIn, inTenant, sendInvitationMail }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, memberListQuery);
    const { limit, offset } = pageWindow(query);
    const tenantId = c.var.tenant.id;
    const pattern = containsPattern(query.search);
    const role = query.role ?? null;
    const page = await c.var.asUser(async (tx) => {
      const matching = tx`
        from public.memberships m
        left join public.profiles p on p.id = m.user_id
        where m.tenant_id = ${tenantId}
          and (${role}::public.member_role is null or m.role = ${role}::public.member_role)
          and (${pattern}::text is null or p.email ilike ${pattern} or p.full_name ilike ${pattern})`;
      const [{ total }] = await tx<{ total: number }[]>`select count(*)::int as total ${matching}`;
      const rows = await tx<{ member: Member }[]>`
        select jsonb_build_object(
                 'user_id', m.user_id, 'email', p.email, 'full_name', p.full_name, 'avatar_url', p.avatar_url,
                 'role', m.role, 'created_at', m.created_at, 'updated_at', m.updated_at) as member
        ${matching}
        order by m.created_at, m.user_id
        limit ${limit} offset ${offset}`;
      return { items: rows.map((row) => row.member), total, page: query.page, limit };
    });
    return c.json(page satisfies MemberPage);
  });

  app.get("/invitations", async (c) => {
    requireCapability(c.var.tenant, "manage_members", "Only the company's owners and admins can see its invitations.");
    const tenantId = c.var.tenant.id;
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ invitation: Invitation }[]>`
        select ${invitationJson(tx)} as invitation
        from public.invitations i
        where i.tenant_id = ${tenantId} and i.accepted_at is null and i.declined_at is null
        order by i.created_at desc, i.id`;
      return rows.map((row) => row.invitation);
    });
    return c.json({ items } satisfies InvitationList);
  });

  app.post("/invitations", async (c) => {
    const body = await parseJsonBody(c, inviteMemberBody);
    const tenantId = c.var.tenant.id;
    // Someone who is already a member is refused by the database (409, constraint invitations_invitee_is_member).
    const invitation = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ invitation: Invitation }[]>`
        insert into public.invitations as i (tenant_id, email, role)
        values (${tenantId}, ${body.email}, ${body.role})
        returning ${invitationJson(tx)} as invitation`;
      // Inside the transaction: an invitation whose e-mail could not be sent is not kept.
      await emailInvitation(tx, row.invitation.id, sendInvitationMail);
      return row.invitation;
    });
    return c.json(invitation, 201);
  });

  app.post("/invitations/:id/resend", async (c) => {
    const { id } = parseParams(c, invitationParams);
    requireCapability(c.var.tenant, "manage_members", "Only the company's owners and admins can send invitations.");
    const tenantId = c.var.tenant.id;
    const invitation = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ invitation: Invitation }[]>`
        select ${invitationJson(tx)} as invitation from public.invitations i where i.id = ${id} and i.tenant_id = ${tenantId}`;
      if (!row) throw new ApiError(404, "not_found", "Invitation not found.");
      await emailInvitation(tx, id, sendInvitationMail);
      const [renewed] = await tx<{ invitation: Invitation }[]>`
        select ${invitationJson(tx)} as invitation from public.invitations i where i.id = ${id}`;
      return renewed.invitation;
    });
    return c.json(invitation);
  });

  app.delete("/invitations/:id", async (c) => {
    const { id } = parseParams(c, invitationParams);
    requireCapability(c.var.tenant, "manage_members", "Only the company's owners and admins can revoke invitations.");
    const tenantId = c.var.tenant.id;
    const deleted = await c.var.asUser((tx) => tx`delete from public.invitations where id = ${id} and tenant_id = ${tenantId} returning id`,
    );
    if (deleted.length === 0) throw new ApiError(404, "not_found", "Invitation not found.");
    return c.body(null, 204);
  });

  app.patch("/:user_id", async (c) => {
    const { user_id: userId } = parseParams(c, memberParams);
    const body = await parseJsonBody(c, changeMemberRoleBody);
    const tenantId = c.var.tenant.id;
    const member = await c.var.asUser(async (tx) => {
      const changed = await tx`
        update public.memberships set role = ${body.role}
        where tenant_id = ${tenantId} and user_id = ${userId}
        returning id`;
      if (changed.length === 0) {
        throw refusedOrMissing(
          !!(await memberOf(tx, tenantId, userId)),
          "Member",
          "Only the company's owners and admins can change roles.",
        );
      }
      return (await memberOf(tx, tenantId, userId))!;
    });
    return c.json(member);
  });

  app.delete("/:user_id", async (c) => {
    const { user_id: userId } = parseParams(c, memberParams);
    const tenantId = c.var.tenant.id;
    await c.var.asUser(async (tx) => {
      const removed = await tx`
        delete from public.memberships where tenant_id = ${tenantId} and user_id = ${userId} returning id`;
      if (removed.length === 0) {
        throw refusedOrMissing(
          !!(await memberOf(tx, tenantId, userId)),
          "Member",
          "Only the company's owners and admins can remove other members.",
        );
      }
    });
    return c.body(null, 204);
  });

  return app;
}

async function memberOf(tx: TransactionSql, tenantId: string, userId: string): Promise<Member | null> {
  const [row] = await tx<{ member: Member }[]>`
    select jsonb_build_object(
             'user_id', m.user_id, 'email', p.email, 'full_name', p.full_name, 'avatar_url', p.avatar_url,
             'role', m.role, 'created_at', m.created_at, 'updated_at', m.updated_at) as member
    from public.memberships m
    left join public.profiles p on p.id = m.user_id
    where m.tenant_id = ${tenantId} and m.user_id = ${userId}`;
  return row?.member ?? null;
}

/** A new one-time token for the invitation, e-mailed to its address (the previous link stops working). */
async function emailInvitation(tx: TransactionSql, invitationId: string, send: SendInvitationMail): Promise<void> {
  const [{ token, email, tenant_name: tenantName }] = await tx<{ token: string; email: string; tenant_name: string }[]>`
    select public.issue_invitation_token(i.id) as token, i.email, t.name as tenant_name
    from public.invitations i join public.tenants t on t.id = i.tenant_id
    where i.id = ${invitationId}`;
  await send({ email, invitationId, token, tenantName });
}

function invitationJson(tx: TransactionSql) {
  return tx`jsonb_build_object(
    'id', i.id, 'tenant_id', i.tenant_id, 'email', i.email, 'role', i.role, 'invited_by', i.invited_by,
    'expires_at', i.expires_at, 'accepted_at', i.accepted_at, 'accepted_by', i.accepted_by, 'created_at', i.created_at)`;
}
