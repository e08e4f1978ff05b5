// GET /dashboard over HTTP, through the gateway, as people who signed up with supabase-js: the
// current company's numbers (active teams, runs today, success rate, spend this month against the
// budget, the newest runs), computed from rows this suite writes as the database's owner, and
// nothing of another company ever in them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, type ApiUser, call, cleanUp, createTenant, expectStatus, signUp, testDatabase } from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];

let ownerA: ApiUser;
let analystA: ApiUser;
let ownerB: ApiUser;
let tenantA: string;
let tenantB: string;
let teamA: string;

async function team(owner: ApiUser, tenant: string, name: string): Promise<string> {
  const agent = await expectStatus(call(owner, "POST", "/agents", { tenant, body: { name: `${name} agente`, model: "demo-large", status: "active" } }), 201);
  const created = await expectStatus(call(owner, "POST", "/teams", {
    tenant,
    body: { name, workflow_type: "sequential", agents: [{ agent_id: agent.id, role: "member", execution_order: 1 }] },
  }), 201);
  return created.id;
}

/** A finished (or running) run written directly, with one step and, when it cost something, its ledger row. */
async function run(tenantId: string, teamId: string | null, status: string, costUsd: number, createdAgo = "0 seconds", prompt = "Analise.") {
  const [execution] = await sql<{ id: string }[]>`
    insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, cost_usd, created_at, started_at, finished_at)
    values (${tenantId}, ${teamId}, ${status}::public.execution_status, 'sequential', ${prompt},
            '{"timeout_seconds": 600, "max_parallel_agents": 5, "continue_on_error": false, "team_name": "Painel"}', ${costUsd},
            now() - ${createdAgo}::interval, now() - ${createdAgo}::interval,
            case when ${status} in ('completed', 'failed', 'cancelled') then now() - ${createdAgo}::interval end)
    returning id`;
  if (costUsd > 0) {
    const [step] = await sql<{ id: string }[]>`
      insert into public.execution_steps (execution_id, tenant_id, agent_version, agent_definition, role, position, input_spec, conditions, overrides, status, cost_usd)
      values (${execution.id}, ${tenantId}, 1, '{}', 'member', 1, '{}', '[]', '{}', 'succeeded', ${costUsd})
      returning id`;
    await sql`
      insert into public.usage_ledger (tenant_id, execution_id, step_id, provider, model, input_tokens, output_tokens,
                                       input_usd_per_million, output_usd_per_million, cost_usd, recorded_at)
      values (${tenantId}, ${execution.id}, ${step.id}, 'demo', 'demo-large', 1000, 500, 1, 2, ${costUsd}, now() - ${createdAgo}::interval)`;
  }
  return execution.id;
}

beforeAll(async () => {
  [ownerA, analystA, ownerB] = await Promise.all(["owner-a", "analyst-a", "owner-b"].map((label) => signUp(`dash-${label}`)));
  people.push(ownerA, analystA, ownerB);
  tenantA = await createTenant(ownerA, "Painel A");
  tenantB = await createTenant(ownerB, "Painel B");
  await addMember(sql, tenantA, analystA, "analyst");
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

describe("GET /dashboard", () => {
  it("answers a new company's empty numbers: no teams, no runs, no rate, nothing spent, no limit", async () => {
    const answer = await call(ownerA, "GET", "/dashboard", { tenant: tenantA });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      active_teams: 0,
      executions_today: 0,
      success_rate_30d: null,
      spend_this_month_usd: 0,
      monthly_budget_usd: null,
      recent_executions: [],
    });
  });

  it("counts the company's active teams, today's runs, the 30-day success rate and this month's spend against its budget", async () => {
    teamA = await team(ownerA, tenantA, "Vendas");
    const paused = await team(ownerA, tenantA, "Pausado");
    await sql`update public.teams set is_active = false where id = ${paused}`;
    await sql`update public.tenants set monthly_budget_usd = 50 where id = ${tenantA}`;

    await run(tenantA, teamA, "completed", 1.25);
    await run(tenantA, teamA, "completed", 0.5);
    await run(tenantA, teamA, "failed", 0.25);
    await run(tenantA, teamA, "running", 0);
    // Older than 30 days and last month: neither in the rate nor today's runs nor this month's spend.
    await run(tenantA, teamA, "failed", 7, "40 days");
    // Another company's runs and spend never count.
    const teamB = await team(ownerB, tenantB, "Outra");
    await run(tenantB, teamB, "completed", 99);
    await run(tenantB, teamB, "failed", 1);

    const body = await expectStatus(call(ownerA, "GET", "/dashboard", { tenant: tenantA }), 200);
    expect(body).toMatchObject({
      active_teams: 1,
      executions_today: 4,
      success_rate_30d: 0.6667,
      monthly_budget_usd: 50,
    });
    expect(body.spend_this_month_usd).toBeCloseTo(2, 6);
  });

  it("lists the five newest runs of the company, newest first, with their team and cost", async () => {
    const newest = await run(tenantA, teamA, "completed", 0.75, "0 seconds", "O mais novo");
    const body = await expectStatus(call(analystA, "GET", "/dashboard", { tenant: tenantA }), 200);
    expect(body.recent_executions).toHaveLength(5);
    expect(body.recent_executions[0]).toMatchObject({ id: newest, team_id: teamA, team_name: "Painel", status: "completed", cost_usd: 0.75 });
    const created = body.recent_executions.map((execution: { created_at: string }) => Date.parse(execution.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(body.recent_executions.every((execution: { team_id: string }) => execution.team_id === teamA)).toBe(true);
  });

  it("shows the other company only its own numbers", async () => {
    const body = await expectStatus(call(ownerB, "GET", "/dashboard", { tenant: tenantB }), 200);
    expect(body).toMatchObject({ active_teams: 1, executions_today: 2, success_rate_30d: 0.5, monthly_budget_usd: null });
    expect(body.spend_this_month_usd).toBeCloseTo(100, 6);
    expect(body.recent_executions.map((execution: { team_name: string }) => execution.team_name)).toHaveLength(2);
  });

  it("refuses another company's id, a missing company, an unknown time zone and anonymous callers", async () => {
    expect((await call(ownerB, "GET", "/dashboard", { tenant: tenantA })).body.error.code).toBe("tenant_not_found");
    expect((await call(ownerA, "GET", "/dashboard?time_zone=Mars/Olympus", { tenant: tenantA })).status).toBe(422);
    expect((await call(null, "GET", "/dashboard", { tenant: tenantA })).status).toBe(401);
    const inLisbon = await call(ownerA, "GET", "/dashboard?time_zone=Europe/Lisbon", { tenant: tenantA });
    expect(inLisbon.status).toBe(200);
  });
});
