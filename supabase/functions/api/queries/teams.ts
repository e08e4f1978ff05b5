// The team queries of the /teams routes. Run inside the caller's transaction (RLS applies); every
// query also names the current tenant, so an id of another company the caller belongs to is not found.
import type postgres from "postgres";
import type { Team, TeamDefinitionBody, TeamMemberBody, TeamPage } from "../../_shared/schemas/teams.ts";
import type { teamDefinitionBody, teamMemberBody } from "../../_shared/schemas/teams.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import type { z } from "zod";

export type TeamDefinition = z.output<typeof teamDefinitionBody>;
export type TeamMember = z.output<typeof teamMemberBody>;
export type { TeamDefinitionBody, TeamMemberBody };

type Fragment = postgres.Fragment;

/** The team columns of a response (`t` is a teams row), config grouped as a definition sends it. */
function teamObject(tx: TransactionSql): Fragment {
  return tx`jsonb_build_object(
    'id', t.id, 'tenant_id', t.tenant_id, 'name', t.name, 'description', t.description, 'is_active', t.is_active,
    'workflow_type', t.workflow_type,
    'config', jsonb_build_object('max_tokens', t.max_tokens, 'temperature', t.temperature, 'timeout_seconds', t.timeout_seconds,
                                 'max_parallel_agents', t.max_parallel_agents, 'continue_on_error', t.continue_on_error),
    'created_by', t.created_by, 'created_at', t.created_at, 'updated_at', t.updated_at)`;
}

/** A team of the current tenant with its agents in execution order, or null. */
export async function findTeam(tx: TransactionSql, tenantId: string, teamId: string): Promise<Team | null> {
  const [row] = await tx<{ team: Team }[]>`
    select ${teamObject(tx)} || jsonb_build_object('agents', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', ta.id, 'agent_id', ta.agent_id, 'name', a.name, 'provider', a.provider, 'model', a.model,
               'agent_status', a.status, 'role', ta.role, 'execution_order', ta.execution_order, 'input', ta.input,
               'conditions', ta.conditions, 'config', ta.config, 'created_at', ta.created_at, 'updated_at', ta.updated_at)
             order by ta.execution_order, ta.agent_id)
      from public.team_agents ta join public.agents a on a.id = ta.agent_id
      where ta.team_id = t.id), '[]'::jsonb)) as team
    from public.teams t
    where t.id = ${teamId} and t.tenant_id = ${tenantId}`;
  return row?.team ?? null;
}

export interface TeamListParams {
  tenantId: string;
  page: number;
  limit: number;
  /** An ILIKE pattern for the name, or null. */
  namePattern: string | null;
}

/** A page of the tenant's teams, most recently changed first, each with how many agents it has. */
export async function listTeams(tx: TransactionSql, params: TeamListParams): Promise<TeamPage> {
  const { tenantId, page, limit, namePattern } = params;
  const [result] = await tx<{ total: number; items: TeamPage["items"] }[]>`
    with matched as (
      select t.* from public.teams t
      where t.tenant_id = ${tenantId} and (${namePattern}::text is null or t.name ilike ${namePattern})
    )
    select
      (select count(*)::int from matched) as total,
      coalesce((
        select jsonb_agg(${teamObject(tx)} || jsonb_build_object(
                 'agent_count', (select count(*)::int from public.team_agents ta where ta.team_id = t.id))
               order by t.updated_at desc, t.id)
        from (select * from matched order by updated_at desc, id limit ${limit} offset ${(page - 1) * limit}) t
      ), '[]'::jsonb) as items`;
  return { items: result.items, total: result.total, page, limit };
}

/**
 * The team columns of a definition, each with its value or DEFAULT: a definition replaces the team,
 * so a setting it leaves out goes back to the database's default.
 */
function definitionColumns(tx: TransactionSql, body: TeamDefinition): [string, Fragment][] {
  const config = body.config ?? {};
  const valueOrDefault = (value: unknown, cast: string): Fragment =>
    value === undefined ? tx.unsafe("default") : tx`${value as string}::${tx.unsafe(cast)}`;
  return [
    ["name", tx`${body.name}`],
    ["description", valueOrDefault(body.description, "text")],
    ["is_active", valueOrDefault(body.is_active, "boolean")],
    ["workflow_type", tx`${body.workflow_type}::public.workflow_type`],
    ["max_tokens", valueOrDefault(config.max_tokens, "integer")],
    ["temperature", valueOrDefault(config.temperature, "numeric")],
    ["timeout_seconds", valueOrDefault(config.timeout_seconds, "integer")],
    ["max_parallel_agents", valueOrDefault(config.max_parallel_agents, "integer")],
    ["continue_on_error", valueOrDefault(config.continue_on_error, "boolean")],
  ];
}

function joined(tx: TransactionSql, fragments: Fragment[]): Fragment {
  return fragments.reduce((list, fragment, index) => (index === 0 ? fragment : tx`${list}, ${fragment}`), tx``);
}

/** Inserts the team (without its agents); answers its id. */
export async function insertTeam(tx: TransactionSql, tenantId: string, body: TeamDefinition): Promise<string> {
  const columns = definitionColumns(tx, body);
  const [row] = await tx<{ id: string }[]>`
    insert into public.teams (tenant_id, ${tx.unsafe(columns.map(([name]) => name).join(", "))})
    values (${tenantId}, ${joined(tx, columns.map(([, value]) => value))})
    returning id`;
  return row.id;
}

/** Replaces the team's settings; false when the caller may not change it (or it is not found). */
export async function updateTeam(tx: TransactionSql, tenantId: string, teamId: string, body: TeamDefinition) {
  const assignments = definitionColumns(tx, body).map(([name, value]) => tx`${tx.unsafe(name)} = ${value}`);
  const changed = await tx`
    update public.teams t set ${joined(tx, assignments)}
    where t.id = ${teamId} and t.tenant_id = ${tenantId}
    returning t.id`;
  return changed.length > 0;
}

/**
 * Adds or changes the given agents of a team in one statement (rows that do not change are not
 * touched, so the audit log records only real changes). With `replace`, the team's other agents
 * are removed: the team then has exactly these.
 */
export async function saveMembers(
  tx: TransactionSql,
  teamId: string,
  members: TeamMember[],
  { replace }: { replace: boolean },
): Promise<void> {
  if (replace) {
    await tx`
      delete from public.team_agents ta
      where ta.team_id = ${teamId}
        and ta.agent_id not in (select value::uuid from jsonb_array_elements_text(${
      tx.json(members.map((m) => m.agent_id))
    }))`;
  }
  if (members.length === 0) return;
  await tx`
    insert into public.team_agents as ta (team_id, agent_id, role, execution_order, input, conditions, config)
    select ${teamId}, m.agent_id, m.role, m.execution_order, m.input, m.conditions, m.config
    from jsonb_to_recordset(${tx.json(members as never)})
      as m(agent_id uuid, role public.team_agent_role, execution_order integer, input jsonb, conditions jsonb, config jsonb)
    on conflict on constraint team_agents_one_per_agent do update
    set role = excluded.role, execution_order = excluded.execution_order, input = excluded.input,
        conditions = excluded.conditions, config = excluded.config
    where (ta.role, ta.execution_order, ta.input, ta.conditions, ta.config)
          is distinct from (excluded.role, excluded.execution_order, excluded.input, excluded.conditions, excluded.config)`;
}

/** The names of those of `agentIds` that are agents of the tenant (archived ones included). */
export async function tenantAgentNames(
  tx: TransactionSql,
  tenantId: string,
  agentIds: string[],
): Promise<Map<string, string>> {
  if (agentIds.length === 0) return new Map();
  const rows = await tx<{ id: string; name: string }[]>`
    select a.id, a.name from public.agents a
    where a.tenant_id = ${tenantId}
      and a.id in (select value::uuid from jsonb_array_elements_text(${tx.json(agentIds)}))`;
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The agents of a team as the workflow check sees them: id, name, order and role. */
export async function teamMembers(
  tx: TransactionSql,
  teamId: string,
): Promise<{ agent_id: string; name: string; execution_order: number; role: string }[]> {
  return [
    ...await tx<{ agent_id: string; name: string; execution_order: number; role: string }[]>`
      select ta.agent_id, a.name, ta.execution_order, ta.role::text as role
      from public.team_agents ta join public.agents a on a.id = ta.agent_id
      where ta.team_id = ${teamId}
      order by ta.execution_order, ta.agent_id`,
  ];
}
