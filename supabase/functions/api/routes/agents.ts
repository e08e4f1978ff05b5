import { ApiError } from "../../_shared/errors.ts";
import { requirePublicAddress } from "../../_shared/outbound-address.ts";
import {
  type Agent,
  agentListQuery,
  type AgentPage,
  agentParams,
  type AgentVersion,
  type AgentVersionPage,
  createAgentBody,
  updateAgentBody,
} from "../../_shared/schemas/agents.ts";
import { pageQuery } from "../../_shared/schemas/common.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { findAgent, listAgents, worksWith } from "../queries/agents.ts";
import {
  columnList,
  containsPattern,
  givenColumns,
  pageWindow,
  refusedOrMissing,
  type RouteDependencies,
  routes,
} from "./context.ts";

/**
 * /agents — the current tenant's agents (X-Tenant-Id) and those shared with the caller or the
 * tenant; each answered with the caller's `access`: owner, edit or use.
 *   GET    /agents                  members (and grantees see shared ones)                200
 *   POST   /agents                  owners, admins, members (not analysts)                201, 403, 422
 *   GET    /agents/:id              members; grantees                                     200, 404
 *   PATCH  /agents/:id              owners, admins, members; grantees with `edit` (not     200, 403, 404, 422
 *                                   analysts), who may not change where the agent's data goes:
 *                                   403 shared_agent_field_locked
 *   POST   /agents/:id/archive      owners, admins, members of the agent's tenant         200, 403, 404
 *   GET    /agents/:id/versions     members; grantees                                     200, 404
 * Writes to a suspended or inactive tenant answer 403. `tools` names built-ins (GET /tools) and the
 * company's own tools (GET /tools/company); runs offer them to the model (a team may narrow them per
 * agent). `knowledge_base_ids` is reserved: stored and validated, not yet used by runs.
 */
export function agentRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, agentListQuery);
    const page = await c.var.asUser((tx) =>
      listAgents(tx, {
        tenantId: c.var.tenant.id,
        page: query.page,
        limit: query.limit,
        namePattern: containsPattern(query.search),
        status: query.status ?? null,
      }));
    return c.json(page satisfies AgentPage);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createAgentBody);
    await requirePublicBaseUrl(body.config);
    const tenantId = c.var.tenant.id;
    const columns = givenColumns(body);
    const agent = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ agent: Agent }[]>`
        insert into public.agents as a (tenant_id, ${columnList(tx, columns)})
        select ${tenantId}, ${columnList(tx, columns)}
        from jsonb_populate_record(null::public.agents, ${tx.json(body as never)})
        returning to_jsonb(a) || jsonb_build_object('access', 'owner') as agent`;
      return row.agent;
    });
    return c.json(agent, 201);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, agentParams);
    const agent = await c.var.asUser((tx) => findAgent(tx, c.var.tenant.id, id));
    if (!agent) throw agentNotFound();
    return c.json(agent);
  });

  app.patch("/:id", async (c) => {
    const { id } = parseParams(c, agentParams);
    const body = await parseJsonBody(c, updateAgentBody);
    await requirePublicBaseUrl(body.config);
    const tenantId = c.var.tenant.id;
    const columns = givenColumns(body);
    const agent = await c.var.asUser(async (tx) => {
      const changed = await tx`
        update public.agents a
        set (${columnList(tx, columns)}) = (
          select ${columnList(tx, columns)} from jsonb_populate_record(null::public.agents, ${tx.json(body as never)}))
        where a.id = ${id} and ${worksWith(tx, tenantId)}
        returning a.id`;
      if (changed.length === 0) {
        throw refusedOrMissing(
          !!(await findAgent(tx, tenantId, id)),
          "Agent",
          "You can use this agent but not change it: ask its company for edit access.",
        );
      }
      return (await findAgent(tx, tenantId, id))!;
    });
    return c.json(agent);
  });

  app.post("/:id/archive", async (c) => {
    const { id } = parseParams(c, agentParams);
    const tenantId = c.var.tenant.id;
    const agent = await c.var.asUser(async (tx) => {
      // Only the agent's own company archives it; grantees, even editors, cannot.
      const changed = await tx`
        update public.agents set status = 'archived'
        where id = ${id} and tenant_id = ${tenantId}
        returning id`;
      if (changed.length === 0) {
        throw refusedOrMissing(
          !!(await findAgent(tx, tenantId, id)),
          "Agent",
          "Only the agent's company can archive it, and not its analysts.",
        );
      }
      return (await findAgent(tx, tenantId, id))!;
    });
    return c.json(agent);
  });

  app.get("/:id/versions", async (c) => {
    const { id } = parseParams(c, agentParams);
    const query = parseQuery(c, pageQuery);
    const { limit, offset } = pageWindow(query);
    const tenantId = c.var.tenant.id;
    const page = await c.var.asUser(async (tx) => {
      const agent = await findAgent(tx, tenantId, id);
      if (!agent) throw agentNotFound();
      const rows = await tx<{ version: AgentVersion }[]>`
        select jsonb_build_object('id', v.id, 'agent_id', v.agent_id, 'version', v.version, 'definition', v.definition,
                                  'created_by', v.created_by, 'created_at', v.created_at) as version
        from public.agent_versions v
        where v.agent_id = ${id}
        order by v.version desc
        limit ${limit} offset ${offset}`;
      const [{ total }] = await tx<{ total: number }[]>`
        select count(*)::int as total from public.agent_versions v where v.agent_id = ${id}`;
      return { items: rows.map((row) => row.version), total, page: query.page, limit };
    });
    return c.json(page satisfies AgentVersionPage);
  });

  return app;
}

function agentNotFound(): ApiError {
  return new ApiError(404, "not_found", "Agent not found.");
}

// Where the agent's provider is called: never an internal address (the database checks literals).
async function requirePublicBaseUrl(config: Record<string, unknown> | undefined): Promise<void> {
  if (typeof config?.base_url === "string") await requirePublicAddress(config.base_url, "config.base_url");
}
