import type { MiddlewareHandler } from "hono";
import type { Sql } from "./db.ts";
import { ApiError } from "./errors.ts";
import type { AuthVariables } from "./jwt.ts";
import { withUserTransaction } from "./user-transaction.ts";
import type { TenantCapability } from "./schemas/tenants.ts";

/**
 * The tenant a request works in, the caller's role in it (`owner`, `admin`, `member`, `analyst`)
 * and what that role lets them do there (public.my_capabilities: the database's one list).
 */
export interface TenantContext {
  id: string;
  role: string;
  capabilities: TenantCapability[];
}

export interface TenantVariables {
  tenant: TenantContext;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Middleware, after `requireUser`: the caller's current tenant in `c.var.tenant`. It is the one
 * named by the `X-Tenant-Id` header, or, without the header, the only tenant the caller belongs
 * to. Membership is read as the user (RLS applies), so a tenant the caller is not in answers 404
 * `tenant_not_found` whether or not it exists. This is a convenience and an early, clear answer:
 * the route's own queries are still filtered by RLS.
 */
export function tenantContext(sql: Sql): MiddlewareHandler<{ Variables: AuthVariables & TenantVariables }> {
  return async (c, next) => {
    const claims = c.get("claims");
    if (!claims) throw new Error("tenantContext() runs after requireUser(): it needs the caller's claims");

    const header = c.req.header("x-tenant-id");
    let requested: string | null = null;
    if (header !== undefined) {
      requested = header.trim().toLowerCase();
      if (!uuidPattern.test(requested)) {
        throw new ApiError(400, "invalid_tenant_header", "The X-Tenant-Id header must be a tenant's id (a uuid).");
      }
    }

    const memberships = await withUserTransaction(sql, claims, (tx) =>
      tx<TenantContext[]>`
        select m.tenant_id as id, m.role::text as role, public.my_capabilities(m.tenant_id)::text[] as capabilities
        from public.memberships m
        where m.user_id = (select auth.uid()) and (${requested}::uuid is null or m.tenant_id = ${requested}::uuid)
        order by m.tenant_id`);

    if (requested) {
      if (memberships.length === 0) {
        throw new ApiError(404, "tenant_not_found", "No tenant with this id is among yours (X-Tenant-Id).");
      }
    } else if (memberships.length === 0) {
      throw new ApiError(
        400,
        "tenant_required",
        "You are not a member of any tenant yet: create one or accept an invitation first.",
      );
    } else if (memberships.length > 1) {
      throw new ApiError(
        400,
        "tenant_required",
        `You belong to ${memberships.length} tenants: say which one this request is for with the X-Tenant-Id header.`,
        { details: { tenant_ids: memberships.map((membership) => membership.id) } },
      );
    }

    const [{ id, role, capabilities }] = memberships;
    c.set("tenant", { id, role, capabilities });
    await next();
  };
}
