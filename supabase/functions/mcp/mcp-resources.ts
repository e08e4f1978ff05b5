// The resources the `mcp` function offers one company's token (MCP resources: context an assistant
// reads, where tools are actions it takes): the documentation of the analytics views the company
// may read, its teams and its latest runs, and one team or run by id through URI templates. Each
// read runs as the token's maker under RLS in a read-only transaction scoped to the token's
// company, like the read tools.
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Sql } from "../_shared/db.ts";
import { callerContext, type McpCaller } from "./mcp-tools.ts";

/** JSON-RPC error of an unknown resource (MCP specification, "Resources": -32002). */
export const resourceNotFound = -32002;

export interface McpResource {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

export interface McpResourceTemplate {
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
}

export const resources: McpResource[] = [
  {
    uri: "renum://schema/analytics",
    name: "analytics-schema",
    title: "Analytics views",
    description: "What each analytics view the company may read holds: one section per view with what a row is and its columns.",
    mimeType: "text/markdown",
  },
  {
    uri: "renum://teams",
    name: "teams",
    title: "Teams",
    description: "The company's teams: id, name, description, workflow type, whether active, and their agents in order.",
    mimeType: "application/json",
  },
  {
    uri: "renum://executions",
    name: "executions",
    title: "Latest runs",
    description: "The company's 20 most recent runs (newest first): id, team, status, steps, cost and times.",
    mimeType: "application/json",
  },
];

export const resourceTemplates: McpResourceTemplate[] = [
  {
    uriTemplate: "renum://teams/{team_id}",
    name: "team",
    title: "A team",
    description: "One of the company's teams with its agents.",
    mimeType: "application/json",
  },
  {
    uriTemplate: "renum://executions/{execution_id}",
    name: "execution",
    title: "A run",
    description: "One of the company's runs: status, prompt, final result or error, and its steps.",
    mimeType: "application/json",
  },
];

const uuidPattern = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const teamUri = new RegExp(`^renum://teams/(${uuidPattern})$`);
const executionUri = new RegExp(`^renum://executions/(${uuidPattern})$`);

export interface ResourceContent {
  uri: string;
  mimeType: string;
  text: string;
  /** Rows read, for the call log. */
  rows: number;
}

/** Reads one resource for the token, or throws McpError(-32002) when there is no such resource for it. */
export async function readResource(sql: Sql, caller: McpCaller, uri: string): Promise<ResourceContent> {
  const { asCaller } = callerContext(sql, caller)(true);
  const missing = () => new McpError(resourceNotFound, `Resource not found: ${uri.slice(0, 200)}`, { uri: uri.slice(0, 200) });
  const json = (rows: unknown, count: number): ResourceContent => ({ uri, mimeType: "application/json", text: JSON.stringify(rows), rows: count });

  if (uri === "renum://schema/analytics") {
    const views = await asCaller((tx) => tx<{ name: string; description: string; columns: { name: string; type: string }[] }[]>`
      select 'analytics.' || c.relname as name, coalesce(obj_description(c.oid, 'pg_class'), '') as description,
             (select jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
              from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'analytics' and c.relkind = 'v' and pg_catalog.has_table_privilege('renum_analyst', c.oid, 'select')
      order by c.relname`);
    const text = [
      "# Analytics views",
      "",
      "Each view holds only this company's rows; the numbers are refreshed every 15 minutes by default (`analytics.freshness`).",
      "An analyst login of the company (Settings → SQL access) reads them with SQL; the `list_tables` and `describe_table` tools describe them here.",
      ...views.flatMap((view) => [
        "",
        `## ${view.name}`,
        "",
        view.description,
        "",
        ...view.columns.map((column) => `- \`${column.name}\` ${column.type}`),
      ]),
      "",
    ].join("\n");
    return { uri, mimeType: "text/markdown", text, rows: views.length };
  }
  if (uri === "renum://teams" || teamUri.test(uri)) {
    const teamId = uri.match(teamUri)?.[1] ?? null;
    const teams = await asCaller((tx) => tx`
      select t.id, t.name, t.description, t.workflow_type, t.is_active,
             coalesce((select jsonb_agg(jsonb_build_object('agent_id', ta.agent_id, 'agent_name', a.name, 'role', ta.role,
                                                           'execution_order', ta.execution_order) order by ta.execution_order, ta.agent_id)
                       from public.team_agents ta left join public.agents a on a.id = ta.agent_id where ta.team_id = t.id), '[]') as agents
      from public.teams t
      where t.tenant_id = ${caller.tenantId} and (${teamId}::uuid is null or t.id = ${teamId}::uuid)
      order by t.name, t.id limit 100`);
    if (teamId === null) return json(teams, teams.length);
    if (teams.length === 0) throw missing();
    return json(teams[0], 1);
  }
  if (uri === "renum://executions") {
    const runs = await asCaller((tx) => tx`
      select e.id, e.team_id, e.status, e.total_steps, e.finished_steps, e.cost_usd::text as cost_usd, e.created_at, e.started_at, e.finished_at
      from public.executions e where e.tenant_id = ${caller.tenantId}
      order by e.created_at desc, e.id limit 20`);
    return json(runs, runs.length);
  }
  const executionId = uri.match(executionUri)?.[1];
  if (executionId) {
    const [run] = await asCaller((tx) => tx`
      select e.id, e.team_id, e.status, e.initial_prompt, e.final_result, e.error_message, e.total_steps, e.finished_steps,
             e.cost_usd::text as cost_usd, e.created_at, e.started_at, e.finished_at,
             coalesce((select jsonb_agg(jsonb_build_object('position', s.position, 'agent_id', s.agent_id, 'status', s.status,
                                                           'latency_ms', s.latency_ms) order by s.position)
                       from public.execution_steps s where s.execution_id = e.id), '[]') as steps
      from public.executions e where e.id = ${executionId}::uuid and e.tenant_id = ${caller.tenantId}`);
    if (!run) throw missing();
    return json(run, 1);
  }
  throw missing();
}
