import type { Context } from "hono";
import { ApiError } from "../../_shared/errors.ts";
import { isPostgresError, structuredDetail } from "../../_shared/sql-errors.ts";
import {
  type Team,
  teamDefinitionBody,
  teamFromTemplateBody,
  teamListQuery,
  type TeamTemplateList,
  teamMemberBody,
  teamMemberParams,
  type TeamPage,
  teamParams,
  updateTeamMemberBody,
} from "../../_shared/schemas/teams.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import {
  findTeam,
  insertTeam,
  listTeams,
  saveMembers,
  type TeamMember,
  teamMembers,
  tenantAgentNames,
  updateTeam,
} from "../queries/teams.ts";
import { containsPattern, requireCapability, type RouteDependencies, type RouteEnv, routes } from "./context.ts";
import { executeTeam, type ExecutionDependencies } from "./executions.ts";

/**
 * /teams — the current tenant's teams of agents (X-Tenant-Id) and their workflow.
 *   GET    /teams                          members (analysts too); ?page&limit&search          200
 *   POST   /teams                          owners, admins, members                             201, 403, 422
 *   GET    /teams/templates                members: the gallery of ready teams, both languages   200
 *   POST   /teams/from-template            owners, admins, members: a template's demo agents
 *                                          and team in one transaction {template, locale}       201, 403, 422
 *   GET    /teams/:id                      members                                             200, 404
 *   PUT    /teams/:id                      owners, admins, members: replaces the definition    200, 403, 404, 422
 *   DELETE /teams/:id                      owners and admins                                   204, 403, 404, 409 team_has_runs_in_flight
 *   POST   /teams/:id/members              owners, admins, members: adds one agent             201, 403, 404, 409, 422
 *   PUT    /teams/:id/members/:agent_id    owners, admins, members: changes one agent          200, 403, 404, 422
 *   DELETE /teams/:id/members/:agent_id    owners, admins, members: removes one agent          204, 403, 404, 422
 *   POST   /teams/:id/execute              owners, admins, members: starts a run (executions.ts) 202, 402, 403, 404, 422
 * A team and its agents are written in one transaction and the database checks the whole workflow
 * when it commits; a refusal answers 422 `validation_failed` with the database's message and
 * `details: [{ path, message, constraint, agent_id?, hint }]` (constraint: the rule's machine code,
 * e.g. team_agent_archived, team_agent_limit), where path is `agents[<i>].<field>` (i = the
 * agent's index in the request's `agents`, or, for the members endpoints, in the team as GET
 * /teams/:id lists it after the change; just `<field>` when it is the agent the members request
 * sends). Writes to a suspended or inactive tenant answer 403.
 */
export function teamRoutes({ signedIn, inTenant }: RouteDependencies, executions: ExecutionDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, teamListQuery);
    const page = await c.var.asUser((tx) =>
      listTeams(tx, {
        tenantId: c.var.tenant.id,
        page: query.page,
        limit: query.limit,
        namePattern: containsPattern(query.search),
      }));
    return c.json(page satisfies TeamPage);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, teamDefinitionBody);
    requireBuilder(c, "create teams");
    const tenantId = c.var.tenant.id;
    const team = await checkingWorkflow(
      () =>
        c.var.asUser(async (tx) => {
          await agentsOfTenant(tx, tenantId, body.agents);
          const teamId = await insertTeam(tx, tenantId, body);
          await saveMembers(tx, teamId, body.agents, { replace: false });
          return (await findTeam(tx, tenantId, teamId))!;
        }),
      () => definitionMembers(body.agents),
    );
    return c.json(team satisfies Team, 201);
  });

  app.get("/templates", async (c) => {
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ template: TeamTemplateList["items"][number] }[]>`
        select jsonb_build_object('key', t.key, 'workflow_type', t.value -> 'workflow_type', 'name', t.value -> 'name',
                                  'description', t.value -> 'description',
                                  'agents', (select jsonb_agg(agent.definition - 'prompt' order by agent.place)
                                             from jsonb_array_elements(t.value -> 'agents') with ordinality as agent(definition, place))) as template
        from jsonb_each(public.team_template_definitions()) t
        order by array_position(array['lead_qualification', 'market_research', 'content_pipeline'], t.key)`;
      return rows.map((row) => row.template);
    });
    return c.json({ items } satisfies TeamTemplateList);
  });

  app.post("/from-template", async (c) => {
    const body = await parseJsonBody(c, teamFromTemplateBody);
    requireBuilder(c, "create teams");
    const tenantId = c.var.tenant.id;
    // One SQL call as the caller: its inserts go through RLS, triggers and plan limits like any other.
    const team = await c.var.asUser(async (tx) => {
      const [{ team_id }] = await tx<{ team_id: string }[]>`
        select public.create_team_from_template(${tenantId}, ${body.template}, ${body.locale}) as team_id`;
      return (await findTeam(tx, tenantId, team_id))!;
    });
    return c.json(team satisfies Team, 201);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, teamParams);
    const team = await c.var.asUser((tx) => findTeam(tx, c.var.tenant.id, id));
    if (!team) throw teamNotFound();
    return c.json(team satisfies Team);
  });

  app.put("/:id", async (c) => {
    const { id } = parseParams(c, teamParams);
    const body = await parseJsonBody(c, teamDefinitionBody);
    const tenantId = c.var.tenant.id;
    const team = await checkingWorkflow(
      () =>
        c.var.asUser(async (tx) => {
          await visibleTeam(tx, tenantId, id);
          requireBuilder(c, "change teams");
          await agentsOfTenant(tx, tenantId, body.agents);
          await updateTeam(tx, tenantId, id, body);
          await saveMembers(tx, id, body.agents, { replace: true });
          return (await findTeam(tx, tenantId, id))!;
        }),
      () => definitionMembers(body.agents),
    );
    return c.json(team satisfies Team);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, teamParams);
    const tenantId = c.var.tenant.id;
    await c.var.asUser(async (tx) => {
      await visibleTeam(tx, tenantId, id);
      requireCapability(c.var.tenant, "delete_teams", "Only the company's owners and admins can delete teams.");
      // A run in flight: the database refuses (409 team_has_runs_in_flight).
      await tx`delete from public.teams t where t.id = ${id} and t.tenant_id = ${tenantId}`;
    });
    return c.body(null, 204);
  });

  app.post("/:id/members", async (c) => {
    const { id } = parseParams(c, teamParams);
    const body = await parseJsonBody(c, teamMemberBody);
    const tenantId = c.var.tenant.id;
    let members: WorkflowMember[] = [];
    const team = await checkingWorkflow(
      () =>
        c.var.asUser(async (tx) => {
          await visibleTeam(tx, tenantId, id);
          requireBuilder(c, "change teams");
          const current = await teamMembers(tx, id);
          if (current.some((member) => member.agent_id === body.agent_id)) {
            throw new ApiError(409, "conflict", "This agent is already in the team: change it with PUT instead.", {
              details: [{ path: "agent_id", message: "Already in the team." }],
            });
          }
          await agentsOfTenant(tx, tenantId, [body], "");
          members = teamAfterChange(current, body);
          await saveMembers(tx, id, [body], { replace: false });
          return (await findTeam(tx, tenantId, id))!;
        }),
      () => members,
    );
    return c.json(team satisfies Team, 201);
  });

  app.put("/:id/members/:agent_id", async (c) => {
    const { id, agent_id: agentId } = parseParams(c, teamMemberParams);
    const body = await parseJsonBody(c, updateTeamMemberBody);
    const tenantId = c.var.tenant.id;
    let members: WorkflowMember[] = [];
    const team = await checkingWorkflow(
      () =>
        c.var.asUser(async (tx) => {
          await visibleTeam(tx, tenantId, id);
          requireBuilder(c, "change teams");
          const current = await teamMembers(tx, id);
          const member = current.find((candidate) => candidate.agent_id === agentId.toLowerCase());
          if (!member) throw memberNotFound();
          members = teamAfterChange(current, { ...member, ...body });
          const changed = { role: member.role, execution_order: member.execution_order, ...body };
          await tx`
            update public.team_agents ta
            set role = ${changed.role}::public.team_agent_role, execution_order = ${changed.execution_order}::integer,
                input = coalesce(${body.input === undefined ? null : tx.json(body.input as never)}::jsonb, ta.input),
                conditions = coalesce(${
            body.conditions === undefined ? null : tx.json(body.conditions as never)
          }::jsonb, ta.conditions),
                config = coalesce(${body.config === undefined ? null : tx.json(body.config as never)}::jsonb, ta.config)
            where ta.team_id = ${id} and ta.agent_id = ${member.agent_id}`;
          return (await findTeam(tx, tenantId, id))!;
        }),
      () => members,
    );
    return c.json(team satisfies Team);
  });

  app.delete("/:id/members/:agent_id", async (c) => {
    const { id, agent_id: agentId } = parseParams(c, teamMemberParams);
    const tenantId = c.var.tenant.id;
    let members: WorkflowMember[] = [];
    await checkingWorkflow(
      () =>
        c.var.asUser(async (tx) => {
          await visibleTeam(tx, tenantId, id);
          requireBuilder(c, "change teams");
          const current = await teamMembers(tx, id);
          members = teamAfterChange(current.filter((member) => member.agent_id !== agentId.toLowerCase()), null);
          const removed = await tx`
            delete from public.team_agents ta where ta.team_id = ${id} and ta.agent_id = ${agentId} returning ta.id`;
          if (removed.length === 0) throw memberNotFound();
        }),
      () => members,
    );
    return c.body(null, 204);
  });

  app.post("/:id/execute", executeTeam(executions));

  return app;
}

// ─── helpers ──────────────────────────────────────────────────────────────────────────────────

function teamNotFound(): ApiError {
  return new ApiError(404, "not_found", "Team not found.");
}

function memberNotFound(): ApiError {
  return new ApiError(404, "not_found", "This agent is not in the team.");
}

/** 403 for analysts, who read teams but do not change them (RLS would refuse them too, less clearly). */
function requireBuilder(c: Context<RouteEnv>, doing: string): void {
  requireCapability(c.var.tenant, "build_teams", `Analysts can read teams but not ${doing}.`);
}

/** 404 unless the team is one of the current tenant's (so another company's ids are not found). */
async function visibleTeam(tx: TransactionSql, tenantId: string, teamId: string): Promise<void> {
  const [team] = await tx`select 1 from public.teams t where t.id = ${teamId} and t.tenant_id = ${tenantId}`;
  if (!team) throw teamNotFound();
}

/**
 * The request's agents must be the tenant's own: any other id (another company's agent, or none at
 * all) is refused exactly as the database's check refuses it (team_agent_not_in_company), so the
 * answer says nothing about an agent the caller may not see, not even whether it exists.
 */
async function agentsOfTenant(
  tx: TransactionSql,
  tenantId: string,
  members: { agent_id: string }[],
  prefix: string | null = null,
): Promise<void> {
  const names = await tenantAgentNames(tx, tenantId, members.map((member) => member.agent_id));
  const details = members.flatMap((member, index) =>
    names.has(member.agent_id) ? [] : [{
      path: prefix === null ? `agents[${index}].agent_id` : "agent_id",
      message: `agent ${member.agent_id} is not an agent of this company`,
      constraint: "team_agent_not_in_company",
      agent_id: member.agent_id,
    }]
  );
  if (details.length > 0) {
    throw new ApiError(422, "validation_failed", details.map((detail) => detail.message).join("; "), { details });
  }
}

/** An agent as the workflow check sees it, and where it is in the request (see workflowError). */
interface WorkflowMember {
  agent_id: string;
  execution_order: number;
  role: string;
  /** `agents[<i>]`, or "" for the agent a members request sends. */
  path: string;
}

function definitionMembers(agents: TeamMember[]): WorkflowMember[] {
  return agents.map((member, index) => ({
    agent_id: member.agent_id,
    execution_order: member.execution_order,
    role: member.role,
    path: `agents[${index}]`,
  }));
}

/** The team as GET /teams/:id would list it after a members request; `changed` is the request's agent. */
function teamAfterChange(
  current: { agent_id: string; execution_order: number; role: string }[],
  changed: { agent_id: string; execution_order: number; role: string } | null,
): WorkflowMember[] {
  const others = current.filter((member) => member.agent_id !== changed?.agent_id);
  const all = changed ? [...others, { ...changed, own: true }] : others;
  return all
    .map((member) => ({ ...member, own: "own" in member }))
    .sort((a, b) => a.execution_order - b.execution_order || (a.agent_id < b.agent_id ? -1 : 1))
    .map((member, index) => ({
      agent_id: member.agent_id,
      execution_order: member.execution_order,
      role: member.role,
      path: member.own ? "" : `agents[${index}]`,
    }));
}

/**
 * Runs `work` (a transaction that changes a team) and answers the database's workflow check, which
 * runs when the transaction commits, as 422 `validation_failed` naming the agent and the field.
 */
async function checkingWorkflow<T>(work: () => Promise<T>, members: () => WorkflowMember[]): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw workflowError(error, members()) ?? error;
  }
}

/**
 * The check (private.validate_team_workflow) raises 22023 with its rule's code (`constraint`) and a
 * JSON detail naming the agent (`agent_id`; `agent_ids` for a clash between agents) and the field
 * (`input.agent_id`, `conditions[0].field`, `execution_order`, `role`, ...); this finds the agent in
 * the request.
 */
function workflowError(error: unknown, members: WorkflowMember[]): ApiError | null {
  if (!isPostgresError(error) || error.code !== "22023" || error.routine !== "exec_stmt_raise") return null;
  const facts = structuredDetail(error.detail);
  const field = typeof facts.field === "string" ? facts.field : error.hint ?? "";
  const offending = offendingMember(typeof facts.agent_id === "string" ? facts.agent_id : null, field, members);
  const path = offending === null ? field : [offending.path, field].filter((part) => part !== "").join(".");
  return new ApiError(422, "validation_failed", error.message, {
    details: [{
      path,
      message: error.message,
      ...(error.constraint_name ? { constraint: error.constraint_name } : {}),
      ...(offending ? { agent_id: offending.agent_id } : {}),
      ...(field ? { hint: field } : {}),
    }],
    cause: error,
  });
}

function offendingMember(agentId: string | null, field: string, members: WorkflowMember[]): WorkflowMember | null {
  const own = (candidates: WorkflowMember[]) => candidates.find((member) => member.path === "") ?? null;
  if (field === "execution_order" || field === "role") {
    // The second of two agents that share an order, or the second leader/coordinator.
    const key = (member: WorkflowMember) =>
      field === "execution_order"
        ? String(member.execution_order)
        : ["leader", "coordinator"].includes(member.role)
        ? "lead"
        : null;
    const seen = new Set<string>();
    const clashing: WorkflowMember[] = [];
    for (const member of members) {
      const value = key(member);
      if (value === null) continue;
      if (seen.has(value)) clashing.push(member);
      seen.add(value);
    }
    const sharing = members.filter((member) => {
      const value = key(member);
      return value !== null && members.some((other) => other !== member && key(other) === value);
    });
    return own(sharing) ?? clashing[0] ?? null;
  }
  return members.find((member) => member.agent_id === agentId?.toLowerCase()) ?? null;
}
