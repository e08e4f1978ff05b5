// The `api` function's teams endpoints over HTTP, through the gateway, as people who signed up with
// supabase-js: definitions of every strategy written in one transaction; invalid workflows refused
// with 422 naming the agent and the field, whether zod at the edge or the database's check at
// commit refused them, and nothing written; the members endpoints; roles; isolation between companies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  callOnOwnConnection,
  cleanUp,
  createTenant,
  expectStatus,
  signUp,
  testDatabase,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];

// Company A: owner, admin, member, analyst. Company B: its owner (and an agent A must never see).
let ownerA: ApiUser;
let adminA: ApiUser;
let memberA: ApiUser;
let analystA: ApiUser;
let ownerB: ApiUser;
let tenantA: string;
let tenantB: string;
// A's agents: researcher, writer, reviewer, lead; an archived one. B's secret agent.
let researcher: string;
let writer: string;
let reviewer: string;
let lead: string;
let archived: string;
let secretOfB: string;

interface TeamAnswer {
  id: string;
  tenant_id: string;
  name: string;
  workflow_type: string;
  config: Record<string, unknown>;
  agents: { id: string; agent_id: string; name: string; execution_order: number; role: string; input: unknown; conditions: unknown[] }[];
}

async function agent(owner: ApiUser, tenant: string, name: string, model = "demo-small"): Promise<string> {
  return (await expectStatus(call(owner, "POST", "/agents", { tenant, body: { name, model, status: "active" } }), 201)).id;
}

/** A member of a definition: `agent_id`, `execution_order` and the rest as given (role member). */
const step = (agentId: string, order: number, extra: Record<string, unknown> = {}) => ({
  agent_id: agentId,
  role: "member",
  execution_order: order,
  ...extra,
});

const fromAgent = (agentId: string) => ({ source: "agent_result", agent_id: agentId });

async function teamsNamed(name: string): Promise<number> {
  const [{ count }] = await sql`select count(*)::int as count from public.teams where name = ${name}`;
  return count;
}

beforeAll(async () => {
  [ownerA, adminA, memberA, analystA, ownerB] = await Promise.all(
    ["owner-a", "admin-a", "member-a", "analyst-a", "owner-b"].map((label) => signUp(`teams-${label}`)),
  );
  people.push(ownerA, adminA, memberA, analystA, ownerB);
  tenantA = await createTenant(ownerA, "Times A");
  tenantB = await createTenant(ownerB, "Times B");
  await addMember(sql, tenantA, adminA, "admin");
  await addMember(sql, tenantA, memberA, "member");
  await addMember(sql, tenantA, analystA, "analyst");
  researcher = await agent(memberA, tenantA, "Pesquisadora");
  writer = await agent(memberA, tenantA, "Redator", "demo-large");
  reviewer = await agent(memberA, tenantA, "Revisor");
  lead = await agent(memberA, tenantA, "Líder");
  archived = await agent(memberA, tenantA, "Aposentado");
  await expectStatus(call(memberA, "POST", `/agents/${archived}/archive`, { tenant: tenantA }), 200);
  secretOfB = await agent(ownerB, tenantB, "Segredo de B");
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

describe("POST /teams", () => {
  it("creates a sequential team with its agents in one go, ordered, with each agent's name, provider and model", async () => {
    const team = await expectStatus<TeamAnswer>(
      call(memberA, "POST", "/teams", {
        tenant: tenantA,
        body: {
          name: "  Conteúdo  ",
          description: "Pesquisa, escreve, revisa.",
          workflow_type: "sequential",
          config: { timeout_seconds: 120, max_parallel_agents: 3, continue_on_error: true, temperature: 0.3, max_tokens: 1000 },
          // Listed out of order on purpose: the answer is in execution order.
          agents: [
            step(reviewer, 3, {
              input: {
                source: "combined",
                sources: [{ type: "initial_prompt" }, { type: "agent_result", agent_id: writer.toUpperCase() }, { type: "variable", name: "tone" }],
                template: "Revise {{agent:" + writer + "}} no tom {{variables.tone}}.",
              },
              config: { temperature: 0, tools: ["calculator"] },
            }),
            step(researcher, 1),
            step(writer, 2, { input: fromAgent(researcher), config: { max_tokens: 500 } }),
          ],
        },
      }),
      201,
    );
    expect(team).toMatchObject({
      tenant_id: tenantA,
      name: "Conteúdo",
      description: "Pesquisa, escreve, revisa.",
      is_active: true,
      workflow_type: "sequential",
      config: { timeout_seconds: 120, max_parallel_agents: 3, continue_on_error: true, temperature: 0.3, max_tokens: 1000 },
      created_by: memberA.id,
    });
    expect(team.agents.map((member) => [member.name, member.execution_order])).toEqual([
      ["Pesquisadora", 1],
      ["Redator", 2],
      ["Revisor", 3],
    ]);
    expect(team.agents[0]).toMatchObject({
      agent_id: researcher,
      provider: "demo",
      model: "demo-small",
      agent_status: "active",
      role: "member",
      input: { source: "initial_prompt" },
      conditions: [],
      config: {},
    });
    expect(team.agents[1]).toMatchObject({ model: "demo-large", input: { source: "agent_result", agent_id: researcher }, config: { max_tokens: 500 } });
    // Agent ids in references are stored as the database writes them (lower case).
    expect(team.agents[2].input).toMatchObject({ sources: [{ type: "initial_prompt" }, { type: "agent_result", agent_id: writer }, { type: "variable", name: "tone" }] });

    const rows = await sql`select agent_id, tenant_id, execution_order from public.team_agents where team_id = ${team.id} order by execution_order`;
    expect(rows).toEqual([
      { agent_id: researcher, tenant_id: tenantA, execution_order: 1 },
      { agent_id: writer, tenant_id: tenantA, execution_order: 2 },
      { agent_id: reviewer, tenant_id: tenantA, execution_order: 3 },
    ]);
    const fetched = await expectStatus(call(analystA, "GET", `/teams/${team.id}`, { tenant: tenantA }), 200);
    expect(fetched).toEqual(team);
  });

  it("creates parallel, pipeline and conditional teams, with the settings' defaults", async () => {
    const parallel = await expectStatus<TeamAnswer>(
      call(adminA, "POST", "/teams", {
        tenant: tenantA,
        body: {
          name: "Paralelo",
          workflow_type: "parallel",
          agents: [step(researcher, 1), step(writer, 1), step(reviewer, 1), step(lead, 2, { role: "leader" })],
        },
      }),
      201,
    );
    expect(parallel.config).toEqual({ max_tokens: null, temperature: null, timeout_seconds: 600, max_parallel_agents: 5, continue_on_error: false });
    expect(parallel.agents.map((member) => member.role)).toEqual(["member", "member", "member", "leader"]);

    const pipeline = await expectStatus<TeamAnswer>(
      call(ownerA, "POST", "/teams", {
        tenant: tenantA,
        body: { name: "Esteira", workflow_type: "pipeline", is_active: false, agents: [step(researcher, 1), step(writer, 2), step(reviewer, 3)] },
      }),
      201,
    );
    expect(pipeline).toMatchObject({ workflow_type: "pipeline", is_active: false });

    const conditional = await expectStatus<TeamAnswer>(
      call(memberA, "POST", "/teams", {
        tenant: tenantA,
        body: {
          name: "Condicional",
          workflow_type: "conditional",
          agents: [
            step(researcher, 1, { role: "coordinator" }),
            step(writer, 2, { conditions: [{ field: `agents.${researcher}.output`, operator: "contains", value: "urgente" }] }),
            step(reviewer, 3, {
              conditions: [
                { field: "variables.priority", operator: "greater_than", value: 3 },
                { field: `agents.${writer}.status`, operator: "equals", value: "succeeded" },
              ],
            }),
          ],
        },
      }),
      201,
    );
    expect(conditional.agents[2].conditions).toEqual([
      { field: "variables.priority", operator: "greater_than", value: 3 },
      { field: `agents.${writer}.status`, operator: "equals", value: "succeeded" },
    ]);

    // A team without agents yet is a draft: it can be saved, not run.
    const empty = await expectStatus<TeamAnswer>(
      call(memberA, "POST", "/teams", { tenant: tenantA, body: { name: "Rascunho", workflow_type: "sequential", agents: [] } }),
      201,
    );
    expect(empty.agents).toEqual([]);
  });

  it("answers 403 to analysts, and writes nothing", async () => {
    const answer = await call(analystA, "POST", "/teams", {
      tenant: tenantA,
      body: { name: "Do analista", workflow_type: "sequential", agents: [step(researcher, 1)] },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("forbidden");
    expect(await teamsNamed("Do analista")).toBe(0);
  });

  // [case, agents, workflow, expected path, message fragment]
  const refusedByTheDatabase: [string, () => unknown[], string, string, string][] = [
    [
      "a cycle (each reads the other)",
      () => [step(writer, 2, { input: fromAgent(researcher) }), step(researcher, 1, { input: fromAgent(writer) })],
      "sequential",
      "agents[1].input.agent_id",
      'agent "Pesquisadora": input.agent_id reads the result of an agent that does not run before it (order 2), which would make a cycle',
    ],
    [
      "an agent reading itself",
      () => [step(researcher, 1), step(writer, 2, { input: fromAgent(writer) })],
      "sequential",
      "agents[1].input.agent_id",
      'agent "Redator": input.agent_id refers to the agent itself (a cycle)',
    ],
    [
      "a pipeline input from a later agent",
      () => [step(researcher, 1), step(writer, 2, { input: fromAgent(reviewer) }), step(reviewer, 3)],
      "pipeline",
      "agents[1].input.agent_id",
      'agent "Redator": input.agent_id reads the result of a later agent (order 3); a pipeline only feeds forward',
    ],
    [
      "a combined source from a later agent",
      () => [
        step(researcher, 1, { input: { source: "combined", sources: [{ type: "initial_prompt" }, { type: "agent_result", agent_id: writer }] } }),
        step(writer, 2),
      ],
      "sequential",
      "agents[0].input.sources[1].agent_id",
      'agent "Pesquisadora": input.sources[1].agent_id reads the result of an agent that does not run before it',
    ],
    [
      "a condition on a later agent's output",
      () => [step(researcher, 1), step(writer, 2, { conditions: [{ field: `agents.${reviewer}.output`, operator: "equals", value: "ok" }] }), step(reviewer, 3)],
      "conditional",
      "agents[1].conditions[0].field",
      'agent "Redator": conditions[0].field reads the result of an agent that does not run before it (order 3)',
    ],
    [
      "an archived agent",
      () => [step(researcher, 1), step(archived, 2)],
      "sequential",
      "agents[1].agent_id",
      'agent "Aposentado" is archived; restore it or remove it from the team',
    ],
    [
      "two agents with one order in a sequential team",
      () => [step(researcher, 1), step(writer, 2), step(reviewer, 2)],
      "sequential",
      "agents[2].execution_order",
      "two agents share the same execution_order; a sequential team runs agents one after another",
    ],
    [
      "a leader and a coordinator",
      () => [step(researcher, 1, { role: "leader" }), step(writer, 1), step(reviewer, 2, { role: "coordinator" })],
      "parallel",
      "agents[2].role",
      "a team has at most one leader or coordinator",
    ],
  ];

  it.each(refusedByTheDatabase)("refuses %s at commit with 422 naming the agent and the field, and writes nothing", async (label, agents, workflow, path, message) => {
    const name = `Inválido ${label}`;
    const answer = await call(memberA, "POST", "/teams", { tenant: tenantA, body: { name, workflow_type: workflow, agents: agents() } });
    expect(answer.status, answer.text).toBe(422);
    expect(answer.body.error.code).toBe("validation_failed");
    expect(answer.body.error.message).toContain(message);
    expect(answer.body.error.details).toHaveLength(1);
    expect(answer.body.error.details[0]).toMatchObject({ path, message: answer.body.error.message });
    expect(await teamsNamed(name)).toBe(0);
  });

  it("refuses another company's agent and an unknown one alike, without revealing the other company's agent", async () => {
    for (const foreign of [secretOfB, aUuid()]) {
      const answer = await call(memberA, "POST", "/teams", {
        tenant: tenantA,
        body: { name: "Com intruso", workflow_type: "sequential", agents: [step(researcher, 1), step(foreign, 2)] },
      });
      expect(answer.status).toBe(422);
      expect(answer.body.error).toEqual({
        code: "validation_failed",
        message: `agent ${foreign} is not an agent of this company`,
        details: [{
          path: "agents[1].agent_id",
          message: `agent ${foreign} is not an agent of this company`,
          constraint: "team_agent_not_in_company",
          agent_id: foreign,
        }],
      });
      expect(answer.text).not.toContain("Segredo");
    }
    expect(await teamsNamed("Com intruso")).toBe(0);
  });

  it("refuses at the edge references to agents the definition does not list, naming the agent's index and field", async () => {
    const stranger = aUuid();
    const answer = await call(memberA, "POST", "/teams", {
      tenant: tenantA,
      body: {
        name: "Referências soltas",
        workflow_type: "conditional",
        agents: [
          step(researcher, 1),
          step(writer, 2, {
            input: { source: "combined", sources: [{ type: "agent_result", agent_id: stranger }] },
            conditions: [{ field: `agents.${reviewer}.output`, operator: "contains", value: "x" }],
          }),
          step(lead, 3, { input: fromAgent(stranger) }),
        ],
      },
    });
    expect(answer.status).toBe(422);
    const paths = answer.body.error.details.map((detail: { path: string }) => detail.path);
    expect(paths).toEqual(["agents.1.input.sources.0.agent_id", "agents.1.conditions.0.field", "agents.2.input.agent_id"]);
    expect(answer.body.error.details[0].message).toContain(`Refers to agent ${stranger}, which is not among this team's agents`);
    expect(await teamsNamed("Referências soltas")).toBe(0);
  });

  it("refuses at the edge conditions on fields nothing produces, and an agent listed twice", async () => {
    const fields = await call(memberA, "POST", "/teams", {
      tenant: tenantA,
      body: {
        name: "Campos",
        workflow_type: "conditional",
        agents: [
          step(researcher, 1, { conditions: [{ field: "weather.today", operator: "equals", value: "sol" }] }),
          step(writer, 2, { conditions: [{ field: `agents.${researcher}.mood`, operator: "equals", value: "x" }] }),
          step(researcher, 3),
        ],
      },
    });
    expect(fields.status).toBe(422);
    expect(fields.body.error.details.map((detail: { path: string }) => detail.path)).toEqual([
      "agents.0.conditions.0.field",
      "agents.1.conditions.0.field",
      "agents.2.agent_id",
    ]);
    expect(fields.body.error.details[0].message).toContain("Must be something the team produces");
    expect(await teamsNamed("Campos")).toBe(0);
  });

  it("refuses malformed and mistyped bodies, unknown fields and oversized requests", async () => {
    const valid = { name: "Forma", workflow_type: "sequential", agents: [step(researcher, 1)] };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, tenant_id: tenantB }, "tenant_id"],
      [{ ...valid, workflow_type: "round_robin" }, "workflow_type"],
      [{ ...valid, name: "" }, "name"],
      [{ ...valid, name: 7 }, "name"],
      [{ ...valid, agents: "all of them" }, "agents"],
      [{ workflow_type: "sequential", agents: [] }, "name"],
      [{ name: "Forma", agents: [] }, "workflow_type"],
      [{ ...valid, config: { timeout_seconds: 5 } }, "config.timeout_seconds"],
      [{ ...valid, config: { retries: 3 } }, "config.retries"],
      [{ ...valid, agents: [step(researcher, 1, { role: "boss" })] }, "agents.0.role"],
      [{ ...valid, agents: [step(researcher, 0)] }, "agents.0.execution_order"],
      [{ ...valid, agents: [step(researcher, 1.5)] }, "agents.0.execution_order"],
      [{ ...valid, agents: [step("not-a-uuid", 1)] }, "agents.0.agent_id"],
      [{ ...valid, agents: [{ agent_id: researcher, execution_order: 1 }] }, "agents.0.role"],
      [{ ...valid, agents: [step(researcher, 1, { extra: true })] }, "agents.0.extra"],
      [{ ...valid, agents: [step(researcher, 1, { config: { system_prompt: "x" } })] }, "agents.0.config.system_prompt"],
      [{ ...valid, agents: [step(researcher, 1, { input: { source: "the internet" } })] }, "agents.0.input.source"],
      [{ ...valid, agents: [step(researcher, 1, { input: { source: "initial_prompt", agent_id: writer } })] }, "agents.0.input.agent_id"],
      [{ ...valid, agents: [step(researcher, 1, { conditions: [{ field: "initial_prompt", operator: "matches", value: "x" }] })] }, "agents.0.conditions.0.operator"],
      [{ ...valid, agents: [step(researcher, 1, { conditions: [{ field: "initial_prompt", operator: "equals", value: { a: 1 } }] })] }, "agents.0.conditions.0.value"],
    ];
    for (const [body, path] of cases) {
      const answer = await call(memberA, "POST", "/teams", { tenant: tenantA, body });
      expect(answer.status, path).toBe(422);
      expect(answer.body.error.code, path).toBe("validation_failed");
      expect(answer.body.error.details.map((detail: { path: string }) => detail.path), path).toContain(path);
    }
    expect((await call(memberA, "POST", "/teams", { tenant: tenantA, rawBody: '{"name": "Forma",' })).status).toBe(400);
    expect((await call(memberA, "POST", "/teams", { tenant: tenantA, rawBody: "" })).status).toBe(400);
    const notJson = await call(memberA, "POST", "/teams", { tenant: tenantA, rawBody: "name=Forma", headers: { "content-type": "text/plain" } });
    expect(notJson.status).toBe(415);
    const huge = await callOnOwnConnection(memberA, "POST", "/teams", JSON.stringify({ ...valid, description: "x".repeat(1_100_000) }));
    expect(huge.status).toBe(413);
    expect(await teamsNamed("Forma")).toBe(0);
  });

  it("answers 403 with the reason when the company is suspended, and writes nothing", async () => {
    await sql`update public.tenants set status = 'suspended' where id = ${tenantA}`;
    try {
      const answer = await call(ownerA, "POST", "/teams", {
        tenant: tenantA,
        body: { name: "Suspenso", workflow_type: "sequential", agents: [step(researcher, 1)] },
      });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatchObject({
        code: "tenant_read_only",
        message: "this company is suspended: it can read its data but not change anything",
        details: { tenant_id: tenantA, tenant_status: "suspended" },
      });
      expect((await call(ownerA, "GET", "/teams", { tenant: tenantA })).status).toBe(200);
    } finally {
      await sql`update public.tenants set status = 'active' where id = ${tenantA}`;
    }
    expect(await teamsNamed("Suspenso")).toBe(0);
  });

  it("answers 401 without a token or with a forged one", async () => {
    const body = { name: "Sem login", workflow_type: "sequential", agents: [] };
    expect((await call(null, "POST", "/teams", { tenant: tenantA, body })).status).toBe(401);
    const [header, payload] = memberA.token.split(".");
    const forged = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
    expect((await call(forged, "POST", "/teams", { tenant: tenantA, body })).status).toBe(401);
    expect((await call(forged, "GET", "/teams", { tenant: tenantA })).status).toBe(401);
    expect(await teamsNamed("Sem login")).toBe(0);
  });
});

describe("GET /teams", () => {
  let lister: ApiUser;
  let listTenant: string;

  beforeAll(async () => {
    lister = await signUp("teams-lister");
    people.push(lister);
    listTenant = await createTenant(lister, "Listagem de times");
    const agentId = await agent(lister, listTenant, "Único");
    // 23 teams changed at distinct times; team 7 has a name to search for, and one agent.
    await sql`
      insert into public.teams (tenant_id, name, workflow_type, created_by, updated_at)
      select ${listTenant}, case when n = 7 then 'Agulha 100% real' else 'Time ' || n end, 'sequential', ${lister.id},
             now() - interval '1 minute' * n
      from generate_series(1, 23) n`;
    await sql`
      insert into public.team_agents (team_id, agent_id, execution_order)
      select id, ${agentId}, 1 from public.teams where tenant_id = ${listTenant} and name = 'Agulha 100% real'`;
  });

  it("pages the company's teams, most recently changed first, each with its agent count", async () => {
    const first = await expectStatus(call(lister, "GET", "/teams?limit=10", { tenant: listTenant }), 200);
    expect(first).toMatchObject({ total: 23, page: 1, limit: 10 });
    expect(first.items.map((team: { name: string }) => team.name).slice(0, 3)).toEqual(["Time 1", "Time 2", "Time 3"]);
    expect(first.items[0]).not.toHaveProperty("agents");
    const needle = first.items.find((team: { name: string }) => team.name === "Agulha 100% real");
    expect(needle).toMatchObject({ agent_count: 1, workflow_type: "sequential", config: { timeout_seconds: 600 } });
    expect(first.items.find((team: { name: string }) => team.name === "Time 1").agent_count).toBe(0);
    const third = await expectStatus(call(lister, "GET", "/teams?limit=10&page=3", { tenant: listTenant }), 200);
    expect(third.items.map((team: { name: string }) => team.name)).toEqual(["Time 21", "Time 22", "Time 23"]);
    expect(await expectStatus(call(lister, "GET", "/teams?limit=10&page=4", { tenant: listTenant }), 200)).toEqual({
      items: [],
      total: 23,
      page: 4,
      limit: 10,
    });
  });

  it("searches names case-insensitively, with % and _ taken literally", async () => {
    const found = await expectStatus(call(lister, "GET", "/teams?search=AGULHA", { tenant: listTenant }), 200);
    expect(found.items.map((team: { name: string }) => team.name)).toEqual(["Agulha 100% real"]);
    expect((await expectStatus(call(lister, "GET", `/teams?search=${encodeURIComponent("0%")}`, { tenant: listTenant }), 200)).total).toBe(1);
    expect((await expectStatus(call(lister, "GET", "/teams?search=_", { tenant: listTenant }), 200)).total).toBe(0);
  });

  it("refuses bad list parameters with 422", async () => {
    for (const query of ["limit=0", "limit=101", "page=0", "page=x", `search=${"x".repeat(201)}`, "sort=name"]) {
      expect((await call(lister, "GET", `/teams?${query}`, { tenant: listTenant })).status, query).toBe(422);
    }
  });

  it("shows each company only its own teams", async () => {
    const b = await expectStatus(call(ownerB, "GET", "/teams", { tenant: tenantB }), 200);
    expect(b).toEqual({ items: [], total: 0, page: 1, limit: 20 });
    const a = await expectStatus(call(analystA, "GET", "/teams?limit=100", { tenant: tenantA }), 200);
    expect(a.items.length).toBeGreaterThan(0);
    expect(a.items.every((team: { tenant_id: string }) => team.tenant_id === tenantA)).toBe(true);
  });
});

describe("one team: get, replace, delete", () => {
  let team: TeamAnswer;

  beforeAll(async () => {
    team = await expectStatus(
      call(memberA, "POST", "/teams", {
        tenant: tenantA,
        body: {
          name: "Para trocar",
          workflow_type: "sequential",
          config: { timeout_seconds: 300, continue_on_error: true },
          agents: [step(researcher, 1), step(writer, 2, { input: fromAgent(researcher) }), step(reviewer, 3)],
        },
      }),
      201,
    );
  });

  it("answers 404 for another company's team in every path, and for an unknown one; 422 for a malformed id", async () => {
    const definition = { name: "Roubado", workflow_type: "sequential", agents: [] };
    for (const [method, path, body] of [
      ["GET", `/teams/${team.id}`, undefined],
      ["PUT", `/teams/${team.id}`, definition],
      ["DELETE", `/teams/${team.id}`, undefined],
      ["POST", `/teams/${team.id}/members`, step(secretOfB, 9)],
      ["PUT", `/teams/${team.id}/members/${researcher}`, { execution_order: 9 }],
      ["DELETE", `/teams/${team.id}/members/${reviewer}`, undefined],
      ["POST", `/teams/${team.id}/execute`, { initial_prompt: "Olá" }],
    ] as const) {
      const answer = await call(ownerB, method, path, { tenant: tenantB, body });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.code).toBe("not_found");
    }
    expect((await call(memberA, "GET", `/teams/${aUuid()}`, { tenant: tenantA })).status).toBe(404);
    expect((await call(memberA, "GET", "/teams/not-a-uuid", { tenant: tenantA })).status).toBe(422);
    expect((await call(ownerB, "GET", `/teams/${team.id}`, { tenant: tenantA })).body.error.code).toBe("tenant_not_found");
    const [row] = await sql`select name, (select count(*)::int from public.team_agents where team_id = ${team.id}) as agents from public.teams where id = ${team.id}`;
    expect(row).toEqual({ name: "Para trocar", agents: 3 });
  });

  it("replaces the definition with PUT: settings left out go back to their defaults, agents kept, changed, added and removed", async () => {
    const before = new Map(team.agents.map((member) => [member.agent_id, member.id]));
    const replaced = await expectStatus<TeamAnswer>(
      call(adminA, "PUT", `/teams/${team.id}`, {
        tenant: tenantA,
        body: {
          name: "Trocado",
          workflow_type: "pipeline",
          agents: [step(writer, 1), step(lead, 2, { role: "leader", input: fromAgent(writer) }), step(researcher, 3)],
        },
      }),
      200,
    );
    expect(replaced).toMatchObject({ id: team.id, name: "Trocado", workflow_type: "pipeline", description: "" });
    expect(replaced.config).toEqual({ max_tokens: null, temperature: null, timeout_seconds: 600, max_parallel_agents: 5, continue_on_error: false });
    expect(replaced.agents.map((member) => [member.name, member.execution_order, member.role])).toEqual([
      ["Redator", 1, "member"],
      ["Líder", 2, "leader"],
      ["Pesquisadora", 3, "member"],
    ]);
    // The agents that stayed are the same rows, changed in place.
    expect(replaced.agents.find((member) => member.agent_id === writer)?.id).toBe(before.get(writer));
    expect(replaced.agents.find((member) => member.agent_id === researcher)?.id).toBe(before.get(researcher));
    expect(replaced.agents.find((member) => member.agent_id === writer)?.input).toEqual({ source: "initial_prompt" });
    const [{ count }] = await sql`select count(*)::int as count from public.team_agents where team_id = ${team.id} and agent_id = ${reviewer}`;
    expect(count).toBe(0);
    team = replaced;
  });

  it("refuses an invalid replacement with 422, leaving the team exactly as it was", async () => {
    const answer = await call(memberA, "PUT", `/teams/${team.id}`, {
      tenant: tenantA,
      body: {
        name: "Meio trocado",
        workflow_type: "pipeline",
        agents: [step(writer, 1, { input: fromAgent(researcher) }), step(researcher, 2)],
      },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.details[0]).toMatchObject({ path: "agents[0].input.agent_id", agent_id: writer });
    expect(answer.body.error.message).toContain("a pipeline only feeds forward");
    expect(await expectStatus(call(memberA, "GET", `/teams/${team.id}`, { tenant: tenantA }), 200)).toEqual(team);
    expect((await call(analystA, "PUT", `/teams/${team.id}`, { tenant: tenantA, body: { name: "X", workflow_type: "sequential", agents: [] } })).status)
      .toBe(403);
  });

  it("deletes for owners and admins only (204); members and analysts get 403", async () => {
    const doomed = await expectStatus(
      call(memberA, "POST", "/teams", { tenant: tenantA, body: { name: "Condenado", workflow_type: "parallel", agents: [step(researcher, 1), step(writer, 1)] } }),
      201,
    );
    expect((await call(memberA, "DELETE", `/teams/${doomed.id}`, { tenant: tenantA })).status).toBe(403);
    expect((await call(analystA, "DELETE", `/teams/${doomed.id}`, { tenant: tenantA })).status).toBe(403);
    expect((await call(adminA, "DELETE", `/teams/${doomed.id}`, { tenant: tenantA })).status).toBe(204);
    expect((await call(adminA, "GET", `/teams/${doomed.id}`, { tenant: tenantA })).status).toBe(404);
    const [{ count }] = await sql`select count(*)::int as count from public.team_agents where team_id = ${doomed.id}`;
    expect(count).toBe(0);
    expect((await call(adminA, "DELETE", `/teams/${doomed.id}`, { tenant: tenantA })).status).toBe(404);
  });

  it("does not delete a team while one of its runs is in flight (409)", async () => {
    // A slow demo agent, so the run is still in flight if the engine picks it up.
    const slow = (await expectStatus(
      call(memberA, "POST", "/agents", { tenant: tenantA, body: { name: "Lento", model: "demo-small", config: { latency_ms: 30_000 } } }),
      201,
    )).id;
    const busy = await expectStatus(
      call(memberA, "POST", "/teams", { tenant: tenantA, body: { name: "Ocupado", workflow_type: "sequential", agents: [step(slow, 1)] } }),
      201,
    );
    const run = await expectStatus(call(memberA, "POST", `/teams/${busy.id}/execute`, { tenant: tenantA, body: { initial_prompt: "Trabalhe" } }), 202);
    const refused = await call(ownerA, "DELETE", `/teams/${busy.id}`, { tenant: tenantA });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "team_has_runs_in_flight", details: { team_id: busy.id } });
    await expectStatus(call(memberA, "POST", `/executions/${run.execution_id}/stop`, { tenant: tenantA }), 200);
    expect((await call(ownerA, "DELETE", `/teams/${busy.id}`, { tenant: tenantA })).status).toBe(204);
  });
});

describe("members: /teams/:id/members", () => {
  let team: TeamAnswer;

  beforeAll(async () => {
    team = await expectStatus(
      call(memberA, "POST", "/teams", {
        tenant: tenantA,
        body: {
          name: "Membros",
          workflow_type: "conditional",
          agents: [step(researcher, 1), step(writer, 2, { input: fromAgent(researcher) }), step(reviewer, 3)],
        },
      }),
      201,
    );
  });

  const orders = (answer: TeamAnswer) => answer.agents.map((member) => [member.name, member.execution_order]);

  it("adds one agent (201, the team as it is now); twice is 409; analysts get 403", async () => {
    const added = await expectStatus<TeamAnswer>(
      call(memberA, "POST", `/teams/${team.id}/members`, {
        tenant: tenantA,
        body: step(lead, 4, { role: "coordinator", conditions: [{ field: `agents.${reviewer}.status`, operator: "equals", value: "succeeded" }] }),
      }),
      201,
    );
    expect(orders(added)).toEqual([["Pesquisadora", 1], ["Redator", 2], ["Revisor", 3], ["Líder", 4]]);
    expect(added.agents[3]).toMatchObject({ role: "coordinator", input: { source: "initial_prompt" } });
    const twice = await call(memberA, "POST", `/teams/${team.id}/members`, { tenant: tenantA, body: step(lead, 5) });
    expect(twice.status).toBe(409);
    const analyst = await call(analystA, "POST", `/teams/${team.id}/members`, { tenant: tenantA, body: step(archived, 5) });
    expect(analyst.status).toBe(403);
  });

  it("refuses, with the database's message, an agent whose input or condition names an agent not in the team", async () => {
    const extra = await agent(memberA, tenantA, "Extra");
    const answer = await call(memberA, "POST", `/teams/${team.id}/members`, {
      tenant: tenantA,
      body: step(extra, 5, { conditions: [{ field: `agents.${archived}.output`, operator: "contains", value: "x" }] }),
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toBe(
      `agent "Extra": conditions[0].field refers to agent ${archived}, which is not in this team, so nothing produces it`,
    );
    expect(answer.body.error.details).toEqual([
      {
        path: "conditions[0].field",
        message: answer.body.error.message,
        constraint: "team_reference_outside_team",
        agent_id: extra,
        hint: "conditions[0].field",
      },
    ]);
    const foreign = await call(memberA, "POST", `/teams/${team.id}/members`, { tenant: tenantA, body: step(secretOfB, 5) });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details).toEqual([
      {
        path: "agent_id",
        message: `agent ${secretOfB} is not an agent of this company`,
        constraint: "team_agent_not_in_company",
        agent_id: secretOfB,
      },
    ]);
    expect(foreign.text).not.toContain("Segredo");
    const [{ count }] = await sql`select count(*)::int as count from public.team_agents where team_id = ${team.id}`;
    expect(count).toBe(4);
  });

  it("changes one agent's role, order, input, conditions and config (200, the team as it is now)", async () => {
    const lastAndPlain = await expectStatus<TeamAnswer>(
      call(memberA, "PUT", `/teams/${team.id}/members/${lead}`, {
        tenant: tenantA,
        body: {
          role: "member",
          execution_order: 6,
          conditions: [{ field: "initial_prompt", operator: "contains", value: "revisar" }],
          config: { max_tokens: 64 },
        },
      }),
      200,
    );
    expect(lastAndPlain.agents.find((member) => member.agent_id === lead)).toMatchObject({
      role: "member",
      execution_order: 6,
      input: { source: "initial_prompt" },
      conditions: [{ field: "initial_prompt", operator: "contains", value: "revisar" }],
      config: { max_tokens: 64 },
    });
    const combined = { source: "combined", sources: [{ type: "agent_result", agent_id: writer }, { type: "context", key: "briefing" }] };
    const moved = await expectStatus<TeamAnswer>(
      call(memberA, "PUT", `/teams/${team.id}/members/${reviewer}`, { tenant: tenantA, body: { execution_order: 5, input: combined } }),
      200,
    );
    expect(orders(moved)).toEqual([["Pesquisadora", 1], ["Redator", 2], ["Revisor", 5], ["Líder", 6]]);
    expect(moved.agents[2].input).toEqual(combined);
  });

  it("refuses a change that makes a cycle, naming the agent changed or the one it breaks, and changes nothing", async () => {
    const cycle = await call(memberA, "PUT", `/teams/${team.id}/members/${researcher}`, { tenant: tenantA, body: { input: fromAgent(writer) } });
    expect(cycle.status).toBe(422);
    expect(cycle.body.error.message).toBe(
      'agent "Pesquisadora": input.agent_id reads the result of an agent that does not run before it (order 2), which would make a cycle',
    );
    expect(cycle.body.error.details).toEqual([
      { path: "input.agent_id", message: cycle.body.error.message, constraint: "team_reference_cycle", agent_id: researcher, hint: "input.agent_id" },
    ]);

    // Moving the researcher last breaks the writer, who reads it: first in the team as it would be.
    const breaks = await call(memberA, "PUT", `/teams/${team.id}/members/${researcher}`, { tenant: tenantA, body: { execution_order: 7 } });
    expect(breaks.status).toBe(422);
    expect(breaks.body.error.message).toContain('agent "Redator": input.agent_id reads the result of an agent that does not run before it (order 7)');
    expect(breaks.body.error.details[0]).toMatchObject({ path: "agents[0].input.agent_id", agent_id: writer });

    const [row] = await sql`select input, execution_order from public.team_agents where team_id = ${team.id} and agent_id = ${researcher}`;
    expect(row).toEqual({ input: { source: "initial_prompt" }, execution_order: 1 });
    expect((await call(analystA, "PUT", `/teams/${team.id}/members/${researcher}`, { tenant: tenantA, body: { execution_order: 9 } })).status).toBe(403);
    expect((await call(memberA, "PUT", `/teams/${team.id}/members/${archived}`, { tenant: tenantA, body: { execution_order: 9 } })).status).toBe(404);
    expect((await call(memberA, "PUT", `/teams/${team.id}/members/${researcher}`, { tenant: tenantA, body: {} })).status).toBe(422);
    expect((await call(memberA, "PUT", `/teams/${team.id}/members/${researcher}`, { tenant: tenantA, body: { agent_id: writer } })).status).toBe(422);
    expect((await call(memberA, "PUT", `/teams/${team.id}/members/${researcher}`, { tenant: tenantA, rawBody: "{" })).status).toBe(400);
  });

  it("refuses removing an agent another one reads from, naming the reader; removes one nobody reads (204)", async () => {
    const refused = await call(memberA, "DELETE", `/teams/${team.id}/members/${researcher}`, { tenant: tenantA });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe(
      `agent "Redator": input.agent_id refers to agent ${researcher}, which is not in this team, so nothing produces it`,
    );
    // In the team as it would have been (Redator, Revisor, Líder), the reader is the first.
    expect(refused.body.error.details).toEqual([
      {
        path: "agents[0].input.agent_id",
        message: refused.body.error.message,
        constraint: "team_reference_outside_team",
        agent_id: writer,
        hint: "input.agent_id",
      },
    ]);
    const [{ count }] = await sql`select count(*)::int as count from public.team_agents where team_id = ${team.id} and agent_id = ${researcher}`;
    expect(count).toBe(1);

    expect((await call(analystA, "DELETE", `/teams/${team.id}/members/${lead}`, { tenant: tenantA })).status).toBe(403);
    expect((await call(memberA, "DELETE", `/teams/${team.id}/members/${lead}`, { tenant: tenantA })).status).toBe(204);
    expect((await call(memberA, "DELETE", `/teams/${team.id}/members/${lead}`, { tenant: tenantA })).status).toBe(404);
    const now = await expectStatus<TeamAnswer>(call(memberA, "GET", `/teams/${team.id}`, { tenant: tenantA }), 200);
    expect(orders(now)).toEqual([["Pesquisadora", 1], ["Redator", 2], ["Revisor", 5]]);
    expect(now.agents.map((member) => member.agent_id)).not.toContain(lead);
  });
});
