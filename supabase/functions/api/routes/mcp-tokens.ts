import { ApiError } from "../../_shared/errors.ts";
import { createMcpTokenBody, type CreatedMcpToken, type McpToken, type McpTokenList, mcpTokenParams } from "../../_shared/schemas/mcp-tokens.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams } from "../../_shared/validation.ts";
import { requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /mcp-tokens — the current tenant's MCP tokens (X-Tenant-Id), for the `mcp` function. A token is
 * shown once, when made; only its first characters are ever shown again.
 *   GET    /mcp-tokens       manage_tools                                              200, 403
 *   POST   /mcp-tokens       manage_tools: { name, scope?, expires_at? } → { token, ... }  201, 403, 422
 *   DELETE /mcp-tokens/:id   manage_tools: revokes it at once                           204, 403, 404
 * Another tenant's token is 404, as a missing one.
 */
export function mcpTokenRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);
  const refusal = "Only the company's owners and admins manage MCP tokens.";

  app.get("/", async (c) => {
    requireCapability(c.var.tenant, "manage_tools", refusal);
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ token: McpToken }[]>`
        select ${tokenJson(tx)} as token from public.mcp_tokens t
        where t.tenant_id = ${c.var.tenant.id} order by t.created_at desc, t.id`;
      return rows.map((row) => row.token);
    });
    return c.json({ items } satisfies McpTokenList);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createMcpTokenBody);
    requireCapability(c.var.tenant, "manage_tools", refusal);
    const created = await c.var.asUser(async (tx) => {
      const [made] = await tx<{ id: string; token: string }[]>`
        select id, token from public.create_mcp_token(${c.var.tenant.id}, ${body.name}, ${body.scope ?? "read"}, ${body.expires_at ?? null}::timestamptz)`;
      const [row] = await tx<{ token: McpToken }[]>`select ${tokenJson(tx)} as token from public.mcp_tokens t where t.id = ${made.id}`;
      return { ...row.token, token: made.token };
    });
    return c.json(created satisfies CreatedMcpToken, 201);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, mcpTokenParams);
    requireCapability(c.var.tenant, "manage_tools", refusal);
    await c.var.asUser(async (tx) => {
      const [found] = await tx`select 1 from public.mcp_tokens t where t.id = ${id} and t.tenant_id = ${c.var.tenant.id}`;
      if (!found) throw new ApiError(404, "mcp_token_not_found", "No MCP token with this id in this company.");
      await tx`select public.revoke_mcp_token(${id})`;
    });
    return c.body(null, 204);
  });

  return app;
}

/** A token as the API answers it: never the token nor its hash. */
function tokenJson(tx: TransactionSql) {
  return tx`jsonb_build_object('id', t.id, 'name', t.name, 'token_prefix', t.token_prefix, 'scope', t.scope,
    'expires_at', t.expires_at, 'revoked_at', t.revoked_at, 'last_used_at', t.last_used_at, 'created_by', t.created_by,
    'created_at', t.created_at)`;
}
