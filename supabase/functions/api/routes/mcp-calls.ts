import { type McpCall, mcpCallListQuery, type McpCallPage } from "../../_shared/schemas/mcp-calls.ts";
import { parseQuery, validationFailed } from "../../_shared/validation.ts";
import { decodeCursor, encodeCursor } from "../queries/keyset.ts";
import { requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /mcp-calls — what the `mcp` function answered for the current tenant (X-Tenant-Id): each tool
 * call and resource read, with its token (or the person's access token), outcome, rows and time,
 * newest first, for the people who manage its MCP tokens (manage_tools). Kept 90 days.
 *   GET  /mcp-calls   ?token_id&outcome&limit&cursor → { items, next_cursor }       200, 403, 422
 * RLS keeps other companies' calls out; a token of another company filters to nothing.
 */
export function mcpCallRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    requireCapability(c.var.tenant, "manage_tools", "Only the company's owners and admins see what its MCP tokens did.");
    const query = parseQuery(c, mcpCallListQuery);
    const after = decodeCursor(query.cursor, { id: "text" });
    if (after && !/^\d{1,18}$/.test(after.id ?? "")) {
      throw validationFailed("The query string", [{ path: "cursor", message: "Not a cursor this list gave: start again without it." }]);
    }
    const page = await c.var.asUser(async (tx) => {
      const rows = await tx<{ call: McpCall }[]>`
        select jsonb_build_object('id', m.id, 'token_id', m.token_id, 'token_name', t.name, 'token_prefix', t.token_prefix,
                                  'user_id', m.user_id, 'kind', m.kind, 'name', m.name, 'outcome', m.outcome,
                                  'row_count', m.row_count, 'duration_ms', m.duration_ms, 'created_at', m.created_at) as call
        from public.mcp_calls m
        left join public.mcp_tokens t on t.id = m.token_id
        where m.tenant_id = ${c.var.tenant.id}
          and (${query.token_id ?? null}::uuid is null or m.token_id = ${query.token_id ?? null}::uuid)
          and (${query.outcome ?? null}::text is null or m.outcome = ${query.outcome ?? null})
          and (${after?.id ?? null}::bigint is null or m.id < ${after?.id ?? null}::bigint)
        order by m.id desc
        limit ${query.limit + 1}`;
      const items = rows.slice(0, query.limit).map((row) => row.call);
      const last = items[items.length - 1];
      return { items, next_cursor: rows.length > query.limit ? encodeCursor({ id: String(last.id) }) : null };
    });
    return c.json(page satisfies McpCallPage);
  });

  return app;
}
