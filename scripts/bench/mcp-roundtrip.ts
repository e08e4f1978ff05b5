// MCP round trip for a small read: the official SDK client over Streamable HTTP, through the
// gateway, calling `get_execution` and `list_agents` with a company's MCP token — each request
// resolves the token (private.mcp_token_caller), builds the stateless server, and reads as the
// token's maker under RLS in a read-only transaction. Baselines in the same process: the `health`
// function over the same gateway (a function round trip with one `select`), and the read itself as
// SQL (the same query as `authenticated` with the maker's claims). Also list_tables (catalog read of
// the analytics views) and a resource read (renum://teams); every call also writes its mcp_calls row.
// The `query` tool (one read-only statement as the caller: DECLARE CURSOR + FETCH in a read-only,
// rolled-back transaction) for a small read, with the MCP token and as the company's owner presenting
// a user access token (HS256, verified as the api does); its baseline is the same read run in this
// process through the query tool's database part (runReadOnly) and as plain SQL under RLS.
// Every workload is timed interleaved with the others (one of each per round), so the machine's load
// drifting during the run weighs on all alike.
// Targets: get_execution p95 < 30 ms; query as a tenant user p95 < 30 ms.
//   npx tsx scripts/bench/mcp-roundtrip.ts [--requests 300] [--instance bench] [--keep]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SignJWT } from "jose";
import { withUserTransaction } from "../../supabase/functions/_shared/user-transaction.ts";
import { runReadOnly } from "../../supabase/functions/_shared/read-only-query.ts";
import { jwtSecret } from "../stack/keys.ts";
import { line, openBenchStack, option, say, seedAgents, seedCompany, seedTeam, startRun, summarize } from "./engine-bench-support.ts";

const requests = Number(option("--requests", "300"));
const warmUp = 30;
const targetP95Ms = 30;

/**
 * Times each workload `count` times, interleaved (one of each per round, after `warmUp` rounds), so
 * the machine's load drifting during the run weighs on every workload alike.
 */
async function timeInterleaved<K extends string>(count: number, workloads: Record<K, () => Promise<unknown>>): Promise<Record<K, number[]>> {
  const names = Object.keys(workloads) as K[];
  const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmUp + count; round++) {
    for (const name of names) {
      const started = performance.now();
      await workloads[name]();
      if (round >= warmUp) times[name].push(performance.now() - started);
    }
  }
  return times;
}

const stack = await openBenchStack(4);
try {
  const company = await seedCompany(stack.sql, "mcp");
  const agentIds = await seedAgents(stack.sql, company, Array.from({ length: 10 }, (_, i) => ({ name: `MCP bench ${i + 1}` })));
  const teamId = await seedTeam(stack.sql, company, { name: "MCP bench team", workflow: "sequential", agentIds: agentIds.slice(0, 1) });
  const run = await startRun(stack.sql, teamId, "bench the MCP read");
  const claims = { sub: company.ownerId, role: "authenticated", aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 3600 };
  const token = await withUserTransaction(stack.sql, claims, async (tx) => {
    const [made] = await tx<{ token: string }[]>`select token from public.create_mcp_token(${company.tenantId}, 'bench', 'read')`;
    return made.token;
  });

  // The owner's access token, as Supabase Auth signs it on a legacy-keys stack.
  const userToken = await new SignJWT({ ...claims, session_id: crypto.randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime("1h")
    .sign(new TextEncoder().encode(jwtSecret));
  const asUser = new Client({ name: "renum-bench-user", version: "1.0.0" });
  await asUser.connect(new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}/functions/v1/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${userToken}` } },
  }));
  const smallRead = `select e.id, e.status, e.final_result from public.executions e where e.id = '${run.id}'`;
  const queryTool = (who: Client) => async () => {
    const answer = await who.callTool({ name: "query", arguments: { query: smallRead } });
    if (answer.isError) throw new Error(`query failed: ${JSON.stringify(answer.content)}`);
    const text = (answer.content as { text: string }[])[0].text;
    if (JSON.parse(text).row_count !== 1) throw new Error(`query answered ${text}`);
  };
  const queryInProcess = async () => {
    const answer = await runReadOnly(stack.sql, claims, smallRead);
    if (answer.row_count !== 1) throw new Error("runReadOnly answered no row");
  };

  const client = new Client({ name: "renum-bench", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}/functions/v1/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  }));
  const getExecution = async () => {
    const answer = await client.callTool({ name: "get_execution", arguments: { execution_id: run.id } });
    if (answer.isError) throw new Error(`get_execution failed: ${JSON.stringify(answer.content)}`);
  };
  const listAgents = async () => {
    const answer = await client.callTool({ name: "list_agents", arguments: {} });
    if (answer.isError) throw new Error(`list_agents failed: ${JSON.stringify(answer.content)}`);
  };
  const listTables = async () => {
    const answer = await client.callTool({ name: "list_tables", arguments: {} });
    if (answer.isError) throw new Error(`list_tables failed: ${JSON.stringify(answer.content)}`);
  };
  const readTeams = async () => {
    const answer = await client.readResource({ uri: "renum://teams" });
    if (answer.contents.length !== 1) throw new Error("renum://teams answered no content");
  };
  const health = async () => {
    const answer = await fetch(`${stack.apiUrl}/functions/v1/health`);
    await answer.text();
    if (answer.status !== 200) throw new Error(`health answered ${answer.status}`);
  };
  const sqlRead = () =>
    withUserTransaction(stack.sql, claims, async (tx) => {
      await tx`set transaction read only`;
      return await tx`
        select e.id, e.status, e.final_result from public.executions e
        where e.id = ${run.id} and e.tenant_id = ${company.tenantId}`;
    });

  const times = await timeInterleaved(requests, {
    queryUser: queryTool(asUser),
    queryToken: queryTool(client),
    queryInProcess,
    getExecution,
    listAgents,
    listTables,
    readTeams,
    health,
    sql: sqlRead,
  });
  const results = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, summarize(values as number[])])) as
    Record<keyof typeof times, ReturnType<typeof summarize>>;
  say(line("MCP query, small read, as a tenant user (access token)", results.queryUser));
  say(line("MCP query, small read, with an MCP token", results.queryToken));
  say(line("baseline: query's database part in process (cursor, read-only, rollback)", results.queryInProcess));
  say(line("MCP get_execution (SDK client, over HTTP)", results.getExecution));
  say(line("MCP list_agents, 10 agents (SDK client, over HTTP)", results.listAgents));
  say(line("MCP list_tables (analytics views, catalog)", results.listTables));
  say(line("MCP resources/read renum://teams", results.readTeams));
  say(line("baseline: health function over the gateway", results.health));
  say(line("baseline: the read as SQL under RLS", results.sql));
  say(`MCP get_execution / health: p50 ×${(results.getExecution.p50 / results.health.p50).toFixed(2)}, p95 ×${(results.getExecution.p95 / results.health.p95).toFixed(2)}`);
  say(`MCP query (user) / health: p50 ×${(results.queryUser.p50 / results.health.p50).toFixed(2)}, p95 ×${(results.queryUser.p95 / results.health.p95).toFixed(2)}`);
  say(`MCP query (user) / the read as SQL: p50 ×${(results.queryUser.p50 / results.sql.p50).toFixed(2)}, p95 ×${(results.queryUser.p95 / results.sql.p95).toFixed(2)}`);
  say(`throughput, one client in sequence: query (user) ${(1000 / results.queryUser.mean).toFixed(0)}/s, health ${(1000 / results.health.mean).toFixed(0)}/s`);
  say(`target: get_execution p95 < ${targetP95Ms} ms — ${results.getExecution.p95 < targetP95Ms ? "met" : "NOT met"}`);
  say(`target: query as a tenant user p95 < ${targetP95Ms} ms — ${results.queryUser.p95 < targetP95Ms ? "met" : "NOT met"}`);
  await client.close();
  await asUser.close();
} finally {
  await stack.close();
}
