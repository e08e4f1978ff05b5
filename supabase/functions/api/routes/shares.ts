import { ApiError } from "../../_shared/errors.ts";
import {
  createShareBody,
  type Share,
  shareListQuery,
  type SharePage,
  shareParams,
} from "../../_shared/schemas/shares.ts";
import type postgres from "postgres";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { pageWindow, requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /shares — the current tenant's agents shared with a person (by email) or another company (by
 * slug or id). The grantee sees the agent in their lists at once, and stops seeing it at once on
 * revoke: RLS reads the shares on every query.
 *   POST   /shares        owners and admins of the agent's tenant     201, 403, 404 agent/grantee, 409 already shared, 422
 *   GET    /shares        members: the tenant's shares (?agent_id)    200
 *   DELETE /shares/:id    owners and admins                           204, 403, 404
 */
export function shareRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createShareBody);
    const tenantId = c.var.tenant.id;
    requireCapability(c.var.tenant, "share_agents", "Only the company's owners and admins can share agents.");
    const share = await c.var.asUser(async (tx) => {
      const [agent] =
        await tx`select 1 from public.agents a where a.id = ${body.agent_id} and a.tenant_id = ${tenantId}`;
      if (!agent) throw new ApiError(404, "not_found", "Agent not found.");
      const [grantee] = await tx<{ user_id: string | null; tenant_id: string | null }[]>`
        select g.user_id, g.tenant_id
        from public.resolve_share_grantee(${body.agent_id}, ${body.grantee_email ?? null},
                                          ${body.grantee_tenant_slug ?? null}, ${body.grantee_tenant_id ?? null}) g`;
      const [created] = await tx<{ id: string }[]>`
        insert into public.agent_shares (agent_id, grantee_user_id, grantee_tenant_id, permission)
        values (${body.agent_id}, ${grantee.user_id}, ${grantee.tenant_id}, ${body.permission})
        returning id`;
      return (await sharesWhere(tx, tx`s.id = ${created.id}`))[0];
    });
    return c.json(share, 201);
  });

  app.get("/", async (c) => {
    const query = parseQuery(c, shareListQuery);
    const { limit, offset } = pageWindow(query);
    const tenantId = c.var.tenant.id;
    const agentId = query.agent_id ?? null;
    const page = await c.var.asUser(async (tx) => {
      const filter = tx`s.tenant_id = ${tenantId} and (${agentId}::uuid is null or s.agent_id = ${agentId}::uuid)`;
      const [{ total }] = await tx<
        { total: number }[]
      >`select count(*)::int as total from public.agent_shares s where ${filter}`;
      const items = await sharesWhere(tx, filter, tx`limit ${limit} offset ${offset}`);
      return { items, total, page: query.page, limit };
    });
    return c.json(page satisfies SharePage);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, shareParams);
    requireCapability(c.var.tenant, "share_agents", "Only the company's owners and admins can revoke shares.");
    const tenantId = c.var.tenant.id;
    const revoked = await c.var.asUser((tx) => tx`delete from public.agent_shares where id = ${id} and tenant_id = ${tenantId} returning id`,
    );
    if (revoked.length === 0) throw new ApiError(404, "not_found", "Share not found.");
    return c.body(null, 204);
  });

  return app;
}

type Fragment = postgres.Fragment;

async function sharesWhere(
  tx: TransactionSql,
  filter: Fragment,
  paging: Fragment = tx``,
): Promise<Share[]> {
  const rows = await tx<{ share: Share }[]>`
    select jsonb_build_object(
             'id', s.id, 'agent_id', s.agent_id, 'agent_name', a.name, 'tenant_id', s.tenant_id, 'permission', s.permission,
             'grantee_user_id', s.grantee_user_id, 'grantee_email', g.email,
             'grantee_tenant_id', s.grantee_tenant_id, 'grantee_tenant_name', g.tenant_name, 'grantee_tenant_slug', g.tenant_slug,
             'created_by', s.created_by, 'created_at', s.created_at) as share
    from public.agent_shares s
    join public.agents a on a.id = s.agent_id
    left join lateral public.share_grantee(s.id) g on true
    where ${filter}
    order by s.created_at desc, s.id
    ${paging}`;
  return rows.map((row) => row.share);
}
