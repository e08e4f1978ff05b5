// The `mcp` function with the official MCP client SDK over Streamable HTTP, through the gateway, as
// an assistant would use it: tokens made through the API (shown once), initialize, tools/list,
// each tool's happy path (a run started and read back, a company tool calling the fake company API
// with its secret header, knowledge searched, the analytics views listed and described), resources
// (listed, templates, read; other companies' ids not found), every call in public.mcp_calls for the
// company's owners only, and a table of refused attempts — bad, revoked, expired and other
// companies' tokens, read-only tokens asking to write, other companies' ids, invalid and oversized
// arguments, tools that do not exist, an HTTP tool redirected inward. The `query` tool (read-only
// SQL as the caller under RLS): as a token's maker and as a user presenting their access token, the
// row cap, the call log, and a table of refused statements — each also refused by the database
// alone, without the server's text checks.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeServer } from "../../scripts/fakes/fake-http.ts";
import { runReadOnly } from "../../supabase/functions/_shared/read-only-query.ts";
import {
  addMember,
  type ApiUser,
  call,
  type Company,
  createCompanyTool,
  createTeam,
  demoAgent,
  engineDatabase,
  expectStatus,
  newCompany,
  removeCompanies,
  runFinished,
  settledDocument,
  setToolSecret,
  signUp,
  stackEnv,
  startFakeToolApi,
  startRun,
  testDatabase,
  userToken,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 120_000 });

const sql = engineDatabase();
const mcpUrl = new URL(`${stackEnv.functionsUrl}/mcp`);
const toolSecret = `mcp-erp-secret-${crypto.randomUUID()}`;
let company: Company;
let other: Company;
let member: ApiUser;
let companyApi: FakeServer;
let teamId: string;
let otherTeamId: string;
let otherRunId: string;
let readToken: string;
let writeToken: string;
let otherToken: string;
let knowledgeBaseId: string;
let otherKnowledgeBaseId: string;
const clients: Client[] = [];

async function makeToken(who: ApiUser, tenantId: string, body: Record<string, unknown>) {
  return await expectStatus(call(who, "POST", "/mcp-tokens", { tenant: tenantId, body }), 201);
}

/** A connected MCP client presenting `token` (an MCP token or a user's access token). */
async function connect(token: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "renum-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } } });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** What a tool answered, as text, and whether it was an error. */
async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const answer = await client.callTool({ name, arguments: args });
  const content = answer.content as { type: string; text: string }[];
  return { text: content.map((part) => part.text).join(""), isError: answer.isError === true };
}

/** A raw JSON-RPC POST, for what the SDK would not send. */
async function rawPost(token: string | null, body: string, headers: Record<string, string> = {}) {
  const answer = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body,
  });
  return { status: answer.status, text: await answer.text(), headers: answer.headers };
}

beforeAll(async () => {
  companyApi = await startFakeToolApi();
  [company, other] = await Promise.all([newCompany(sql, "mcp-company"), newCompany(sql, "mcp-other")]);
  member = await signUp("mcp-member");
  await addMember(sql, company.tenantId, member, "member");
  const agentId = await demoAgent(company, "MCP helper");
  teamId = await createTeam(company, { name: "MCP team", workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
  const otherAgent = await demoAgent(other, "Other helper");
  otherTeamId = await createTeam(other, { name: "Other team", workflow_type: "sequential", agents: [{ agent_id: otherAgent, execution_order: 1 }] });
  otherRunId = (await startRun(other, otherTeamId, "not yours")).id;
  const lookup = await createCompanyTool(company.owner, company.tenantId, {
    name: "lookup_order",
    method: "GET",
    url: `${companyApi.url}/erp/orders`,
    parameters: { type: "object", properties: { order_id: { type: "string", maxLength: 20 } }, required: ["order_id"], additionalProperties: false },
  });
  await setToolSecret(company.owner, company.tenantId, lookup.id, "Authorization", `Bearer ${toolSecret}`);
  await createCompanyTool(company.owner, company.tenantId, { name: "create_ticket", method: "POST", url: `${companyApi.url}/erp/tickets` });
  readToken = (await makeToken(company.owner, company.tenantId, { name: "Read-only assistant" })).token;
  writeToken = (await makeToken(company.owner, company.tenantId, { name: "Operator", scope: "read_write" })).token;
  otherToken = (await makeToken(other.owner, other.tenantId, { name: "Other assistant" })).token;
  for (const [who, text] of [[company, "Reembolso: o cliente tem 30 dias para pedir o reembolso de uma licença."], [other, "Reembolso secreto da outra empresa: 90 dias."]] as const) {
    const base = await expectStatus(call(who.owner, "POST", "/knowledge-bases", { tenant: who.tenantId, body: { name: "Políticas" } }), 201);
    const document = await expectStatus(call(who.owner, "POST", "/documents", {
      tenant: who.tenantId,
      body: { source: "text", knowledge_base_id: base.id, title: "Política de reembolso", text },
    }), 201);
    expect(await settledDocument(sql, document.document.id, 1)).toMatchObject({ status: "ready" });
    if (who === company) knowledgeBaseId = base.id;
    else otherKnowledgeBaseId = base.id;
  }
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => {})));
  await companyApi?.close();
  await removeCompanies(sql, [company, other].filter(Boolean));
  if (member) await sql`delete from auth.users where id = ${member.id}`;
  await sql.end();
});

describe("MCP tokens through the API", () => {
  it("shows a token once, lists only its prefix, and refuses members", async () => {
    const made = await makeToken(company.owner, company.tenantId, { name: "Listed", expires_at: "2099-01-01T00:00:00Z" });
    expect(made.token).toMatch(/^rnm_mcp_[0-9a-f]{64}$/);
    expect(made).toMatchObject({ name: "Listed", scope: "read", token_prefix: made.token.slice(0, 12), revoked_at: null });
    const listed = await expectStatus(call(company.owner, "GET", "/mcp-tokens", { tenant: company.tenantId }), 200);
    expect(listed.items.map((token: { id: string }) => token.id)).toContain(made.id);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    for (const answer of await Promise.all([
      call(member, "GET", "/mcp-tokens", { tenant: company.tenantId }),
      call(member, "POST", "/mcp-tokens", { tenant: company.tenantId, body: { name: "mine" } }),
      call(member, "DELETE", `/mcp-tokens/${made.id}`, { tenant: company.tenantId }),
    ])) {
      expect(answer.status).toBe(403);
      expect(answer.body.error.details).toEqual({ capability: "manage_tools" });
    }
    const foreign = await call(other.owner, "DELETE", `/mcp-tokens/${made.id}`, { tenant: other.tenantId });
    expect(foreign.status).toBe(404);
    for (const body of [{}, { name: "" }, { name: "x", scope: "admin" }, { name: "x", expires_at: "tomorrow" }, { name: "x", extra: 1 }]) {
      const bad = await call(company.owner, "POST", "/mcp-tokens", { tenant: company.tenantId, body });
      expect(bad.status, JSON.stringify(body)).toBe(422);
    }
    const past = await call(company.owner, "POST", "/mcp-tokens", { tenant: company.tenantId, body: { name: "x", expires_at: "2020-01-01" } });
    expect(past.status).toBe(422);
    expect(JSON.stringify(past.body)).toContain("mcp_token_expiry_past");
  });
});

describe("the MCP protocol", () => {
  it("initializes and lists the read tools for a read token, and the write ones too for a read_write token", async () => {
    const client = await connect(readToken);
    expect(client.getServerVersion()?.name).toBe("renum");
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
    const reads = [
      "company_lookup_order",
      "describe_table",
      "get_execution",
      "list_agents",
      "list_executions",
      "list_knowledge_bases",
      "list_tables",
      "list_teams",
      "list_tools",
      "query",
      "search_knowledge",
    ];
    expect(names).toEqual(reads);
    const writer = await connect(writeToken);
    const all = (await writer.listTools()).tools.map((tool) => tool.name).sort();
    expect(all).toEqual([...reads, "company_create_ticket", "run_team"].sort());
    const lookup = (await writer.listTools()).tools.find((tool) => tool.name === "company_lookup_order")!;
    expect(lookup.inputSchema).toMatchObject({ type: "object", required: ["order_id"] });
  });

  it("reads the company's agents, teams and tools, and only the company's", async () => {
    const client = await connect(readToken);
    const agents = JSON.parse((await callTool(client, "list_agents")).text);
    expect(agents.map((agent: { name: string }) => agent.name)).toEqual(["MCP helper"]);
    const teams = JSON.parse((await callTool(client, "list_teams")).text);
    expect(teams.map((team: { id: string }) => team.id)).toEqual([teamId]);
    const tools = JSON.parse((await callTool(client, "list_tools")).text);
    expect(tools.map((tool: { name: string }) => tool.name)).toEqual(expect.arrayContaining(["current_time", "lookup_order", "create_ticket"]));
    expect(JSON.stringify(tools)).not.toContain(toolSecret);
  });

  it("starts a run with a read_write token and reads it back", async () => {
    const writer = await connect(writeToken);
    const started = await callTool(writer, "run_team", { team_id: teamId, prompt: "Summarise the week" });
    expect(started.isError, started.text).toBe(false);
    const { execution_id: executionId } = JSON.parse(started.text);
    expect((await runFinished(sql, executionId)).status).toBe("completed");
    const run = JSON.parse((await callTool(writer, "get_execution", { execution_id: executionId })).text);
    expect(run).toMatchObject({ id: executionId, status: "completed", initial_prompt: "Summarise the week" });
    const listed = JSON.parse((await callTool(writer, "list_executions", { limit: 5 })).text);
    expect(listed[0].id).toBe(executionId);
  });

  it("calls the company's GET tool with its secret header, the arguments in the query", async () => {
    const client = await connect(readToken);
    const before = companyApi.requests.length;
    const answer = await callTool(client, "company_lookup_order", { order_id: "A-77" });
    expect(answer.isError, answer.text).toBe(false);
    expect(JSON.parse(answer.text)).toMatchObject({ method: "GET", path: "/erp/orders", query: { order_id: "A-77" }, order: "shipped" });
    const [request] = companyApi.requests.slice(before);
    expect(request.headers.authorization).toBe(`Bearer ${toolSecret}`);
    expect(answer.text).not.toContain(toolSecret);
  });
});

describe("knowledge, analytics views and resources", () => {
  it("lists the company's knowledge bases and searches them, never another company's", async () => {
    const client = await connect(readToken);
    const bases = JSON.parse((await callTool(client, "list_knowledge_bases")).text);
    expect(bases).toEqual([expect.objectContaining({ id: knowledgeBaseId, name: "Políticas", document_count: 1 })]);
    const found = await callTool(client, "search_knowledge", { query: "reembolso de licença", top_k: 3 });
    expect(found.isError, found.text).toBe(false);
    const hits = JSON.parse(found.text);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toMatchObject({ document_title: "Política de reembolso", knowledge_base_id: knowledgeBaseId });
    expect(found.text).toContain("30 dias");
    expect(found.text).not.toContain("90 dias");
    const chosen = JSON.parse((await callTool(client, "search_knowledge", { query: "reembolso", knowledge_base_ids: [knowledgeBaseId] })).text);
    expect(chosen[0].knowledge_base_id).toBe(knowledgeBaseId);
  });

  it("lists and describes the analytics views the company may read", async () => {
    const client = await connect(readToken);
    const tables = JSON.parse((await callTool(client, "list_tables")).text);
    const names = tables.map((table: { name: string }) => table.name);
    expect(names).toEqual(expect.arrayContaining(["analytics.lead_funnel", "analytics.response_times", "analytics.team_performance", "analytics.freshness"]));
    expect(names.some((name: string) => name.endsWith("_daily") || name.endsWith("_monthly"))).toBe(false);
    const described = JSON.parse((await callTool(client, "describe_table", { table: "analytics.response_times" })).text);
    expect(described.description).toMatch(/analyst logins/);
    expect(described.columns.map((column: { name: string }) => column.name)).toEqual(expect.arrayContaining(["day", "inbox_id", "responder", "reply_p90_ms"]));
    expect(JSON.parse((await callTool(client, "describe_table", { table: "lead_funnel" })).text).name).toBe("analytics.lead_funnel");
  });

  it("lists resources and templates and reads them, the company's only", async () => {
    const client = await connect(readToken);
    expect(client.getServerCapabilities()?.resources).toBeDefined();
    const listed = (await client.listResources()).resources.map((resource) => resource.uri).sort();
    expect(listed).toEqual(["renum://executions", "renum://schema/analytics", "renum://teams"]);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate).sort();
    expect(templates).toEqual(["renum://executions/{execution_id}", "renum://teams/{team_id}"]);
    const schema = await client.readResource({ uri: "renum://schema/analytics" });
    expect(schema.contents[0]).toMatchObject({ uri: "renum://schema/analytics", mimeType: "text/markdown" });
    expect((schema.contents[0] as { text: string }).text).toContain("## analytics.response_times");
    const teams = JSON.parse(((await client.readResource({ uri: "renum://teams" })).contents[0] as { text: string }).text);
    expect(teams.map((team: { id: string }) => team.id)).toEqual([teamId]);
    const team = JSON.parse(((await client.readResource({ uri: `renum://teams/${teamId}` })).contents[0] as { text: string }).text);
    expect(team).toMatchObject({ id: teamId, name: "MCP team", agents: [expect.objectContaining({ agent_name: "MCP helper" })] });
    const runs = JSON.parse(((await client.readResource({ uri: "renum://executions" })).contents[0] as { text: string }).text);
    expect(runs.every((run: { team_id: string }) => run.team_id === teamId)).toBe(true);
  });

  it.each([
    ["another company's team", () => `renum://teams/${otherTeamId}`],
    ["another company's run", () => `renum://executions/${otherRunId}`],
    ["a run that does not exist", () => `renum://executions/${crypto.randomUUID()}`],
    ["a URI that is not ours", () => "file:///etc/passwd"],
    ["a template left unfilled", () => "renum://teams/{team_id}"],
  ])("reading %s: resource not found (-32002)", async (_, uri) => {
    const client = await connect(readToken);
    await expect(client.readResource({ uri: uri() })).rejects.toMatchObject({ code: -32002 });
  });

  it("records every call for the company's owners and admins only", async () => {
    const client = await connect(readToken);
    await callTool(client, "list_tables");
    await callTool(client, "describe_table", { table: "nope" });
    await client.readResource({ uri: "renum://executions" });
    const [token] = await sql<{ id: string }[]>`select id from public.mcp_tokens where tenant_id = ${company.tenantId} and name = 'Read-only assistant'`;
    const calls = await sql<{ kind: string; name: string; outcome: string; row_count: number | null; duration_ms: number; user_id: string }[]>`
      select kind, name, outcome, row_count, duration_ms, user_id from public.mcp_calls where token_id = ${token.id} order by id desc limit 3`;
    expect(calls.map((row) => [row.kind, row.name, row.outcome])).toEqual([
      ["resource", "renum://executions", "ok"],
      ["tool", "describe_table", "error"],
      ["tool", "list_tables", "ok"],
    ]);
    expect(calls[2].row_count).toBeGreaterThan(0);
    expect(calls.every((row) => row.user_id === company.owner.id && row.duration_ms >= 0)).toBe(true);
    const [{ count: otherCalls }] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.mcp_calls where tenant_id = ${other.tenantId}`;
    expect(otherCalls).toBe(0);
    const seenByMember = await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: member.id, role: "authenticated" })}, true)`;
      await tx`set local role authenticated`;
      return await tx`select count(*)::int as count from public.mcp_calls`;
    });
    expect(seenByMember[0].count).toBe(0);
    const seenByOwner = await sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: company.owner.id, role: "authenticated" })}, true)`;
      await tx`set local role authenticated`;
      return await tx`select count(*)::int as count from public.mcp_calls where tenant_id = ${company.tenantId}`;
    });
    expect(seenByOwner[0].count).toBeGreaterThanOrEqual(3);
  });

  it("lists the calls through GET /mcp-calls for owners and admins: newest first, by token and outcome, page by page", async () => {
    const client = await connect(readToken);
    await callTool(client, "list_tables");
    await callTool(client, "describe_table", { table: "nope" });
    const [token] = await sql<{ id: string }[]>`select id from public.mcp_tokens where tenant_id = ${company.tenantId} and name = 'Read-only assistant'`;
    const mine = await expectStatus(call(company.owner, "GET", `/mcp-calls?token_id=${token.id}&limit=2`, { tenant: company.tenantId }), 200);
    expect(mine.items.map((item: { name: string; outcome: string }) => [item.name, item.outcome])).toEqual([
      ["describe_table", "error"],
      ["list_tables", "ok"],
    ]);
    expect(mine.items[1]).toMatchObject({ token_id: token.id, token_name: "Read-only assistant", user_id: company.owner.id, kind: "tool" });
    expect(mine.items[1].token_prefix).toMatch(/^rnm_mcp_/);
    expect(mine.next_cursor).toEqual(expect.any(String));
    const older = await expectStatus(
      call(company.owner, "GET", `/mcp-calls?token_id=${token.id}&limit=2&cursor=${mine.next_cursor}`, { tenant: company.tenantId }),
      200,
    );
    expect(older.items.length).toBeGreaterThan(0);
    expect(older.items.every((item: { id: number }) => item.id < mine.items[1].id)).toBe(true);
    const errors = await expectStatus(call(company.owner, "GET", "/mcp-calls?outcome=error&limit=100", { tenant: company.tenantId }), 200);
    expect(errors.items.length).toBeGreaterThan(0);
    expect(errors.items.every((item: { outcome: string }) => item.outcome === "error")).toBe(true);

    // Another company sees none of ours, even naming our token; members are told no; bad queries are 422.
    const [otherToken] = await sql<{ id: string }[]>`select id from public.mcp_tokens where tenant_id = ${other.tenantId} limit 1`;
    const seenByOther = await expectStatus(call(other.owner, "GET", `/mcp-calls?token_id=${token.id}`, { tenant: other.tenantId }), 200);
    expect(seenByOther.items).toEqual([]);
    if (otherToken) {
      const foreign = await expectStatus(call(company.owner, "GET", `/mcp-calls?token_id=${otherToken.id}`, { tenant: company.tenantId }), 200);
      expect(foreign.items).toEqual([]);
    }
    const byMember = await call(member, "GET", "/mcp-calls", { tenant: company.tenantId });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe("forbidden");
    expect((await call(null, "GET", "/mcp-calls", { tenant: company.tenantId })).status).toBe(401);
    for (const bad of ["limit=0", "limit=abc", "outcome=maybe", "token_id=nope", "cursor=%7B%7D", "surprise=1", `cursor=${btoa(JSON.stringify({ id: "1 or 1=1" }))}`]) {
      const refused = await call(company.owner, "GET", `/mcp-calls?${bad}`, { tenant: company.tenantId });
      expect(refused.status, bad).toBe(422);
      expect(refused.body.error.code, bad).toBe("validation_failed");
    }
  });
});

describe("refused", () => {
  const validInitialize = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });

  it.each([
    ["no token", null],
    ["a token of the wrong shape", "not-a-token"],
    ["an unknown token", `rnm_mcp_${"0".repeat(64)}`],
    ["an MCP token of the wrong length", `rnm_mcp_${"0".repeat(63)}`],
    ["an expired user access token", "EXPIRED_USER"],
    ["a user access token signed with another secret", "FORGED_USER"],
    ["the anon key", "ANON"],
    ["the service role key", "SERVICE"],
  ])("%s: 401 with WWW-Authenticate, nothing run", async (_, token) => {
    const presented = token === "EXPIRED_USER"
      ? await userToken(company.owner, {}, { expiresInSeconds: -60 })
      : token === "FORGED_USER"
      ? await userToken(company.owner, {}, { secret: "not-the-project-secret-not-the-project-secret" })
      : token === "ANON"
      ? stackEnv.anonKey
      : token === "SERVICE"
      ? stackEnv.serviceRoleKey
      : token;
    const answer = await rawPost(presented, validInitialize);
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: "mcp_token_invalid" } });
  });

  it("a revoked token, at once", async () => {
    const made = await makeToken(company.owner, company.tenantId, { name: "Soon revoked" });
    const client = await connect(made.token);
    await callTool(client, "list_agents");
    await expectStatus(call(company.owner, "DELETE", `/mcp-tokens/${made.id}`, { tenant: company.tenantId }), 204);
    expect((await rawPost(made.token, validInitialize)).status).toBe(401);
    await expect(client.listTools()).rejects.toThrow();
  });

  it("an expired token", async () => {
    const made = await makeToken(company.owner, company.tenantId, { name: "Expiring", expires_at: "2099-01-01T00:00:00Z" });
    await sql`update public.mcp_tokens set expires_at = now() - interval '1 second' where id = ${made.id}`;
    expect((await rawPost(made.token, validInitialize)).status).toBe(401);
  });

  it("malformed JSON-RPC, a GET, an oversized body", async () => {
    const malformed = await rawPost(readToken, "{not json");
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
    const get = await fetch(mcpUrl, { headers: { authorization: `Bearer ${readToken}`, accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    await get.body?.cancel();
    const huge = await rawPost(readToken, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { pad: "x".repeat(300_000) } }));
    expect(huge.status).toBe(413);
  });

  type Attempt = [string, string, Record<string, unknown>, RegExp];
  const attempts: Attempt[] = [
    ["run_team with a read token", "run_team", { team_id: "TEAM", prompt: "x" }, /needs a read_write token/],
    ["a POST company tool with a read token", "company_create_ticket", {}, /needs a read_write token/],
    ["a tool that does not exist", "drop_database", {}, /there is no tool named "drop_database"/],
    ["another company's tool by name", "company_other_tool", {}, /there is no tool named/],
    ["get_execution without its id", "get_execution", {}, /execution_id: required/],
    ["get_execution with an id that is not a uuid", "get_execution", { execution_id: "1 or 1=1" }, /must match/],
    ["get_execution of another company's run", "get_execution", { execution_id: "OTHER_RUN" }, /no run with this id/],
    ["list_executions with an unknown argument", "list_executions", { sql: "select 1" }, /not a parameter/],
    ["list_executions with a limit too high", "list_executions", { limit: 10_000 }, /at most 50/],
    ["list_executions with a status that is not one", "list_executions", { status: "drop" }, /must be one of/],
    ["a company tool with a too long argument", "company_lookup_order", { order_id: "x".repeat(21) }, /at most 20 characters/],
    ["a company tool with a missing argument", "company_lookup_order", {}, /order_id: required/],
    ["search_knowledge in another company's base", "search_knowledge", { query: "reembolso", knowledge_base_ids: ["OTHER_BASE"] }, /no knowledge base/],
    ["search_knowledge without a query", "search_knowledge", {}, /query: required/],
    ["search_knowledge with an oversized query", "search_knowledge", { query: "x".repeat(1001) }, /at most 1000 characters/],
    ["describe_table of a materialized view", "describe_table", { table: "analytics.team_performance_daily" }, /no table named/],
    ["describe_table of a table outside analytics", "describe_table", { table: "public.mcp_tokens" }, /must match/],
    ["describe_table with an injection", "describe_table", { table: "x'; drop table public.teams; --" }, /must match/],
  ];

  it.each(attempts)("%s: a tool error the model can read, nothing changed", async (_, tool, args, message) => {
    const resolved = JSON.parse(
      JSON.stringify(args).replace("TEAM", teamId).replace("OTHER_RUN", otherRunId).replace("OTHER_BASE", otherKnowledgeBaseId),
    );
    const runsBefore = await sql`select count(*)::int as count from public.executions where tenant_id = ${company.tenantId}`;
    const apiBefore = companyApi.requests.length;
    const client = await connect(readToken);
    const answer = await callTool(client, tool, resolved);
    expect(answer.isError).toBe(true);
    expect(answer.text).toMatch(message);
    expect(companyApi.requests.length).toBe(apiBefore);
    const runsAfter = await sql`select count(*)::int as count from public.executions where tenant_id = ${company.tenantId}`;
    expect(runsAfter[0].count).toBe(runsBefore[0].count);
  });

  it("another company's token sees only that company: its base, none of ours", async () => {
    const client = await connect(otherToken);
    const bases = JSON.parse((await callTool(client, "list_knowledge_bases")).text);
    expect(bases.map((base: { id: string }) => base.id)).toEqual([otherKnowledgeBaseId]);
    const found = await callTool(client, "search_knowledge", { query: "reembolso", knowledge_base_ids: [knowledgeBaseId] });
    expect(found.isError).toBe(true);
    expect((await callTool(client, "search_knowledge", { query: "reembolso licença" })).text).not.toContain("30 dias");
    await expect(client.readResource({ uri: `renum://teams/${teamId}` })).rejects.toMatchObject({ code: -32002 });
  });

  it("run_team on another company's team, even with a read_write token", async () => {
    const writer = await connect(writeToken);
    const answer = await callTool(writer, "run_team", { team_id: otherTeamId, prompt: "hijack" });
    expect(answer.isError).toBe(true);
    expect(answer.text).toMatch(/no team with this id/);
    const [{ count }] = await sql`select count(*)::int as count from public.executions where team_id = ${otherTeamId} and initial_prompt = 'hijack'`;
    expect(count).toBe(0);
  });

  it("a company tool whose service redirects inward", async () => {
    const client = await connect(readToken);
    companyApi.script({ status: 302, body: {}, headers: { location: "http://169.254.169.254/latest/meta-data/" } });
    const answer = await callTool(client, "company_lookup_order", { order_id: "A-1" });
    expect(answer.isError).toBe(true);
    expect(answer.text).toMatch(/^the tool's address was refused: /);
  });
});

describe("the query tool", () => {
  let analyst: ApiUser;
  beforeAll(async () => {
    analyst = await signUp("mcp-analyst");
    await addMember(sql, company.tenantId, analyst, "analyst");
  });
  afterAll(async () => {
    if (analyst) await sql`delete from auth.users where id = ${analyst.id}`;
  });

  /** The JSON answer of a query that succeeded. */
  async function query(client: Client, text: string) {
    const answer = await callTool(client, "query", { query: text });
    expect(answer.isError, answer.text).toBe(false);
    return JSON.parse(answer.text) as { columns: { name: string }[]; rows: Record<string, unknown>[]; row_count: number; truncated: boolean };
  }

  it("reads as the token's maker under RLS: the company's rows, never another's, and logs the row count", async () => {
    const client = await connect(readToken);
    expect((await client.listTools()).tools.find((tool) => tool.name === "query")?.inputSchema).toMatchObject({ required: ["query"] });
    const teams = await query(client, "select id, name, tenant_id from public.teams order by name");
    expect(teams).toMatchObject({ rows: [{ id: teamId, name: "MCP team", tenant_id: company.tenantId }], row_count: 1, truncated: false });
    expect(teams.columns.map((column) => column.name)).toEqual(["id", "name", "tenant_id"]);
    // Another company's rows are simply not there, by id or by company.
    expect((await query(client, `select id from public.teams where tenant_id = '${other.tenantId}'`)).rows).toEqual([]);
    expect((await query(client, `select id from public.executions where id = '${otherRunId}'`)).rows).toEqual([]);
    const [token] = await sql<{ id: string }[]>`select id from public.mcp_tokens where tenant_id = ${company.tenantId} and name = 'Read-only assistant'`;
    const [logged] = await sql<{ name: string; outcome: string; row_count: number; user_id: string }[]>`
      select name, outcome, row_count, user_id from public.mcp_calls where token_id = ${token.id} order by id desc limit 1`;
    expect(logged).toMatchObject({ name: "query", outcome: "ok", row_count: 0, user_id: company.owner.id });
  });

  it("caps the rows at 1000 and the answer's size, and says it truncated", async () => {
    const client = await connect(readToken);
    const many = await query(client, "select g from generate_series(1, 5000) g");
    expect(many).toMatchObject({ row_count: 1000, truncated: true });
    expect(many.rows.at(-1)).toEqual({ g: 1000 });
    const wide = await query(client, "select repeat('x', 2000) as pad from generate_series(1, 1000)");
    expect(wide.truncated).toBe(true);
    expect(wide.row_count).toBeLessThan(1000);
    expect(wide.row_count).toBeGreaterThan(100);
    const exact = await query(client, "select g from generate_series(1, 1000) g");
    expect(exact).toMatchObject({ row_count: 1000, truncated: false });
  });

  it("acts as a signed-in user presenting their access token: their company, their rights, logged without a token", async () => {
    const owner = await connect(company.owner.token);
    expect((await query(owner, "select name from public.teams")).rows).toEqual([{ name: "MCP team" }]);
    const tools = (await owner.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(["query", "run_team", "company_create_ticket"]));
    const started = await callTool(owner, "run_team", { team_id: teamId, prompt: "As the owner, through MCP" });
    expect(started.isError, started.text).toBe(false);
    expect((await runFinished(sql, JSON.parse(started.text).execution_id)).status).toBe("completed");
    const [logged] = await sql<{ token_id: string | null; user_id: string; name: string; row_count: number }[]>`
      select token_id, user_id, name, row_count from public.mcp_calls
      where tenant_id = ${company.tenantId} and token_id is null and name = 'query' order by id desc limit 1`;
    expect(logged).toMatchObject({ token_id: null, user_id: company.owner.id, row_count: 1 });
    // The company named by X-Tenant-Id, as the api function chooses it.
    const named = await connect(company.owner.token, { "x-tenant-id": company.tenantId });
    expect((await query(named, "select count(*)::int as teams from public.teams")).rows).toEqual([{ teams: 1 }]);
    // An analyst reads, and may not run teams.
    const reader = await connect(analyst.token);
    expect((await reader.listTools()).tools.map((tool) => tool.name)).not.toContain("run_team");
    expect((await query(reader, "select name from public.teams")).rows).toEqual([{ name: "MCP team" }]);
    const refused = await callTool(reader, "run_team", { team_id: teamId, prompt: "not allowed" });
    expect(refused).toMatchObject({ isError: true });
    expect(refused.text).toMatch(/needs the right to run teams/);
  });

  it("acts for one company only: a token's maker who also belongs to another company reads nothing of it through the token", async () => {
    await addMember(sql, other.tenantId, company.owner, "member");
    try {
      // The person reads both companies in the app; the token of `company` reads `company` alone.
      const client = await connect(readToken);
      expect((await query(client, "select name from public.teams order by name")).rows).toEqual([{ name: "MCP team" }]);
      expect((await query(client, `select id from public.executions where id = '${otherRunId}'`)).rows).toEqual([]);
      expect((await query(client, "select count(*)::int as companies from public.tenants")).rows).toEqual([{ companies: 1 }]);
      const listed = await callTool(client, "list_teams");
      expect(listed.text).not.toContain("Other team");
      // So does their own access token, for the company X-Tenant-Id names.
      const named = await connect(company.owner.token, { "x-tenant-id": other.tenantId });
      expect((await query(named, "select name from public.teams order by name")).rows).toEqual([{ name: "Other team" }]);
      // The database alone, without the server's text checks: the scope is what narrows.
      const claims = { sub: company.owner.id, role: "authenticated" as const, aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 60 };
      expect((await runReadOnly(sql, claims, "select name from public.teams order by name")).rows).toEqual([{ name: "MCP team" }, { name: "Other team" }]);
      expect((await runReadOnly(sql, claims, "select name from public.teams order by name", company.tenantId)).rows).toEqual([{ name: "MCP team" }]);
      // Clearing the scope inside the statement is a session change: no rows are answered.
      await expect(runReadOnly(sql, claims, "select name, set_config('renum.tenant_scope', '', true) from public.teams", company.tenantId))
        .rejects.toMatchObject({ code: "query_session_change" });
    } finally {
      await sql`delete from public.memberships where tenant_id = ${other.tenantId} and user_id = ${company.owner.id}`;
    }
  });

  it("a user naming a company they are not in: 404 tenant_not_found; a malformed X-Tenant-Id: 400", async () => {
    const initialize = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    const foreign = await rawPost(company.owner.token, initialize, { "x-tenant-id": other.tenantId });
    expect(foreign.status).toBe(404);
    expect(JSON.parse(foreign.text)).toMatchObject({ error: { code: "tenant_not_found" } });
    const malformed = await rawPost(company.owner.token, initialize, { "x-tenant-id": "not-a-uuid" });
    expect(malformed.status).toBe(400);
  });

  it("a user in no company, in two without X-Tenant-Id (400 tenant_required), or in a suspended one (403)", async () => {
    const initialize = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    const loner = await signUp("mcp-loner");
    const suspended = await newCompany(sql, "mcp-suspended");
    try {
      const none = await rawPost(loner.token, initialize);
      expect([none.status, JSON.parse(none.text).error.code]).toEqual([400, "tenant_required"]);
      await addMember(sql, company.tenantId, suspended.owner, "member");
      const two = await rawPost(suspended.owner.token, initialize);
      expect([two.status, JSON.parse(two.text).error.code]).toEqual([400, "tenant_required"]);
      await sql`update public.tenants set status = 'suspended' where id = ${suspended.tenantId}`;
      const held = await rawPost(suspended.owner.token, initialize, { "x-tenant-id": suspended.tenantId });
      expect([held.status, JSON.parse(held.text).error.code]).toEqual([403, "tenant_not_active"]);
    } finally {
      await removeCompanies(sql, [suspended]);
      await sql`delete from auth.users where id = ${loner.id}`;
    }
  });

  // [what, statement, the server's code, the database's code alone (null: the database would run it)]
  type Refusal = [string, string, string, string | null];
  const refusals: Refusal[] = [
    ["an insert", "insert into public.teams (tenant_id, name, workflow_type) values ('TENANT', 'x', 'sequential')", "query_not_read_only", "query_invalid"],
    ["an update", "update public.teams set name = 'hijacked'", "query_not_read_only", "query_invalid"],
    ["a delete behind a comment and parentheses", "/* hi */ (delete from public.teams)", "query_not_read_only", "query_invalid"],
    ["a merge", "merge into public.teams t using (select 1) s on false when not matched then do nothing", "query_not_read_only", "query_invalid"],
    ["a truncate", "truncate public.teams", "query_not_read_only", "query_invalid"],
    ["a drop", "drop table public.teams", "query_not_read_only", "query_invalid"],
    ["a DO block", "do $$ begin delete from public.teams; end $$", "query_not_read_only", "query_invalid"],
    ["a writable CTE", "with gone as (delete from public.teams returning id) select * from gone", "query_not_read_only", "query_not_read_only"],
    ["a writable CTE after a comment", "-- only reading\nwith x as (update public.teams set name = 'x' returning 1) select * from x", "query_not_read_only", "query_not_read_only"],
    ["select … for update", "select * from public.teams for update", "query_not_read_only", "query_not_read_only"],
    ["select … for share", "select * from public.teams for share", "query_not_read_only", "query_not_read_only"],
    ["a function that writes", "select * from public.create_mcp_token('TENANT', 'sneaky')", "query_not_read_only", "query_not_read_only"],
    ["a function that writes, as a revoke", "select public.revoke_mcp_token('TOKEN_ID')", "query_not_read_only", "query_not_read_only"],
    ["a write hidden in query_to_xml", "select query_to_xml('delete from public.teams', true, true, '')", "query_not_allowed", "query_not_read_only"],
    ["set role", "set role service_role", "query_session_change", "query_invalid"],
    // The functions' login may SET ROLE to any role; the claims-and-role check after the fetch refuses the answer.
    ["set role through set_config", "select set_config('role', 'service_role', true)", "query_session_change", "query_session_change"],
    ["another user's claims through set_config", "select set_config('request.jwt.claims', '{\"sub\":\"OTHER_OWNER\",\"role\":\"authenticated\"}', true), (select count(*) from public.teams)", "query_session_change", "query_session_change"],
    ["set statement_timeout", "set statement_timeout = 0", "query_session_change", "query_invalid"],
    ["reset role", "reset role", "query_session_change", "query_invalid"],
    ["copy", "copy public.teams to stdout", "query_copy", "query_invalid"],
    ["two statements", "select 1; delete from public.teams", "query_multiple_statements", "query_multiple_statements"],
    ["a commit escape", "select 1; commit; delete from public.teams", "query_multiple_statements", "query_multiple_statements"],
    ["a commit after a line comment", "select 1 --\n; commit", "query_multiple_statements", "query_multiple_statements"],
    ["commit", "commit", "query_transaction_control", "query_invalid"],
    ["rollback", "rollback", "query_transaction_control", "query_invalid"],
    ["begin", "begin read write", "query_transaction_control", "query_invalid"],
    ["explain analyze of a delete", "explain analyze delete from public.teams", "query_not_a_select", "query_invalid"],
    ["a private table", "select * from private.tenant_tool_secrets", "query_forbidden", "query_forbidden"],
    ["the vault's decrypted secrets", "select * from vault.decrypted_secrets", "query_forbidden", "query_forbidden"],
    ["the vault's secrets", "select * from vault.secrets", "query_forbidden", "query_forbidden"],
    ["auth's users", "select email, encrypted_password from auth.users", "query_forbidden", "query_forbidden"],
    ["a column the caller may not read", "select token_hash from public.mcp_tokens", "query_forbidden", "query_forbidden"],
    ["a query given as text to ts_rewrite", "select ts_rewrite('a'::tsquery, 'select ''a''::tsquery, ''b''::tsquery')", "query_not_allowed", null],
    ["a session advisory lock", "select pg_advisory_lock(42)", "query_not_allowed", null],
    ["a name spelled with Unicode escapes", "select U&\"set\\005fconfig\"('role', 'service_role', false)", "query_not_allowed", "query_session_change"],
    ["a long query", "select pg_sleep(10)", "query_timeout", "query_timeout"],
    ["an oversized statement", `select 1 -- ${"x".repeat(20_001)}`, "query_too_long", null],
    ["nonsense", "select * from no_such_table", "query_invalid", "query_invalid"],
  ];
  const resolve = (text: string, ids: { tokenId: string }) =>
    text.replace("TENANT", company.tenantId).replace("TOKEN_ID", ids.tokenId).replace("OTHER_OWNER", other.owner.id);
  let readTokenId: string;
  beforeAll(async () => {
    [{ id: readTokenId }] = await sql<{ id: string }[]>`select id from public.mcp_tokens where tenant_id = ${company.tenantId} and name = 'Read-only assistant'`;
  });
  const state = async () =>
    await sql<{ state: string }[]>`
      select (select string_agg(t.id || t.name, ',' order by t.id) from public.teams t where t.tenant_id in (${company.tenantId}, ${other.tenantId})) ||
             (select count(*)::text from public.mcp_tokens m where m.tenant_id = ${company.tenantId}) ||
             (select count(*)::text from public.mcp_tokens m where m.tenant_id = ${company.tenantId} and m.revoked_at is not null) as state`;

  it("has at least 20 refusals in its table", () => expect(refusals.length).toBeGreaterThanOrEqual(20));

  it.each(refusals)("%s: refused by the server with its code, nothing changed, logged as an error", async (_, text, code) => {
    const before = await state();
    const client = await connect(writeToken);
    const answer = await callTool(client, "query", { query: resolve(text, { tokenId: readTokenId }) });
    expect(answer.isError, answer.text).toBe(true);
    expect(answer.text.startsWith(`${code}: `), answer.text).toBe(true);
    expect(await state()).toEqual(before);
  });

  it.each(refusals.filter((refusal) => refusal[3] !== null))(
    "%s: refused by the database alone, without the server's text checks",
    async (_, text, __, code) => {
      const before = await state();
      const claims = { sub: company.owner.id, role: "authenticated", aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 60 };
      await expect(runReadOnly(sql, claims, resolve(text, { tokenId: readTokenId }))).rejects.toMatchObject({ code });
      expect(await state()).toEqual(before);
    },
  );

  it("the database alone still answers a plain read, and leaves no setting behind", async () => {
    const claims = { sub: company.owner.id, role: "authenticated", aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 60 };
    const answer = await runReadOnly(sql, claims, "select name from public.teams");
    expect(answer.rows).toEqual([{ name: "MCP team" }]);
    // A session-level setting made inside is undone with the transaction (it is always rolled back):
    // on a pool of one connection, the next transaction sees the setting as it was.
    const one = testDatabase(1);
    try {
      const made = await runReadOnly(one, claims, "select set_config('application_name', 'tampered', false) as name");
      expect(made.rows).toEqual([{ name: "tampered" }]);
      const [{ name }] = await one<{ name: string }[]>`select current_setting('application_name') as name`;
      expect(name).not.toBe("tampered");
    } finally {
      await one.end();
    }
  });
});
