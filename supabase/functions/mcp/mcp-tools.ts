// The tools the `mcp` function offers one company's token: safe reads of the company's agents,
// teams, tools, runs and knowledge (search through public.search_knowledge), the analytics views an
// analyst of the company may read (list_tables, describe_table: names, comments, columns);
// starting a run (read_write tokens only); and the company's own HTTP tools
// (a GET tool for any token, other methods for read_write tokens); and `query`, one read-only SQL
// statement (mcp-query.ts). Each runs as the person who made the token — or as the signed-in user
// whose access token was presented — in one transaction under RLS, scoped to the company; reads run
// in a read-only transaction. Arguments are checked against the tool's JSON Schema before anything runs.
import type { Sql } from "../_shared/db.ts";
import type { AccessTokenClaims } from "../_shared/jwt.ts";
import { type EmbeddingPlace, queryEmbedding, type SearchedBase } from "../_shared/embeddings/knowledge-base-embedder.ts";
import { apiErrorFromSql } from "../_shared/sql-errors.ts";
import { callHttpTool } from "../_shared/tools/http-tool.ts";
import { schemaProblems } from "../_shared/tools/json-schema.ts";
import { type HttpToolDefinition, ToolFailure } from "../_shared/tools/registry.ts";
import { type TransactionSql, withServiceTransaction, withUserTransaction } from "../_shared/user-transaction.ts";
import { queryLimits, runQuery } from "../_shared/read-only-query.ts";

/**
 * Who a request acts for: an MCP token's maker (private.mcp_token_caller), or a signed-in user
 * presenting their own access token (then `tokenId` is null and `claims` are the token's, verified).
 */
export interface McpCaller {
  tokenId: string | null;
  tenantId: string;
  userId: string;
  scope: "read" | "read_write";
  /** A user's verified access-token claims; an MCP token's maker acts with claims made for the request. */
  claims?: AccessTokenClaims;
}

export interface McpToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** Changes something (or may, for a company tool that is not a GET): read_write tokens only. */
  writes: boolean;
}

/** A tool's answer as MCP content: JSON text, or an error the client's model can read. */
export interface McpToolAnswer {
  text: string;
  isError: boolean;
  rows?: number;
}

type Run = (args: Record<string, unknown>, context: ToolContext) => Promise<unknown>;

export interface ToolContext {
  caller: McpCaller;
  /** Runs `work` as the token's maker under RLS; read-only unless the tool writes. */
  asCaller: <T>(work: (tx: TransactionSql) => Promise<T>) => Promise<T>;
  /** The claims the caller acts with (role `authenticated`). */
  claims: AccessTokenClaims;
  sql: Sql;
  /** Where an OpenAI-compatible base's query embeddings are asked for (OPENAI_BASE_URL). */
  embeddings: EmbeddingPlace;
}

const platformOpenAi: EmbeddingPlace = { openAiBaseUrl: "https://api.openai.com" };

const uuidSchema = { type: "string", pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$" };
const noArguments = { type: "object", properties: {}, additionalProperties: false };
/** Names the company's own tools take here, so they never shadow a platform tool. */
export const companyToolPrefix = "company_";
const maxListed = 100;

const platformTools: (McpToolSpec & { run: Run })[] = [
  {
    name: "list_agents",
    description: "Lists the company's agents: id, name, description, provider, model, status and the tools each may use.",
    inputSchema: noArguments,
    writes: false,
    run: (_, { caller, asCaller }) =>
      asCaller((tx) => tx`
        select a.id, a.name, a.description, a.provider, a.model, a.status, a.tools
        from public.agents a where a.tenant_id = ${caller.tenantId}
        order by a.name, a.id limit ${maxListed}`),
  },
  {
    name: "list_teams",
    description: "Lists the company's teams: id, name, description, workflow type, whether active, and their agents in order.",
    inputSchema: noArguments,
    writes: false,
    run: (_, { caller, asCaller }) =>
      asCaller((tx) => tx`
        select t.id, t.name, t.description, t.workflow_type, t.is_active,
               coalesce((select jsonb_agg(jsonb_build_object('agent_id', ta.agent_id, 'role', ta.role, 'execution_order', ta.execution_order)
                                          order by ta.execution_order, ta.agent_id)
                         from public.team_agents ta where ta.team_id = t.id), '[]') as agents
        from public.teams t where t.tenant_id = ${caller.tenantId}
        order by t.name, t.id limit ${maxListed}`),
  },
  {
    name: "list_tools",
    description: "Lists the tools the company's agents may use: the platform's built-ins and the company's own HTTP tools (never their headers).",
    inputSchema: noArguments,
    writes: false,
    run: (_, { caller, asCaller }) =>
      asCaller((tx) => tx`
        select b.id as name, b.description, 'builtin' as kind, null as method, true as is_active from public.tools b
        union all
        select c.name, c.description, 'http', c.method, c.is_active from public.tenant_tools c where c.tenant_id = ${caller.tenantId}
        order by 1 limit ${maxListed * 2}`),
  },
  {
    name: "list_executions",
    description: "Lists the company's most recent runs (newest first): id, team, status, steps, cost and times.",
    inputSchema: {
      type: "object",
      properties: {
        limit: { type: "integer", minimum: 1, maximum: 50, description: "How many runs (default 20)." },
        status: { type: "string", enum: ["pending", "running", "waiting_approval", "completed", "failed", "cancelled"] },
      },
      additionalProperties: false,
    },
    writes: false,
    run: (args, { caller, asCaller }) =>
      asCaller((tx) => tx`
        select e.id, e.team_id, e.status, e.total_steps, e.finished_steps, e.cost_usd::text as cost_usd,
               e.created_at, e.started_at, e.finished_at
        from public.executions e
        where e.tenant_id = ${caller.tenantId} and (${(args.status as string | undefined) ?? null}::text is null or e.status::text = ${(args.status as string | undefined) ?? null})
        order by e.created_at desc, e.id limit ${(args.limit as number | undefined) ?? 20}`),
  },
  {
    name: "get_execution",
    description: "One run of the company: its status, prompt, final result or error, steps and cost.",
    inputSchema: { type: "object", properties: { execution_id: uuidSchema }, required: ["execution_id"], additionalProperties: false },
    writes: false,
    run: async (args, { caller, asCaller }) => {
      const [run] = await asCaller((tx) => tx`
        select e.id, e.team_id, e.status, e.initial_prompt, e.final_result, e.error_message, e.total_steps, e.finished_steps,
               e.cost_usd::text as cost_usd, e.created_at, e.started_at, e.finished_at
        from public.executions e where e.id = ${args.execution_id as string} and e.tenant_id = ${caller.tenantId}`);
      if (!run) throw new ToolFailure("there is no run with this id in the company");
      return run;
    },
  },
  {
    name: "list_knowledge_bases",
    description: "Lists the company's knowledge bases: id, name, description, language, embedder and how many documents each holds.",
    inputSchema: noArguments,
    writes: false,
    run: (_, { caller, asCaller }) =>
      asCaller((tx) => tx`
        select kb.id, kb.name, kb.description, kb.language, kb.embedder,
               (select count(*)::int from public.documents d where d.knowledge_base_id = kb.id) as document_count
        from public.knowledge_bases kb where kb.tenant_id = ${caller.tenantId}
        order by kb.name, kb.id limit ${maxListed}`),
  },
  {
    name: "search_knowledge",
    description: "Searches the company's knowledge bases (hybrid: meaning and words) and answers the best passages with their " +
      "document, heading path, page and score. Without knowledge_base_ids it searches every base of the company.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", minLength: 1, maxLength: 1000, description: "What to look for, in plain words." },
        knowledge_base_ids: { type: "array", items: uuidSchema, minItems: 1, maxItems: 20, description: "Only these bases (list_knowledge_bases)." },
        top_k: { type: "integer", minimum: 1, maximum: 20, description: "How many passages (default 5)." },
      },
      required: ["query"],
      additionalProperties: false,
    },
    writes: false,
    run: (args, { caller, asCaller, sql, embeddings }) =>
      asCaller(async (tx) => {
        const wanted = (args.knowledge_base_ids as string[] | undefined) ?? null;
        const bases = await tx<SearchedBase[]>`
          select kb.id, kb.embedder, kb.embedding_model, kb.embedding_key_id from public.knowledge_bases kb
          where kb.tenant_id = ${caller.tenantId} and (${wanted}::uuid[] is null or kb.id = any(${wanted}::uuid[]))`;
        if (wanted && bases.length !== new Set(wanted.map((id) => id.toLowerCase())).size) {
          throw new ToolFailure("there is no knowledge base with one of these ids in the company");
        }
        if (bases.length === 0) return [];
        // The query's vector when every base searched embeds alike (an OpenAI-compatible base with its
        // company key, decrypted in the token maker's name); otherwise the words alone.
        const embedding = await queryEmbedding(sql, bases, args.query as string, { purpose: "MCP search_knowledge", causedBy: caller.userId }, embeddings, (entry) => console.log(JSON.stringify({ ...entry, tool: "search_knowledge" })));
        return [...await tx`
          select s.document_title, s.document_id, s.knowledge_base_id, s.heading_path, s.page, s.content, s.snippet,
                 round(s.score::numeric, 4)::float8 as score
          from public.search_knowledge(${args.query as string}, ${embedding}::extensions.vector, ${bases.map((base) => base.id)}::uuid[],
                                       ${(args.top_k as number | undefined) ?? 5}, 0.0) s`];
      }),
  },
  {
    name: "list_tables",
    description: "Lists the analytics views the company may read with SQL (the same an analyst login of the company reads): " +
      "name and what one row is. Describe one with describe_table.",
    inputSchema: noArguments,
    writes: false,
    run: (_, { asCaller }) =>
      asCaller((tx) => tx`
        select 'analytics.' || c.relname as name, coalesce(obj_description(c.oid, 'pg_class'), '') as description
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        -- The views of the analytics schema the analysts' group may select: each company-filtered.
        where n.nspname = 'analytics' and c.relkind = 'v' and pg_catalog.has_table_privilege('renum_analyst', c.oid, 'select')
        order by c.relname`),
  },
  {
    name: "describe_table",
    description: "Describes one analytics view of list_tables: what a row is, and each column's name, type and comment.",
    inputSchema: {
      type: "object",
      properties: { table: { type: "string", pattern: "^(analytics\\.)?[a-z_][a-z0-9_]{0,62}$", description: "A name from list_tables." } },
      required: ["table"],
      additionalProperties: false,
    },
    writes: false,
    run: (args, { asCaller }) =>
      asCaller(async (tx) => {
        const name = (args.table as string).replace(/^analytics\./, "");
        const [view] = await tx<{ name: string; description: string; columns: unknown[] }[]>`
          select 'analytics.' || c.relname as name, coalesce(obj_description(c.oid, 'pg_class'), '') as description,
                 (select coalesce(jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                               'comment', col_description(c.oid, a.attnum)) order by a.attnum), '[]')
                  from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'analytics' and c.relkind = 'v' and pg_catalog.has_table_privilege('renum_analyst', c.oid, 'select')
            and c.relname = ${name}`;
        if (!view) throw new ToolFailure(`there is no table named "${args.table as string}" that the company may read: see list_tables`);
        return view;
      }),
  },
  {
    name: "query",
    description: "Runs ONE read-only SQL statement (SELECT, WITH … SELECT, VALUES or TABLE) as the caller, under the same row " +
      "security as the app, for this company only (the token's, or the one X-Tenant-Id names): no other company's rows " +
      "are visible, even of companies the caller also belongs to. Answers JSON: columns, rows (at most " +
      `${queryLimits.maxRows}), row_count and truncated. The statement is cancelled after ${queryLimits.timeoutMs / 1000} s; ` +
      `writes, SET, COPY, transaction control and several statements are refused; at most ${queryLimits.maxChars} characters. ` +
      "list_tables and describe_table document the analytics views.",
    inputSchema: {
      type: "object",
      properties: { query: { type: "string", minLength: 1, description: "One SQL statement, e.g. select id, name from public.teams." } },
      required: ["query"],
      additionalProperties: false,
    },
    writes: false,
    run: (args, { caller, claims, sql }) => runQuery(sql, claims, args.query as string, caller.tenantId),
  },
  {
    name: "run_team",
    description: "Starts a run of one of the company's teams with a prompt; answers the run's id (follow it with get_execution).",
    inputSchema: {
      type: "object",
      properties: {
        team_id: uuidSchema,
        prompt: { type: "string", minLength: 1, maxLength: 100_000 },
        variables: { type: "object" },
      },
      required: ["team_id", "prompt"],
      additionalProperties: false,
    },
    writes: true,
    run: async (args, { caller, asCaller }) => {
      const started = await asCaller(async (tx) => {
        const [team] = await tx`select 1 from public.teams t where t.id = ${args.team_id as string} and t.tenant_id = ${caller.tenantId}`;
        if (!team) throw new ToolFailure("there is no team with this id in the company");
        const [row] = await tx<{ id: string; status: string }[]>`
          select e.id, e.status from public.start_execution(${args.team_id as string}, ${args.prompt as string},
                                                            ${tx.json((args.variables ?? {}) as never)}) e`;
        return row;
      });
      return { execution_id: started.id, status: started.status };
    },
  },
];

const byName = new Map(platformTools.map((tool) => [tool.name, tool]));

/** The company's active HTTP tools as MCP tools, for the caller's scope. */
async function companyTools(context: ToolContext): Promise<McpToolSpec[]> {
  const rows = await context.asCaller((tx) => tx<{ name: string; description: string; parameters: Record<string, unknown>; method: string }[]>`
    select c.name, c.description, c.parameters, c.method from public.tenant_tools c
    where c.tenant_id = ${context.caller.tenantId} and c.is_active order by c.name limit ${maxListed}`);
  return rows.map((row) => ({
    name: `${companyToolPrefix}${row.name}`,
    description: `${row.description || `The company's ${row.name} tool.`} (${row.method} to the company's service)`,
    inputSchema: row.parameters,
    writes: row.method !== "GET",
  }));
}

export interface McpToolbox {
  list(): Promise<McpToolSpec[]>;
  call(name: string, args: unknown): Promise<McpToolAnswer>;
}

/**
 * Runs work as the token's maker, under RLS narrowed to the token's company (a person in two
 * companies reads only this one through it), read-only unless asked otherwise, at most 5 s a statement.
 */
export function callerContext(sql: Sql, caller: McpCaller, embeddings: EmbeddingPlace = platformOpenAi): (readOnly: boolean) => ToolContext {
  const claims = caller.claims ?? { sub: caller.userId, role: "authenticated", aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 60 };
  return (readOnly: boolean): ToolContext => ({
    caller,
    claims,
    sql,
    embeddings,
    asCaller: (work) =>
      withUserTransaction(sql, claims, async (tx) => {
        // One round trip for both: a read tool's transaction can write nothing, even through a
        // security-definer function, and no statement runs past 5 s.
        await tx`select set_config('transaction_read_only', ${readOnly ? "on" : "off"}, true), set_config('statement_timeout', '5s', true)`;
        return await work(tx);
      }, { tenantScope: caller.tenantId }),
  });
}

/** The tools one token may see and call. */
export function toolbox(sql: Sql, caller: McpCaller, embeddings: EmbeddingPlace = platformOpenAi): McpToolbox {
  const context = callerContext(sql, caller, embeddings);
  const allowed = (tool: McpToolSpec) => !tool.writes || caller.scope === "read_write";

  return {
    async list() {
      const company = await companyTools(context(true));
      return [...platformTools, ...company].filter(allowed).map(({ name, description, inputSchema, writes }) => ({ name, description, inputSchema, writes }));
    },

    async call(name, args) {
      const given = args ?? {};
      if (typeof given !== "object" || Array.isArray(given)) return failure("the arguments must be a JSON object");
      const platform = byName.get(name);
      const spec = platform ?? (name.startsWith(companyToolPrefix)
        ? (await companyTools(context(true))).find((tool) => tool.name === name)
        : undefined);
      if (!spec) return failure(`there is no tool named "${name}" for this caller`);
      if (!allowed(spec)) {
        return failure(caller.tokenId
          ? `${name} changes things: it needs a read_write token, and this one is read-only`
          : `${name} changes things: it needs the right to run teams in the company (run_teams), which you do not have there`);
      }
      const problems = schemaProblems(spec.inputSchema, given);
      if (problems.length > 0) return failure(`invalid arguments: ${problems.join("; ")}`);
      try {
        const result = platform
          ? await platform.run(given as Record<string, unknown>, context(!platform.writes))
          : await runCompanyTool(sql, caller, name.slice(companyToolPrefix.length), given as Record<string, unknown>);
        const rows = Array.isArray(result)
          ? result.length
          : typeof (result as { row_count?: unknown } | null)?.row_count === "number"
          ? (result as { row_count: number }).row_count
          : undefined;
        return { text: typeof result === "string" ? result : JSON.stringify(result), isError: false, rows };
      } catch (error) {
        if (error instanceof ToolFailure) return failure(error.message);
        const refused = apiErrorFromSql(error);
        if (refused && refused.status < 500) return failure(`${refused.code}: ${refused.message}`);
        throw error;
      }
    },
  };
}

function failure(text: string): McpToolAnswer {
  return { text, isError: true };
}

/** A company HTTP tool, with its headers (secret ones decrypted by the service role), through egress. */
async function runCompanyTool(sql: Sql, caller: McpCaller, name: string, args: Record<string, unknown>): Promise<string> {
  const tool = await withServiceTransaction(sql, async (tx) => {
    const [row] = await tx<{ tool: HttpToolDefinition | null }[]>`select private.tenant_tool_definition(${caller.tenantId}, ${name}) as tool`;
    return row.tool;
  });
  if (!tool) throw new ToolFailure(`there is no active tool named "${name}" in the company`);
  const timeoutMs = tool.timeout_ms;
  const signal = AbortSignal.timeout(timeoutMs);
  return await callHttpTool(tool, args, { timeoutMs, signal });
}
