// The `mcp` function with the official MCP client SDK over Streamable HTTP, through the gateway, as
// an assistant would use it: tokens made through the API (shown once), initialize, tools/list,
// each tool's happy path (a run started and read back, a company tool calling the fake company API
// with its secret header), and a table of refused attempts — bad, revoked, expired and other
// companies' tokens, read-only tokens asking to write, other companies' ids, invalid and oversized
// arguments, tools that do not exist, an HTTP tool redirected inward.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeServer } from "../../scripts/fakes/fake-http.ts";
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
  setToolSecret,
  signUp,
  stackEnv,
  startFakeToolApi,
  startRun,
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
const clients: Client[] = [];

async function makeToken(who: ApiUser, tenantId: string, body: Record<string, unknown>) {
  return await expectStatus(call(who, "POST", "/mcp-tokens", { tenant: tenantId, body }), 201);
}

/** A connected MCP client presenting `token`. */
async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "renum-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: { authorization: `Bearer ${token}` } } });
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
    expect(names).toEqual(["company_lookup_order", "get_execution", "list_agents", "list_executions", "list_teams", "list_tools"]);
    const writer = await connect(writeToken);
    const all = (await writer.listTools()).tools.map((tool) => tool.name).sort();
    expect(all).toEqual(["company_create_ticket", "company_lookup_order", "get_execution", "list_agents", "list_executions", "list_teams", "list_tools", "run_team"]);
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
    ["a user's access token in place of an MCP token", "USER_TOKEN"],
  ])("%s: 401 with WWW-Authenticate, nothing run", async (_, token) => {
    const presented = token === "USER_TOKEN" ? company.owner.token : token;
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
  ];

  it.each(attempts)("%s: a tool error the model can read, nothing changed", async (_, tool, args, message) => {
    const resolved = JSON.parse(JSON.stringify(args).replace("TEAM", teamId).replace("OTHER_RUN", otherRunId));
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
