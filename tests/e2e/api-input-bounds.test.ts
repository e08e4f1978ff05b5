// Bad input never gets a 500: JSON nested too deeply, too large, numbers beyond any sense, NUL
// characters and unpaired surrogates — in names, prompts and deep inside config and variables —
// sent through the gateway to the agents, teams and executions endpoints. Each is answered with a
// 4xx in the one error shape, naming the field, and the database shows nothing was written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiAnswer, type ApiUser, call, cleanUp, createTenant, expectStatus, signUp, testDatabase } from "../fixtures/index.ts";

const sql = testDatabase();
let owner: ApiUser;
let tenantId: string;
let agentId: string;
let teamId: string;

beforeAll(async () => {
  owner = await signUp("bounds-owner");
  tenantId = await createTenant(owner, "Bounds");
  const agent = await expectStatus(
    call(owner, "POST", "/agents", {
      tenant: tenantId,
      body: { name: "Bounded", provider: "demo", model: "demo-small", status: "active", config: { latency_ms: 0 } },
    }),
    201,
  );
  agentId = agent.id;
  const team = await expectStatus(
    call(owner, "POST", "/teams", {
      tenant: tenantId,
      body: { name: "Bounded team", workflow_type: "sequential", agents: [{ agent_id: agentId, role: "member", execution_order: 1 }] },
    }),
    201,
  );
  teamId = team.id;
});

afterAll(async () => {
  await cleanUp(sql, [owner]);
  await sql.end();
});

// ─── values that are wrong in depth, size, number or text ─────────────────────────────────────

/** `{"a": {"a": ... leaf}}` with `levels` objects. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}

/** The same as JSON text, built as text, for depths JSON.stringify itself cannot write. */
const nestedText = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);

const nul = "before\u0000after";
const loneHigh = "before\uD800after";
const loneLow = "\uDC00 alone";

/** The answer is 4xx in the one error shape and one of its details names `path`. */
function expectRefusal(answer: ApiAnswer, status: number, path: string, message?: RegExp) {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  expect(Object.keys(answer.body)).toEqual(["error"]);
  expect(answer.body.error).toMatchObject({ code: "validation_failed", message: expect.any(String) });
  const detail = (answer.body.error.details as { path: string; message: string }[]).find((item) => item.path === path);
  expect(detail, `no detail for ${path} in ${answer.text.slice(0, 300)}`).toBeDefined();
  if (message) expect(detail!.message).toMatch(message);
}

const tooDeep = /nest more than/;
const unstorable = /NUL characters or unpaired UTF-16 surrogates/;

const agentCount = async () =>
  (await sql<{ count: number }[]>`select count(*)::int as count from public.agents where tenant_id = ${tenantId}`)[0].count;
const teamCount = async () =>
  (await sql<{ count: number }[]>`select count(*)::int as count from public.teams where tenant_id = ${tenantId}`)[0].count;
const runCount = async () =>
  (await sql<{ count: number }[]>`select count(*)::int as count from public.executions where tenant_id = ${tenantId}`)[0].count;

// ─── agents ───────────────────────────────────────────────────────────────────────────────────

describe("agents: POST /agents and PATCH /agents/:id", () => {
  const create = (body: Record<string, unknown>) =>
    call(owner, "POST", "/agents", { tenant: tenantId, body: { name: "Bad", model: "demo-small", provider: "demo", ...body } });

  it("refuses config nested deeper than 8 levels, and config nested 50,000 levels deep, with 422 and no agent", async () => {
    const before = await agentCount();
    expectRefusal(await create({ config: { reply: nested(8) } }), 422, "config.reply.a.a.a.a.a.a.a", tooDeep);
    const deepest = await call(owner, "POST", "/agents", {
      tenant: tenantId,
      rawBody: `{"name":"Deep","model":"demo-small","config":{"reply":${nestedText(50_000)}}}`,
    });
    expect(deepest.status).toBe(422);
    expect(deepest.body.error.code).toBe("validation_failed");
    expect(deepest.body.error.message).toMatch(tooDeep);
    expect(await agentCount()).toBe(before);
  });

  it("refuses config larger than 16 KB", async () => {
    expectRefusal(await create({ config: { reply: "x".repeat(17_000) } }), 422, "config", /at most 16384 bytes/);
  });

  it("refuses unbounded numbers: 1e18 at the edge, 1e12 tokens per reply in the database, naming the setting", async () => {
    expectRefusal(await create({ config: { tokens_per_reply: 1e18 } }), 422, "config.tokens_per_reply", /between -1000000000000000 and/);
    const inDatabase = await create({ config: { tokens_per_reply: 1e12 } });
    expect(inDatabase.status).toBe(422);
    expect(inDatabase.body.error.message).toBe("config.tokens_per_reply must be a number between 0 and 1000000");
    const penalty = await create({ provider: "openai-compatible", model: "gpt-4o-mini", config: { presence_penalty: 9 } });
    expect(penalty.status).toBe(422);
    expect(penalty.body.error.message).toBe("config.presence_penalty must be a number between -2 and 2");
  });

  it("refuses NUL and unpaired surrogates in the name, the prompt and deep in config, naming each field", async () => {
    const before = await agentCount();
    expectRefusal(await create({ name: nul }), 422, "name", unstorable);
    expectRefusal(await create({ system_prompt: loneHigh }), 422, "system_prompt", unstorable);
    expectRefusal(
      await create({ provider: "openai-compatible", model: "gpt-4o-mini", config: { stop: ["fine", loneLow] } }),
      422,
      "config.stop.1",
      unstorable,
    );
    expectRefusal(await create({ config: { [`re${"\u0000"}ply`]: "x" } }), 422, "config.re\u0000ply", unstorable);
    expect(await agentCount()).toBe(before);
  });

  it("refuses the same in an update, leaving the agent as it was", async () => {
    const update = (body: Record<string, unknown>) => call(owner, "PATCH", `/agents/${agentId}`, { tenant: tenantId, body });
    const [before] = await sql`select name, config, version from public.agents where id = ${agentId}`;
    expectRefusal(await update({ config: { reply: nested(12) } }), 422, "config.reply.a.a.a.a.a.a.a", tooDeep);
    expectRefusal(await update({ name: loneHigh }), 422, "name", unstorable);
    expectRefusal(await update({ config: { latency_ms: Number.MAX_VALUE } }), 422, "config.latency_ms");
    const [after] = await sql`select name, config, version from public.agents where id = ${agentId}`;
    expect(after).toEqual(before);
  });
});

// ─── teams ────────────────────────────────────────────────────────────────────────────────────

describe("teams: POST /teams, PUT /teams/:id and POST /teams/:id/members", () => {
  const member = (extra: Record<string, unknown>) => ({ agent_id: agentId, role: "member", execution_order: 1, ...extra });
  const create = (body: Record<string, unknown>) =>
    call(owner, "POST", "/teams", { tenant: tenantId, body: { name: "Bad team", workflow_type: "sequential", agents: [member({})], ...body } });

  it("refuses a deeply nested workflow, huge numbers and unstorable text, naming the field, and writes no team", async () => {
    const before = await teamCount();
    const deepest = await call(owner, "POST", "/teams", {
      tenant: tenantId,
      rawBody: `{"name":"Deep","workflow_type":"sequential","agents":[{"agent_id":"${agentId}","execution_order":1,"input":${nestedText(50_000)}}]}`,
    });
    expect(deepest.status).toBe(422);
    expect(deepest.body.error.message).toMatch(tooDeep);
    expectRefusal(
      await create({ agents: [member({ conditions: [{ field: "initial_prompt", operator: "greater_than", value: 1e18 }] })] }),
      422,
      "agents.0.conditions.0.value",
    );
    expectRefusal(await create({ name: nul }), 422, "name", unstorable);
    expectRefusal(
      await create({
        agents: [member({ input: { source: "combined", sources: [{ type: "initial_prompt" }], template: loneHigh } })],
      }),
      422,
      "agents.0.input.template",
      unstorable,
    );
    expectRefusal(
      await create({ agents: [member({ conditions: [{ field: "initial_prompt", operator: "equals", value: loneLow }] })] }),
      422,
      "agents.0.conditions.0.value",
      unstorable,
    );
    expect(await teamCount()).toBe(before);
  });

  it("refuses the same in a replacement and in a new member, leaving the team as it was", async () => {
    const [before] = await sql`select name, updated_at from public.teams where id = ${teamId}`;
    const members = await sql`select input, conditions, config from public.team_agents where team_id = ${teamId}`;
    expectRefusal(
      await call(owner, "PUT", `/teams/${teamId}`, {
        tenant: tenantId,
        body: { name: loneHigh, workflow_type: "sequential", agents: [member({})] },
      }),
      422,
      "name",
      unstorable,
    );
    expectRefusal(
      await call(owner, "PUT", `/teams/${teamId}/members/${agentId}`, {
        tenant: tenantId,
        body: { config: { tools: ["fine", nul] } },
      }),
      422,
      "config.tools.1",
      unstorable,
    );
    const [after] = await sql`select name, updated_at from public.teams where id = ${teamId}`;
    expect(after).toEqual(before);
    expect(await sql`select input, conditions, config from public.team_agents where team_id = ${teamId}`).toEqual(members);
  });
});

// ─── executions ───────────────────────────────────────────────────────────────────────────────

describe("executions: POST /teams/:id/execute", () => {
  const execute = (body: Record<string, unknown>) =>
    call(owner, "POST", `/teams/${teamId}/execute`, { tenant: tenantId, body: { initial_prompt: "Go", ...body } });

  it("refuses variables nested too deeply, too large, with huge numbers or unstorable text, and starts no run", async () => {
    const before = await runCount();
    expectRefusal(await execute({ variables: { data: nested(16) } }), 422, `variables.data${".a".repeat(15)}`, tooDeep);
    const deepest = await call(owner, "POST", `/teams/${teamId}/execute`, {
      tenant: tenantId,
      rawBody: `{"initial_prompt":"Go","variables":{"data":${nestedText(50_000)}}}`,
    });
    expect(deepest.status).toBe(422);
    expect(deepest.body.error.message).toMatch(tooDeep);
    expectRefusal(await execute({ variables: { data: "x".repeat(70_000) } }), 422, "variables", /at most 65536 bytes/);
    expectRefusal(await execute({ variables: { count: -1e300 } }), 422, "variables.count");
    expectRefusal(await execute({ initial_prompt: nul }), 422, "initial_prompt", unstorable);
    expectRefusal(await execute({ variables: { list: [1, { deep: loneHigh }] } }), 422, "variables.list.1.deep", unstorable);
    expect(await runCount()).toBe(before);
  });

  it("still starts a run with variables within the bounds", async () => {
    const started = await expectStatus(execute({ variables: { data: nested(15, "ok"), count: 1e15 } }), 202);
    const [run] = await sql`select variables from public.executions where id = ${started.execution_id}`;
    expect(run.variables.count).toBe(1e15);
    await sql`select public.stop_execution(${started.execution_id})`;
  });
});
