import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { ApiError } from "../../_shared/errors.ts";
import { requirePublicAddress } from "../../_shared/outbound-address.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { pageQuery } from "../../_shared/schemas/common.ts";
import {
  companyBudgetBody,
  createTenantBody,
  type Tenant,
  type TenantPage,
  tenantParams,
  type TenantSettings,
  tenantSettingsBody,
  updateTenantBody,
} from "../../_shared/schemas/tenants.ts";
import { columnList, givenColumns, pageWindow, refusedOrMissing, type RouteDependencies, routes } from "./context.ts";

const settingsColumns = ["agents_endpoint_url", "agents_timeout_ms", "default_agent_type", "rag_enabled", "rag_top_k", "http_request_hosts"];

/**
 * /tenants — the companies the caller belongs to.
 *   POST   /tenants                 any signed-in user; they become its owner          201, 409 slug taken, 422
 *   GET    /tenants                 the caller's companies, with their role             200
 *   GET    /tenants/:id             members                                             200, 404
 *   PATCH  /tenants/:id             owners and admins: name, slug, tax_id (CNPJ)        200, 403, 404, 409, 422
 *   GET    /tenants/:id/settings    members                                             200, 404
 *   PATCH  /tenants/:id/settings    owners and admins (also the hosts http_request may call) 200, 403, 404, 422
 *   PUT    /tenants/:id/budget      owners: monthly budget (US$) and US$→R$ rate         200, 403, 404, 422
 */
export function tenantRoutes({ signedIn }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createTenantBody);
    if (body.agents_endpoint_url) await requirePublicAddress(body.agents_endpoint_url, "agents_endpoint_url");
    const tenant = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ tenant: Tenant }[]>`
        select to_jsonb(t) || jsonb_build_object('role', 'owner', 'capabilities', public.my_capabilities(t.id)) as tenant
        from public.create_tenant(${body.name}, ${body.slug}, ${body.tax_id ?? null}, ${
        body.agents_endpoint_url ?? null
      }) t`;
      return row.tenant;
    });
    return c.json(tenant, 201);
  });

  app.get("/", async (c) => {
    const query = parseQuery(c, pageQuery);
    const { limit, offset } = pageWindow(query);
    const page = await c.var.asUser(async (tx) => {
      const [{ total }] = await tx<{ total: number }[]>`
        select count(*)::int as total from public.memberships m where m.user_id = (select auth.uid())`;
      const rows = await tx<{ tenant: Tenant }[]>`
        select to_jsonb(t) || jsonb_build_object('role', m.role, 'capabilities', public.my_capabilities(t.id)) as tenant
        from public.memberships m
        join public.tenants t on t.id = m.tenant_id
        where m.user_id = (select auth.uid())
        order by t.name, t.id
        limit ${limit} offset ${offset}`;
      return { items: rows.map((row) => row.tenant), total, page: query.page, limit };
    });
    return c.json(page satisfies TenantPage);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, tenantParams);
    const tenant = await c.var.asUser((tx) => tenantAsMember(tx, id));
    if (!tenant) throw tenantNotFound();
    return c.json(tenant);
  });

  app.patch("/:id", async (c) => {
    const { id } = parseParams(c, tenantParams);
    const body = await parseJsonBody(c, updateTenantBody);
    const tenant = await c.var.asUser(async (tx) => {
      if (!(await updateTenant(tx, id, body))) {
        throw refusedOrMissing(
          !!(await tenantAsMember(tx, id)),
          "Tenant",
          "Only the company's owners and admins can change it.",
        );
      }
      return (await tenantAsMember(tx, id))!;
    });
    return c.json(tenant);
  });

  app.put("/:id/budget", async (c) => {
    const { id } = parseParams(c, tenantParams);
    const body = await parseJsonBody(c, companyBudgetBody);
    // The database decides who may (owners: 403 budget_owner_only for the others, 404 outside).
    const tenant = await c.var.asUser(async (tx) => {
      await tx`select 1 from public.set_company_budget(${id}, ${body.monthly_budget_usd}, ${body.usd_brl_rate})`;
      return (await tenantAsMember(tx, id))!;
    });
    return c.json(tenant);
  });

  app.get("/:id/settings", async (c) => {
    const { id } = parseParams(c, tenantParams);
    const tenant = await c.var.asUser((tx) => tenantAsMember(tx, id));
    if (!tenant) throw tenantNotFound();
    return c.json(settingsOf(tenant));
  });

  app.patch("/:id/settings", async (c) => {
    const { id } = parseParams(c, tenantParams);
    const body = await parseJsonBody(c, tenantSettingsBody);
    if (body.agents_endpoint_url) await requirePublicAddress(body.agents_endpoint_url, "agents_endpoint_url");
    const tenant = await c.var.asUser(async (tx) => {
      if (!(await updateTenant(tx, id, body))) {
        throw refusedOrMissing(
          !!(await tenantAsMember(tx, id)),
          "Tenant",
          "Only the company's owners and admins can change its settings.",
        );
      }
      return (await tenantAsMember(tx, id))!;
    });
    return c.json(settingsOf(tenant));
  });

  return app;
}

/** The tenant with the caller's role, when the caller is a member; null otherwise. */
async function tenantAsMember(tx: TransactionSql, id: string): Promise<Tenant | null> {
  const [row] = await tx<{ tenant: Tenant }[]>`
    select to_jsonb(t) || jsonb_build_object('role', m.role, 'capabilities', public.my_capabilities(t.id)) as tenant
    from public.tenants t
    join public.memberships m on m.tenant_id = t.id and m.user_id = (select auth.uid())
    where t.id = ${id}`;
  return row?.tenant ?? null;
}

/** Sets the given columns as the caller (RLS and the column grants decide); false when no row changed. */
async function updateTenant(tx: TransactionSql, id: string, body: Record<string, unknown>): Promise<boolean> {
  const columns = givenColumns(body);
  const changed = await tx`
    update public.tenants t
    set (${columnList(tx, columns)}) = (
      select ${columnList(tx, columns)} from jsonb_populate_record(null::public.tenants, ${tx.json(body as never)}))
    where t.id = ${id}
    returning t.id`;
  return changed.length > 0;
}

function settingsOf(tenant: Tenant): TenantSettings {
  return Object.fromEntries(
    settingsColumns.map((column) => [column, tenant[column as keyof Tenant]]),
  ) as TenantSettings;
}

function tenantNotFound(): ApiError {
  return new ApiError(404, "not_found", "Tenant not found.");
}
