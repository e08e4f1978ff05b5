import {
  type AdminTenant,
  adminTenantListQuery,
  type AdminTenantPage,
  adminTenantParams,
  type AdminTenantStatus,
  type AdminTenantSummary,
  setTenantStatusBody,
} from "../../_shared/schemas/admin.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { adminCommandRoutes } from "./admin-commands.ts";
import { pageWindow, type RouteDependencies, routes } from "./context.ts";

/**
 * /admin — the platform admins' panel. Every call goes through the admin_* SQL functions, which
 * check the caller is a platform admin (403 otherwise) and write the read or change to the audit log.
 *   GET    /admin/tenants          platform admins: every tenant, ?search, paginated     200, 403
 *   GET    /admin/tenants/:id      platform admins: one tenant with its members           200, 403, 404
 *   PATCH  /admin/tenants/:id      platform admins: { status } — suspend or reactivate    200, 403, 404, 422
 *   /admin/commands                platform admins and companies' owners: the audited commands (admin-commands.ts)
 */
export function adminRoutes({ signedIn }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.get("/tenants", async (c) => {
    const query = parseQuery(c, adminTenantListQuery);
    const { limit, offset } = pageWindow(query);
    const search = query.search ?? null;
    const page = await c.var.asUser(async (tx) => {
      type Row = { tenant: AdminTenantSummary; total: number };
      const listed = (pageLimit: number, pageOffset: number) =>
        tx<Row[]>`
          select to_jsonb(r) - 'total_count' as tenant, r.total_count::int as total
          from public.admin_list_tenants(${search}, ${pageLimit}, ${pageOffset}) r`;
      const rows = await listed(limit, offset);
      // Past the last page the function answers no rows, and so no total: ask the first page for it.
      const total = rows[0]?.total ?? (offset > 0 ? (await listed(1, 0))[0]?.total ?? 0 : 0);
      return { items: rows.map((row) => row.tenant), total, page: query.page, limit };
    });
    return c.json(page satisfies AdminTenantPage);
  });

  app.get("/tenants/:id", async (c) => {
    const { id } = parseParams(c, adminTenantParams);
    const tenant = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ tenant: AdminTenant }[]>`select public.admin_get_tenant(${id}) as tenant`;
      return row.tenant;
    });
    return c.json(tenant);
  });

  app.patch("/tenants/:id", async (c) => {
    const { id } = parseParams(c, adminTenantParams);
    const body = await parseJsonBody(c, setTenantStatusBody);
    const tenant = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ tenant: AdminTenantStatus }[]>`
        select to_jsonb(t) as tenant from public.admin_set_tenant_status(${id}, ${body.status}) t`;
      return row.tenant;
    });
    return c.json(tenant);
  });

  app.route("/commands", adminCommandRoutes());

  return app;
}
