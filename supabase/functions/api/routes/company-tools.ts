import { ApiError } from "../../_shared/errors.ts";
import { requirePublicAddress } from "../../_shared/outbound-address.ts";
import {
  type CompanyTool,
  type CompanyToolList,
  companyToolParams,
  createCompanyToolBody,
  toolSecretBody,
  toolSecretParams,
  updateCompanyToolBody,
} from "../../_shared/schemas/tools.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams } from "../../_shared/validation.ts";
import { columnList, givenColumns, refusedOrMissing, requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /tools/company — the current tenant's own HTTP tools (X-Tenant-Id), which its agents name in
 * their `tools` and call during runs. Secret headers go in by name and never come out: answers list
 * their names only (secret_headers).
 *   GET    /tools/company                       members (analysts too)                           200
 *   POST   /tools/company                       manage_tools: { name, url, description?, method?,  201, 403, 409 name taken, 422
 *                                               parameters?, headers?, timeout_ms?, is_active? }    (address_not_allowed: internal url)
 *   GET    /tools/company/:id                   members                                          200, 404
 *   PATCH  /tools/company/:id                   manage_tools: any of the fields above            200, 403, 404, 409, 422
 *   DELETE /tools/company/:id                   manage_tools (its secrets go too)                204, 403, 404
 *   PUT    /tools/company/:id/secrets/:header   manage_tools: { value } → the tool               200, 403, 404, 422
 *   DELETE /tools/company/:id/secrets/:header   manage_tools                                     204, 403, 404
 * Another tenant's tool is 404, as a missing one. The database holds every rule (RLS: members read,
 * manage_tools writes; the url, header and schema checks); this file only answers earlier and clearer.
 */
export function companyToolRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);
  const refusal = "Only the company's owners and admins can change its tools.";

  app.get("/", async (c) => {
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ tool: CompanyTool }[]>`
        select ${toolJson(tx)} as tool from public.tenant_tools t
        where t.tenant_id = ${c.var.tenant.id}
        order by t.name, t.id`;
      return rows.map((row) => row.tool);
    });
    return c.json({ items } satisfies CompanyToolList);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createCompanyToolBody);
    requireCapability(c.var.tenant, "manage_tools", refusal);
    await requirePublicAddress(body.url, "url");
    const columns = givenColumns(body);
    const tool = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ tool: CompanyTool }[]>`
        insert into public.tenant_tools as t (tenant_id, ${columnList(tx, columns)})
        select ${c.var.tenant.id}, ${columnList(tx, columns)}
        from jsonb_populate_record(null::public.tenant_tools, ${tx.json(body as never)})
        returning ${toolJson(tx)} as tool`;
      return row.tool;
    });
    return c.json(tool, 201);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, companyToolParams);
    const tool = await c.var.asUser((tx) => visibleTool(tx, c.var.tenant.id, id));
    return c.json(tool satisfies CompanyTool);
  });

  app.patch("/:id", async (c) => {
    const { id } = parseParams(c, companyToolParams);
    const body = await parseJsonBody(c, updateCompanyToolBody);
    const columns = givenColumns(body);
    const tool = await c.var.asUser(async (tx) => {
      await visibleTool(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_tools", refusal);
      if (body.url !== undefined) await requirePublicAddress(body.url, "url");
      const [row] = await tx<{ tool: CompanyTool }[]>`
        update public.tenant_tools t set (${columnList(tx, columns)}) =
          (select ${columnList(tx, columns)} from jsonb_populate_record(null::public.tenant_tools, ${tx.json(body as never)}))
        where t.id = ${id} and t.tenant_id = ${c.var.tenant.id}
        returning ${toolJson(tx)} as tool`;
      if (!row) throw refusedOrMissing(true, "Tool", refusal);
      return row.tool;
    });
    return c.json(tool satisfies CompanyTool);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, companyToolParams);
    await c.var.asUser(async (tx) => {
      await visibleTool(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_tools", refusal);
      const deleted = await tx`delete from public.tenant_tools t where t.id = ${id} and t.tenant_id = ${c.var.tenant.id} returning t.id`;
      if (deleted.length === 0) throw refusedOrMissing(true, "Tool", refusal);
    });
    return c.body(null, 204);
  });

  app.put("/:id/secrets/:header", async (c) => {
    const { id, header } = parseParams(c, toolSecretParams);
    const { value } = await parseJsonBody(c, toolSecretBody);
    const tool = await c.var.asUser(async (tx) => {
      await visibleTool(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_tools", refusal);
      await tx`select public.set_tenant_tool_secret(${id}, ${header}, ${value})`;
      return await visibleTool(tx, c.var.tenant.id, id);
    });
    return c.json(tool satisfies CompanyTool);
  });

  app.delete("/:id/secrets/:header", async (c) => {
    const { id, header } = parseParams(c, toolSecretParams);
    await c.var.asUser(async (tx) => {
      const tool = await visibleTool(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_tools", refusal);
      if (!tool.secret_headers.some((name) => name.toLowerCase() === header.toLowerCase())) {
        throw new ApiError(404, "tenant_tool_secret_not_found", `This tool has no secret header named ${header}.`);
      }
      await tx`select public.set_tenant_tool_secret(${id}, ${header}, null)`;
    });
    return c.body(null, 204);
  });

  return app;
}

/** The tool as the API answers it: its row with the names (never the values) of its secret headers. */
function toolJson(tx: TransactionSql) {
  return tx`to_jsonb(t) || jsonb_build_object('secret_headers', to_jsonb(public.tenant_tool_secret_names(t.id)))`;
}

async function visibleTool(tx: TransactionSql, tenantId: string, id: string): Promise<CompanyTool> {
  const [row] = await tx<{ tool: CompanyTool }[]>`
    select ${toolJson(tx)} as tool from public.tenant_tools t where t.id = ${id} and t.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "tenant_tool_not_found", "No tool with this id in this company.");
  return row.tool;
}
