// Agents that use tools, end to end: a team's run through the gateway, the api and the executor,
// with the fake OpenAI server asking for tool calls on its real wire format, the built-in
// current_time, and a company HTTP tool (secret header set through the API) aimed at a fake company
// API. The tool results reach the model, every call is a seq-numbered `tool_call` event in the run's
// log, and the ledger prices every round's tokens. A shared agent runs only in its owner's company
// (teams take their own agents), the grantee can neither re-tool it nor see the owner's tool, and
// its runs use the owner's tool whatever the grantee names its own (the SQL side, private.step_tools
// resolving tools in the run's company only, is proven in pgTAP 181); and an
// HTTP tool aimed inward is refused by the API and the database, and at call time when an allowed
// address redirects there.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeServer } from "../../scripts/fakes/fake-http.ts";
import { fakeOpenAiPromptTokens, startFakeOpenAi } from "../../scripts/fakes/fake-openai.ts";
import {
  addMember,
  call,
  type Company,
  createAgent,
  createCompanyTool,
  createTeam,
  demoAgent,
  engineDatabase,
  events,
  expectStatus,
  newCompany,
  readRun,
  removeCompanies,
  runFinished,
  setToolSecret,
  startFakeToolApi,
  startRun,
  steps,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = engineDatabase();
const providerKey = `sk-tools-${crypto.randomUUID()}`;
const ownerSecret = `owner-erp-secret-${crypto.randomUUID()}`;
let owner: Company;
let grantee: Company;
let openai: FakeServer;
let companyApi: FakeServer;
let ownerToolId: string;

const orderParameters = {
  type: "object",
  properties: { order_id: { type: "string", minLength: 3 } },
  required: ["order_id"],
  additionalProperties: false,
};

beforeAll(async () => {
  [openai, companyApi] = await Promise.all([startFakeOpenAi({ apiKey: providerKey }), startFakeToolApi()]);
  [owner, grantee] = await Promise.all([newCompany(sql, "tools-owner"), newCompany(sql, "tools-grantee")]);
  await expectStatus(
    call(owner.owner, "POST", "/api-keys", {
      body: { service: "openai-compatible", api_key: providerKey, tenant_id: owner.tenantId, endpoint_url: `${openai.url}/v1` },
    }),
    201,
  );
  const tool = await createCompanyTool(owner.owner, owner.tenantId, {
    name: "lookup_order",
    description: "Looks up an order in the company's ERP",
    url: `${companyApi.url}/erp/orders`,
    parameters: orderParameters,
    headers: { "x-source": "renum" },
  });
  ownerToolId = tool.id;
  await setToolSecret(owner.owner, owner.tenantId, tool.id, "Authorization", `Bearer ${ownerSecret}`);
});

afterAll(async () => {
  await Promise.all([openai?.close(), companyApi?.close()]);
  await removeCompanies(sql, [owner, grantee].filter(Boolean));
  await sql.end();
});

function soloTeam(company: Company, name: string, agentId: string): Promise<string> {
  return createTeam(company, { name, workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
}

async function toolEvents(executionId: string) {
  return (await events(sql, executionId)).filter((event) => event.event === "tool_call");
}

describe("an OpenAI agent with a built-in and a company tool", () => {
  it("calls both, sends the results back, records each call and prices every round", async () => {
    const agentId = await createAgent(owner, {
      name: "Order desk",
      provider: "openai-compatible",
      model: "gpt-4o-mini",
      config: { base_url: `${openai.url}/v1` },
    });
    await expectStatus(call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { tools: ["current_time", "lookup_order"] } }), 200);
    const teamId = await soloTeam(owner, "Order desk team", agentId);
    const modelBefore = openai.requests.length;
    const apiBefore = companyApi.requests.length;

    const run = await startRun(owner, teamId, 'Where is order A-1001?\n@tool current_time {"timezone":"America/Sao_Paulo"}\n@tool lookup_order {"order_id":"A-1001"}');
    const finished = await runFinished(sql, run.id);
    expect(finished.status, finished.error_message ?? "").toBe("completed");

    // The company API got the model's arguments with the tool's plain and secret headers.
    const erpCalls = companyApi.requests.slice(apiBefore);
    expect(erpCalls).toHaveLength(1);
    expect(erpCalls[0]).toMatchObject({ method: "POST", path: "/erp/orders", body: { order_id: "A-1001" } });
    expect(erpCalls[0].headers.authorization).toBe(`Bearer ${ownerSecret}`);
    expect(erpCalls[0].headers["x-source"]).toBe("renum");

    // Three rounds with the model; the results flowed back into the step's output.
    const rounds = openai.requests.slice(modelBefore);
    expect(rounds).toHaveLength(3);
    const [step] = await steps(sql, run.id);
    expect(step.output).toContain('tool result: {"utc":');
    expect(step.output).toContain('"timezone":"America/Sao_Paulo"');
    expect(step.output).toContain('"order":"shipped"');

    // Each call is a seq-numbered event of the run, with no header value in it, and the API serves it.
    const recorded = await toolEvents(run.id);
    expect(recorded.map((event) => [event.payload.round, event.payload.tool, event.payload.status])).toEqual([
      [1, "current_time", "succeeded"],
      [2, "lookup_order", "succeeded"],
    ]);
    expect(recorded[0].seq).toBeLessThan(recorded[1].seq);
    expect(recorded.every((event) => event.step_id === step.id && typeof event.payload.duration_ms === "number")).toBe(true);
    expect(JSON.stringify(recorded)).not.toContain(ownerSecret);
    const logs = await readRun(owner, run.id, "logs?limit=100");
    const served = (logs.items as { event: string; seq: number }[]).filter((event) => event.event === "tool_call").map((event) => event.seq);
    expect(served).toEqual(recorded.map((event) => event.seq));
    expect(JSON.stringify(logs)).not.toContain(ownerSecret);

    // The ledger holds the sum of the three rounds, exactly as the fake counted each.
    const promptTokens = rounds.map((request) =>
      fakeOpenAiPromptTokens((request.body as { messages: Record<string, unknown>[] }).messages
        .map((message) => ({ role: String(message.role), content: typeof message.content === "string" ? message.content : "" })))
    );
    expect(recorded.map((event) => event.payload.round_input_tokens)).toEqual(promptTokens.slice(0, 2));
    const [ledger] = await sql<{ input_tokens: number; output_tokens: number; cost_usd: string; input_usd_per_million: string; output_usd_per_million: string }[]>`
      select input_tokens::int, output_tokens::int, cost_usd::text, input_usd_per_million::text, output_usd_per_million::text
      from public.usage_ledger where step_id = ${step.id}`;
    expect(ledger.input_tokens).toBe(promptTokens[0] + promptTokens[1] + promptTokens[2]);
    const roundOutput = recorded.reduce((sum, event) => sum + Number(event.payload.round_output_tokens), 0);
    expect(ledger.output_tokens).toBeGreaterThan(roundOutput);
    const expectedCost = (ledger.input_tokens * Number(ledger.input_usd_per_million) + ledger.output_tokens * Number(ledger.output_usd_per_million)) / 1e6;
    expect(Number(ledger.cost_usd)).toBeCloseTo(expectedCost, 6);
    expect(Number(finished.cost_usd)).toBeCloseTo(Number(ledger.cost_usd), 6);
  });
});

describe("an agent reading the company's data with query_data", () => {
  it("reads as the person who started the run, in the run's company only, and cannot write", async () => {
    // The starter also belongs to another company: the agent must not see it.
    await addMember(sql, grantee.tenantId, owner.owner, "member");
    const otherAgent = await demoAgent(grantee, "Grantee analyst");
    await soloTeam(grantee, "Grantee private team", otherAgent);
    try {
      const agentId = await demoAgent(owner, "Data reader");
      await expectStatus(call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { tools: ["query_data"] } }), 200);
      const teamId = await soloTeam(owner, "Data reader team", agentId);
      const run = await startRun(owner, teamId, [
        "How many teams do we have?",
        '@tool query_data {"sql":"select name from public.teams order by name"}',
        '@tool query_data {"sql":"delete from public.teams"}',
        '@tool query_data {"sql":"select set_config(\'role\', \'service_role\', true)"}',
      ].join("\n"));
      const finished = await runFinished(sql, run.id);
      expect(finished.status, finished.error_message ?? "").toBe("completed");
      const recorded = await toolEvents(run.id);
      expect(recorded.map((event) => [event.payload.tool, event.payload.status])).toEqual([
        ["query_data", "succeeded"],
        ["query_data", "failed"],
        ["query_data", "failed"],
      ]);
      const [step] = await steps(sql, run.id);
      // Its own company's teams, as the starter sees them there; nothing of the other company.
      expect(step.output).toContain('"name":"Data reader team"');
      expect(step.output).not.toContain("Grantee private team");
      expect(step.output).toContain("query_not_read_only");
      expect(step.output).toContain("query_session_change");
      const [teams] = await sql<{ count: number }[]>`select count(*)::int as count from public.teams where tenant_id = ${owner.tenantId}`;
      expect(teams.count).toBeGreaterThan(0);
    } finally {
      await sql`delete from public.memberships where tenant_id = ${grantee.tenantId} and user_id = ${owner.owner.id}`;
    }
  });

  it("has nobody to read as in a run nobody started, and says so", async () => {
    const agentId = await demoAgent(owner, "Orphan reader", { latency_ms: 1500 });
    await expectStatus(call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { tools: ["query_data"] } }), 200);
    const teamId = await soloTeam(owner, "Orphan reader team", agentId);
    const run = await startRun(owner, teamId, 'Count them\n@tool query_data {"sql":"select count(*) from public.teams"}');
    // As a conversation's turn is: a run with no person behind it (the demo thinks 1.5 s before asking).
    await sql`update public.executions set created_by = null where id = ${run.id}`;
    const finished = await runFinished(sql, run.id);
    expect(finished.status, finished.error_message ?? "").toBe("completed");
    const recorded = await toolEvents(run.id);
    expect(recorded.map((event) => [event.payload.tool, event.payload.status])).toEqual([["query_data", "failed"]]);
    const [step] = await steps(sql, run.id);
    expect(step.output).toContain("nobody started this one");
  });
});

describe("an agent calling addresses with http_request", () => {
  it("calls only the hosts the company allows, GET and POST, and never an internal address", async () => {
    const agentId = await demoAgent(owner, "Web caller");
    await expectStatus(call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { tools: ["http_request"] } }), 200);
    const teamId = await soloTeam(owner, "Web caller team", agentId);
    const apiHost = new URL(companyApi.url).host;
    const script = [
      `@tool http_request {"url":"${companyApi.url}/erp/orders?order_id=A-7"}`,
      `@tool http_request {"url":"${companyApi.url}/erp/tickets","method":"POST","body":{"subject":"late"}}`,
      '@tool http_request {"url":"https://unlisted.example.com/x"}',
    ].join("\n");

    // No host allowed yet: the tool says how to allow one, and nothing is called.
    const apiBefore = companyApi.requests.length;
    const refused = await runFinished(sql, (await startRun(owner, teamId, `First\n${script}`)).id);
    expect(refused.status).toBe("completed");
    expect((await toolEvents(refused.id)).map((event) => event.payload.status)).toEqual(["failed", "failed", "failed"]);
    expect((await steps(sql, refused.id))[0].output).toContain("the company allows no host for http_request yet");
    expect(companyApi.requests.length).toBe(apiBefore);

    // The owner allows the fake company API's host (with its port) in the settings.
    const settings = await expectStatus(call(owner.owner, "PATCH", `/tenants/${owner.tenantId}/settings`, {
      tenant: owner.tenantId, body: { http_request_hosts: [apiHost, "*.Example.org"] },
    }), 200);
    expect(settings.http_request_hosts).toEqual([apiHost, "*.example.org"]);
    const allowed = await runFinished(sql, (await startRun(owner, teamId, `Second\n${script}`)).id);
    expect(allowed.status).toBe("completed");
    expect((await toolEvents(allowed.id)).map((event) => event.payload.status)).toEqual(["succeeded", "succeeded", "failed"]);
    const calls = companyApi.requests.slice(apiBefore);
    expect(calls.map((request) => [request.method, request.path])).toEqual([["GET", "/erp/orders"], ["POST", "/erp/tickets"]]);
    expect(calls[1].body).toEqual({ subject: "late" });
    const output = (await steps(sql, allowed.id))[0].output;
    expect(output).toContain('"order_id":"A-7"');
    expect(output).toContain("unlisted.example.com is not among the hosts the company allows");

    // A host that names the inside is refused by the API, and by the egress rules at call time.
    const inward = await call(owner.owner, "PATCH", `/tenants/${owner.tenantId}/settings`, {
      tenant: owner.tenantId, body: { http_request_hosts: ["localhost"] },
    });
    expect(inward.status).toBe(422);
    await sql`update public.tenants set http_request_hosts = '{127.0.0.1:9}' where id = ${owner.tenantId}`;
    const internal = await runFinished(sql, (await startRun(owner, teamId, 'Third\n@tool http_request {"url":"http://127.0.0.1:9/admin"}')).id);
    expect((await steps(sql, internal.id))[0].output).toContain("refused");
    await sql`update public.tenants set http_request_hosts = '{}' where id = ${owner.tenantId}`;
  });
});

describe("a shared agent and another company", () => {
  let agentId: string;
  let teamId: string;

  beforeAll(async () => {
    // A demo agent of the owner's that names the owner's tool, shared with the grantee company to edit.
    agentId = await createAgent(owner, { name: "Shared order bot", provider: "demo", model: "demo-small", config: { latency_ms: 0 } });
    await expectStatus(call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { tools: ["lookup_order"] } }), 200);
    await expectStatus(
      call(owner.owner, "POST", "/shares", { tenant: owner.tenantId, body: { agent_id: agentId, grantee_tenant_id: grantee.tenantId, permission: "edit" } }),
      201,
    );
    teamId = await soloTeam(owner, "Owner's shared bot team", agentId);
  });

  it("cannot be put in the grantee's team, nor re-tooled by the grantee; the grantee sees no tool of the owner's", async () => {
    const apiBefore = companyApi.requests.length;
    const team = await call(grantee.owner, "POST", "/teams", {
      tenant: grantee.tenantId,
      body: { name: "Grantee's team", workflow_type: "sequential", config: { timeout_seconds: 600 }, agents: [{ agent_id: agentId, execution_order: 1, role: "member" }] },
    });
    expect(team.status).toBe(422);
    expect(JSON.stringify(team.body)).toContain("team_agent_not_in_company");

    // The grantee's own tool of the same name changes nothing in the owner's agent.
    await createCompanyTool(grantee.owner, grantee.tenantId, { name: "lookup_order", url: `${companyApi.url}/grantee/orders`, parameters: orderParameters });
    const retool = await call(grantee.owner, "PATCH", `/agents/${agentId}`, { tenant: grantee.tenantId, body: { tools: ["lookup_order", "current_time"] } });
    expect(retool.status).toBe(403);
    expect(retool.body.error.code).toBe("shared_agent_field_locked");
    const ownersTool = await call(grantee.owner, "GET", `/tools/company/${ownerToolId}`, { tenant: grantee.tenantId });
    expect(ownersTool.status).toBe(404);
    const listed = await expectStatus(call(grantee.owner, "GET", "/tools/company", { tenant: grantee.tenantId }), 200);
    expect(listed.items.map((tool: { url: string }) => tool.url)).toEqual([`${companyApi.url}/grantee/orders`]);
    expect(JSON.stringify(listed)).not.toContain(ownerSecret);
    expect(companyApi.requests.length).toBe(apiBefore);
  });

  it("runs in its owner's company with the owner's tool, whatever tool of that name the grantee has", async () => {
    const apiBefore = companyApi.requests.length;
    const run = await startRun(owner, teamId, '@tool lookup_order {"order_id":"OWN-1"}');
    expect((await runFinished(sql, run.id)).status).toBe("completed");
    const erpCalls = companyApi.requests.slice(apiBefore);
    expect(erpCalls).toHaveLength(1);
    expect(erpCalls[0].path).toBe("/erp/orders");
    expect(erpCalls[0].headers.authorization).toBe(`Bearer ${ownerSecret}`);
    const [step] = await steps(sql, run.id);
    expect(step.output).toContain('lookup_order -> {"ok":true');
  });
});

describe("an HTTP tool aimed inward", () => {
  it.each([
    ["the loopback address", "http://127.0.0.1:9/admin"],
    ["the cloud metadata address", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"],
  ])("is refused by the API and the database, and when the company API redirects there (%s)", async (_, url) => {
    const refused = await call(owner.owner, "POST", "/tools/company", { tenant: owner.tenantId, body: { name: "inward_tool", url } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("address_not_allowed");
    // Straight to the table, as the database's own rule sees any writer: refused too.
    await expect(sql`update public.tenant_tools set url = ${url} where id = ${ownerToolId}`).rejects.toThrow();

    // An allowed address that answers with a redirect inward: the executor's egress refuses the hop,
    // and the model reads why as the tool's answer.
    const agentId = await createAgent(owner, { name: `Redirected ${url.slice(7, 20)}`, provider: "demo", model: "demo-small", config: { latency_ms: 0 } });
    await expectStatus(call(owner.owner, "PATCH", `/agents/${agentId}`, { tenant: owner.tenantId, body: { tools: ["lookup_order"] } }), 200);
    const teamId = await soloTeam(owner, `Redirect team ${url.slice(7, 20)}`, agentId);
    const apiBefore = companyApi.requests.length;
    companyApi.script({ status: 302, body: {}, headers: { location: url } });
    const run = await startRun(owner, teamId, '@tool lookup_order {"order_id":"IN-1"}');
    expect((await runFinished(sql, run.id)).status).toBe("completed");
    expect(companyApi.requests.length).toBe(apiBefore + 1);
    const [event] = await toolEvents(run.id);
    expect(event.payload.status).toBe("failed");
    expect(String(event.payload.error)).toMatch(/^the tool's address was refused: /);
    const [step] = await steps(sql, run.id);
    expect(step.output).toContain("lookup_order -> error: the tool's address was refused");
  });
});
