// The `api` function's execution endpoints over HTTP, through the gateway, as people who signed up
// with supabase-js: starting a run (202 at once), its rows and events, status/result/logs with real
// numbers, stop, the monthly budget (402), roles, and isolation between companies.
//
// The engine (the `executor` function) may be running on the stack and take any ready step. To
// drive runs with exact numbers, company "Held" has its plan's two slots for runs in flight taken
// by two blocker runs without steps, so the runs these tests start wait as `pending`; drive() then
// frees a slot, starts the waiting run and plays the engine itself (claim_steps / complete_step /
// fail_step as the service role), all in one transaction, so no other worker ever sees a step
// ready. Company "Live" (plan pro) has room: its runs start at once and the engine may pick them
// up; its agents are slow demo agents, so a run there is still in flight when the test looks.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  callOnOwnConnection,
  cleanUp,
  createTenant,
  download,
  expectStatus,
  pdfText,
  signUp,
  testDatabase,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];

let ownerA: ApiUser;
let memberA: ApiUser;
let analystA: ApiUser;
let ownerB: ApiUser;
let held: string;
let live: string;
let tenantB: string;
// Held: a two-agent report team (sequential), and the team the blockers belong to.
let analyst: string;
let writer: string;
let reportTeam: string;
let blockerTeam: string;
// Live: a two-agent team of slow demo agents.
let slowFirst: string;
let slowTeam: string;

const blockerPrompt = "blocker: holds a slot of the plan";

type Outcome = { output: string; input_tokens: number; output_tokens: number; latency_ms: number } | { fail: string };

async function agent(owner: ApiUser, tenant: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await expectStatus(call(owner, "POST", "/agents", { tenant, body: { name, model: "demo-large", status: "active", ...extra } }), 201)).id;
}

async function team(owner: ApiUser, tenant: string, name: string, agents: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
  return (await expectStatus(call(owner, "POST", "/teams", { tenant, body: { name, workflow_type: "sequential", agents, ...extra } }), 201)).id;
}

async function execute(who: ApiUser, tenant: string, teamId: string, body: unknown = { initial_prompt: "Analise o trimestre." }) {
  return expectStatus<{ execution_id: string; status: string }>(call(who, "POST", `/teams/${teamId}/execute`, { tenant, body }), 202);
}

/** Takes the plan's slots of a company with runs that have no steps (the engine never touches them). */
async function addBlockers(tenantId: string, teamId: string, count: number) {
  await sql`
    insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, started_at)
    select ${tenantId}, ${teamId}, 'running', 'sequential', ${blockerPrompt},
           '{"timeout_seconds": 600, "max_parallel_agents": 5, "continue_on_error": false, "team_name": "Bloqueio"}', now()
    from generate_series(1, ${count})`;
}

/**
 * Plays the engine for one waiting run of Held, in one transaction: frees a slot, starts the run,
 * then claims and completes (or fails) its steps by position until none is left; takes the slot
 * again. Answers the steps' statuses right after the run started.
 */
async function drive(executionId: string, outcomes: Outcome[]): Promise<{ position: number; status: string }[]> {
  return sql.begin(async (tx) => {
    await tx`
      delete from public.executions
      where id = (select id from public.executions where tenant_id = ${held} and initial_prompt = ${blockerPrompt} limit 1)`;
    await tx`select private.start_waiting_executions(${held})`;
    const started = await tx<{ position: number; status: string }[]>`
      select position, status::text as status from public.execution_steps where execution_id = ${executionId} order by position`;
    await tx`set local role service_role`;
    for (let round = 0; round < 10; round++) {
      const claimed = await tx<{ step_id: string; execution_id: string; attempt: number }[]>`
        select step_id, execution_id, attempt from private.claim_steps('test-worker', 10, 30)`;
      // Anything else claimed goes straight back to ready.
      for (const other of claimed.filter((step) => step.execution_id !== executionId)) {
        await tx`select private.fail_step(${other.step_id}, 'test-worker', ${other.attempt}::int, 'released by a test', true, 0)`;
      }
      const mine = claimed.filter((step) => step.execution_id === executionId);
      if (mine.length === 0) break;
      for (const step of mine) {
        const [{ position }] = await tx<{ position: number }[]>`select position from public.execution_steps where id = ${step.step_id}`;
        const outcome = outcomes[position - 1];
        if ("fail" in outcome) {
          await tx`select private.fail_step(${step.step_id}, 'test-worker', ${step.attempt}::int, ${outcome.fail}, false, 0)`;
        } else {
          await tx`
            select private.complete_step(${step.step_id}, 'test-worker', ${step.attempt}::int, ${outcome.output},
                                         ${outcome.input_tokens}::bigint, ${outcome.output_tokens}::bigint, ${outcome.latency_ms}::int)`;
        }
      }
    }
    await tx`reset role`;
    await addBlockersIn(tx, 1);
    return [...started];
  });
}

async function addBlockersIn(tx: postgres.TransactionSql, count: number) {
  await tx`
    insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, started_at)
    select ${held}, ${blockerTeam}, 'running', 'sequential', ${blockerPrompt},
           '{"timeout_seconds": 600, "max_parallel_agents": 5, "continue_on_error": false, "team_name": "Bloqueio"}', now()
    from generate_series(1, ${count})`;
}

async function runRow(executionId: string) {
  const [row] = await sql`select status::text as status, started_at, finished_at, cancel_requested_at from public.executions where id = ${executionId}`;
  return row;
}

async function stepRows(executionId: string) {
  return sql<{ position: number; agent_id: string; status: string; skip_reason: string | null }[]>`
    select position, agent_id, status::text as status, skip_reason from public.execution_steps where execution_id = ${executionId} order by position`;
}

async function runsOfTeam(teamId: string): Promise<number> {
  const [{ count }] = await sql`select count(*)::int as count from public.executions where team_id = ${teamId}`;
  return count;
}

beforeAll(async () => {
  [ownerA, memberA, analystA, ownerB] = await Promise.all(
    ["owner-a", "member-a", "analyst-a", "owner-b"].map((label) => signUp(`runs-${label}`)),
  );
  people.push(ownerA, memberA, analystA, ownerB);
  held = await createTenant(ownerA, "Execuções Held");
  live = await createTenant(ownerA, "Execuções Live");
  tenantB = await createTenant(ownerB, "Execuções B");
  await sql`update public.tenants set plan = 'basic' where id = ${held}`;
  await sql`update public.tenants set plan = 'pro' where id = ${live}`;
  for (const tenant of [held, live]) {
    await addMember(sql, tenant, memberA, "member");
    await addMember(sql, tenant, analystA, "analyst");
  }

  analyst = await agent(memberA, held, "Analista");
  writer = await agent(memberA, held, "Escritor");
  reportTeam = await team(memberA, held, "Relatório", [
    { agent_id: analyst, role: "member", execution_order: 1 },
    { agent_id: writer, role: "member", execution_order: 2, input: { source: "agent_result", agent_id: analyst } },
  ]);
  blockerTeam = await team(memberA, held, "Bloqueio", [{ agent_id: analyst, role: "member", execution_order: 1 }]);
  await addBlockers(held, blockerTeam, 2);

  slowFirst = await agent(memberA, live, "Lenta 1", { model: "demo-small", config: { latency_ms: 30_000 } });
  const slowSecond = await agent(memberA, live, "Lenta 2", { model: "demo-small", config: { latency_ms: 30_000 } });
  slowTeam = await team(memberA, live, "Lento", [
    { agent_id: slowFirst, role: "member", execution_order: 1 },
    { agent_id: slowSecond, role: "member", execution_order: 2 },
  ]);
});

afterAll(async () => {
  // Stop whatever is still in flight, so no worker keeps working for a company about to go.
  await sql`
    update public.executions set status = 'cancelled', cancel_requested_at = now(), finished_at = now()
    where tenant_id in (${held}, ${live}) and status in ('pending', 'running')`;
  await cleanUp(sql, people);
  await sql.end();
});

describe("POST /teams/:id/execute", () => {
  it("starts a run at once: 202 with its id; the run running, one step per agent, the first ready, and its events", async () => {
    const answer = await call(memberA, "POST", `/teams/${slowTeam}/execute`, {
      tenant: live,
      body: { initial_prompt: "Resuma o mercado.", variables: { region: "sul" } },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ execution_id: expect.any(String), status: "running" });
    const id = answer.body.execution_id;
    expect(answer.headers.get("location")).toBe(`/functions/v1/api/v1/executions/${id}/status`);

    const [run] = await sql`
      select status::text as status, team_id, tenant_id, created_by, initial_prompt, variables, total_steps,
             started_at is not null as started, deadline_at - started_at as time_limit, team_config ->> 'team_name' as team_name
      from public.executions where id = ${id}`;
    expect(run).toMatchObject({
      status: "running",
      team_id: slowTeam,
      tenant_id: live,
      created_by: memberA.id,
      initial_prompt: "Resuma o mercado.",
      variables: { region: "sul" },
      total_steps: 2,
      started: true,
      team_name: "Lento",
    });
    const steps = await stepRows(id);
    expect(steps.map((step) => [step.position, step.agent_id])).toEqual([[1, slowFirst], [2, expect.any(String)]]);
    // The first step is ready (or already taken by the engine); the second waits for it.
    expect(["ready", "running"]).toContain(steps[0].status);
    expect(steps[1].status).toBe("pending");

    // The events written when the run started, in order; whatever the engine does comes after.
    const log = await expectStatus(call(analystA, "GET", `/executions/${id}/logs`, { tenant: live }), 200);
    expect(log.items.slice(0, 4).map((event: { seq: number; event: string; payload: unknown }) => [event.seq, event.event, event.payload])).toEqual([
      [1, "status_update", { status: "pending", total_steps: 2 }],
      [2, "status_update", { status: "running", deadline_at: expect.any(String) }],
      [3, "agent_status_update", { agent_id: slowFirst, status: "ready" }],
      [4, "progress_update", { finished_steps: 0, total_steps: 2, progress: 0 }],
    ]);

    const status = await expectStatus(call(memberA, "GET", `/executions/${id}/status`, { tenant: live }), 200);
    expect(status).toMatchObject({ execution_id: id, status: "running", current_step: 1, total_steps: 2, finished_steps: 0, progress: 0, team_name: "Lento" });
    await expectStatus(call(memberA, "POST", `/executions/${id}/stop`, { tenant: live }), 200);
  });

  it("stops a running run at once: cancelled, every unfinished step cancelled, and it stays so", async () => {
    const { execution_id: id } = await execute(memberA, live, slowTeam);
    const stopped = await expectStatus(call(memberA, "POST", `/executions/${id}/stop`, { tenant: live }), 200);
    expect(stopped).toMatchObject({ execution_id: id, status: "cancelled", current_step: null, finished_steps: 2, progress: 1 });
    expect(stopped.agents.map((step: { status: string; skip_reason: string }) => [step.status, step.skip_reason])).toEqual([
      ["cancelled", "the run was stopped"],
      ["cancelled", "the run was stopped"],
    ]);
    const first = await runRow(id);
    expect(first.cancel_requested_at).not.toBeNull();

    // Whatever a worker was doing, nothing moves the run again; a second stop answers it as it is.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = await expectStatus(call(memberA, "POST", `/executions/${id}/stop`, { tenant: live }), 200);
    expect(again).toMatchObject({ status: "cancelled", finished_at: stopped.finished_at });
    expect((await stepRows(id)).map((step) => step.status)).toEqual(["cancelled", "cancelled"]);
    const log = await expectStatus(call(memberA, "GET", `/executions/${id}/logs`, { tenant: live }), 200);
    const statuses = log.items.filter((event: { event: string }) => event.event === "status_update").map((event: { payload: { status: string } }) => event.payload.status);
    expect(statuses).toEqual(["pending", "running", "cancelled"]);
  });

  it("waits as pending when the plan has no room for another run; status and result say so", async () => {
    const started = await execute(memberA, held, reportTeam);
    expect(started.status).toBe("pending");
    const id = started.execution_id;
    expect((await stepRows(id)).map((step) => step.status)).toEqual(["pending", "pending"]);

    const status = await expectStatus(call(memberA, "GET", `/executions/${id}/status`, { tenant: held }), 200);
    expect(status).toMatchObject({
      execution_id: id,
      status: "pending",
      current_step: 1,
      total_steps: 2,
      finished_steps: 0,
      progress: 0,
      cost_usd: 0,
      started_at: null,
      finished_at: null,
      last_event_seq: 1,
    });
    const result = await expectStatus(call(memberA, "GET", `/executions/${id}/result`, { tenant: held }), 200);
    expect(result).toMatchObject({ execution_id: id, status: "pending", final_result: null, error_message: null, cost: { total_usd: 0 } });

    // Stopped while waiting: cancelled, and a slot freeing up later does not start it.
    expect((await expectStatus(call(memberA, "POST", `/executions/${id}/stop`, { tenant: held }), 200)).status).toBe("cancelled");
    await drive(id, []);
    expect((await runRow(id)).status).toBe("cancelled");
    expect((await stepRows(id)).map((step) => step.status)).toEqual(["cancelled", "cancelled"]);
  });

  it("refuses a team that is inactive or has no agents (422), and a suspended company (403)", async () => {
    const idle = await team(memberA, held, "Parado", [{ agent_id: analyst, role: "member", execution_order: 1 }], { is_active: false });
    const inactive = await call(memberA, "POST", `/teams/${idle}/execute`, { tenant: held, body: { initial_prompt: "Oi" } });
    expect(inactive.status).toBe(422);
    expect(inactive.body.error).toMatchObject({ code: "team_inactive", message: "team is inactive" });
    const empty = await team(memberA, held, "Vazio", []);
    const noAgents = await call(memberA, "POST", `/teams/${empty}/execute`, { tenant: held, body: { initial_prompt: "Oi" } });
    expect(noAgents.status).toBe(422);
    expect(noAgents.body.error).toMatchObject({ code: "team_has_no_agents", message: "team has no agents" });

    await sql`update public.tenants set status = 'suspended' where id = ${held}`;
    try {
      const suspended = await call(memberA, "POST", `/teams/${reportTeam}/execute`, { tenant: held, body: { initial_prompt: "Oi" } });
      expect(suspended.status).toBe(403);
      expect(suspended.body.error).toMatchObject({ code: "tenant_read_only", details: { tenant_status: "suspended" } });
    } finally {
      await sql`update public.tenants set status = 'active' where id = ${held}`;
    }
    expect(await runsOfTeam(idle)).toBe(0);
    expect(await runsOfTeam(empty)).toBe(0);
  });

  it("refuses bad bodies (422, 400, 413) and missing or forged tokens (401), and starts nothing", async () => {
    const before = await runsOfTeam(reportTeam);
    const cases: [unknown, string][] = [
      [{}, "initial_prompt"],
      [{ initial_prompt: "" }, "initial_prompt"],
      [{ initial_prompt: "   \n " }, "initial_prompt"],
      [{ initial_prompt: 42 }, "initial_prompt"],
      [{ initial_prompt: "x".repeat(100_001) }, "initial_prompt"],
      [{ initial_prompt: "Oi", variables: ["a"] }, "variables"],
      [{ initial_prompt: "Oi", variables: "a=1" }, "variables"],
      [{ initial_prompt: "Oi", team_id: reportTeam }, "team_id"],
    ];
    for (const [body, path] of cases) {
      const answer = await call(memberA, "POST", `/teams/${reportTeam}/execute`, { tenant: held, body });
      expect(answer.status, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(answer.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    }
    expect((await call(memberA, "POST", `/teams/${reportTeam}/execute`, { tenant: held, rawBody: "{initial_prompt:" })).status).toBe(400);
    const huge = await callOnOwnConnection(memberA, "POST", `/teams/${reportTeam}/execute`, JSON.stringify({ initial_prompt: "x".repeat(1_100_000) }));
    expect(huge.status).toBe(413);
    expect((await call(null, "POST", `/teams/${reportTeam}/execute`, { tenant: held, body: { initial_prompt: "Oi" } })).status).toBe(401);
    const [header, payload] = memberA.token.split(".");
    const forged = `${header}.${payload}.${Buffer.from("forged").toString("base64url")}`;
    expect((await call(forged, "POST", `/teams/${reportTeam}/execute`, { tenant: held, body: { initial_prompt: "Oi" } })).status).toBe(401);
    expect((await call(memberA, "POST", "/teams/not-a-uuid/execute", { tenant: held, body: { initial_prompt: "Oi" } })).status).toBe(422);
    expect(await runsOfTeam(reportTeam)).toBe(before);
  });

  it("counts a prompt's length in characters as the database does, up to 100000", async () => {
    // 100000 emoji are 200000 UTF-16 units in JavaScript, but 100000 characters.
    const longest = await execute(memberA, held, reportTeam, { initial_prompt: "🚀".repeat(100_000) });
    const [{ length }] = await sql`select char_length(initial_prompt) as length from public.executions where id = ${longest.execution_id}`;
    expect(length).toBe(100_000);
    await expectStatus(call(memberA, "POST", `/executions/${longest.execution_id}/stop`, { tenant: held }), 200);
    expect((await call(memberA, "POST", `/teams/${reportTeam}/execute`, { tenant: held, body: { initial_prompt: "🚀".repeat(100_001) } })).status)
      .toBe(422);
  });
});

describe("a run played to the end: status, result, cost and logs", () => {
  let id: string;
  let status: any;

  beforeAll(async () => {
    id = (await execute(memberA, held, reportTeam, { initial_prompt: "Relatório do trimestre", variables: { quarter: 3 } })).execution_id;
    const started = await drive(id, [
      // demo-large costs US$ 1 per million input tokens and US$ 4 per million output tokens.
      { output: "Achados: vendas subiram 12%.", input_tokens: 1_000_000, output_tokens: 500_000, latency_ms: 1200 },
      { output: "Relatório final: vendas +12%.", input_tokens: 200_000, output_tokens: 100_000, latency_ms: 800 },
    ]);
    // Right after it started, the first step was ready and the second waited for it.
    expect(started).toEqual([{ position: 1, status: "ready" }, { position: 2, status: "pending" }]);
    status = await expectStatus(call(memberA, "GET", `/executions/${id}/status`, { tenant: held }), 200);
  });

  it("GET /status: finished, progress 1, and each agent's tokens, cost, latency and attempts", () => {
    expect(status).toMatchObject({
      execution_id: id,
      team_id: reportTeam,
      team_name: "Relatório",
      workflow_type: "sequential",
      status: "completed",
      // What it was started with, to run it again (#18).
      initial_prompt: "Relatório do trimestre",
      variables: { quarter: 3 },
      current_step: null,
      total_steps: 2,
      finished_steps: 2,
      progress: 1,
      cost_usd: 3.6,
      input_tokens: 1_200_000,
      output_tokens: 600_000,
      error_message: null,
    });
    expect(status.started_at).not.toBeNull();
    expect(status.finished_at).not.toBeNull();
    expect(status.agents).toEqual([
      expect.objectContaining({
        agent_id: analyst,
        name: "Analista",
        position: 1,
        role: "member",
        status: "succeeded",
        attempt_count: 1,
        input_tokens: 1_000_000,
        output_tokens: 500_000,
        cost_usd: 3,
        latency_ms: 1200,
        skip_reason: null,
        error: null,
      }),
      expect.objectContaining({ agent_id: writer, name: "Escritor", position: 2, status: "succeeded", cost_usd: 0.6, latency_ms: 800 }),
    ]);
  });

  it("GET /result: the answer, each agent's part, and the cost per agent from the usage ledger", async () => {
    const result = await expectStatus(call(analystA, "GET", `/executions/${id}/result`, { tenant: held }), 200);
    expect(result).toMatchObject({
      execution_id: id,
      status: "completed",
      error_message: null,
      cost: {
        total_usd: 3.6,
        per_agent: [
          { agent_id: analyst, name: "Analista", position: 1, provider: "demo", model: "demo-large", input_tokens: 1_000_000, output_tokens: 500_000, cost_usd: 3 },
          { agent_id: writer, name: "Escritor", position: 2, provider: "demo", model: "demo-large", input_tokens: 200_000, output_tokens: 100_000, cost_usd: 0.6 },
        ],
      },
      usage: { input_tokens: 1_200_000, output_tokens: 600_000, total_tokens: 1_800_000 },
    });
    expect(result.final_result.summary).toBe("Relatório final: vendas +12%.");
    expect(result.final_result.details.map((detail: { agent_name: string; output: string; status: string }) => [detail.agent_name, detail.status, detail.output]))
      .toEqual([
        ["Analista", "succeeded", "Achados: vendas subiram 12%."],
        ["Escritor", "succeeded", "Relatório final: vendas +12%."],
      ]);
    const [ledger] = await sql`select sum(cost_usd)::float8 as total, count(*)::int as rows from public.usage_ledger where execution_id = ${id}`;
    expect(ledger).toEqual({ total: 3.6, rows: 2 });
  });

  it("GET /logs: the whole event log in seq order; after_seq, limit and offset for what a client missed", async () => {
    const all = await expectStatus(call(memberA, "GET", `/executions/${id}/logs?limit=1000`, { tenant: held }), 200);
    const seqs = all.items.map((event: { seq: number }) => event.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    expect(all).toMatchObject({ total: seqs.length, limit: 1000, offset: 0, after_seq: 0, last_event_seq: seqs.length });
    expect(status.last_event_seq).toBe(seqs.length);
    expect(all.items[0]).toMatchObject({ seq: 1, event: "status_update", step_id: null, payload: { status: "pending" } });
    expect(all.items.at(-1)).toMatchObject({ event: "status_update", payload: { status: "completed", cost_usd: 3.6 } });
    const results = all.items.filter((event: { event: string }) => event.event === "result_update");
    expect(results[0]).toMatchObject({ step_id: status.agents[0].step_id, payload: { agent_id: analyst, output: "Achados: vendas subiram 12%." } });

    const missed = await expectStatus(call(memberA, "GET", `/executions/${id}/logs?after_seq=${seqs.length - 2}`, { tenant: held }), 200);
    expect(missed.items.map((event: { seq: number }) => event.seq)).toEqual([seqs.length - 1, seqs.length]);
    expect(missed.total).toBe(2);
    const window = await expectStatus(call(memberA, "GET", `/executions/${id}/logs?limit=3&offset=2`, { tenant: held }), 200);
    expect(window.items.map((event: { seq: number }) => event.seq)).toEqual([3, 4, 5]);
    expect(window.total).toBe(seqs.length);
    const nothing = await expectStatus(call(memberA, "GET", `/executions/${id}/logs?after_seq=${seqs.length}`, { tenant: held }), 200);
    expect(nothing).toMatchObject({ items: [], total: 0 });
    for (const query of ["after_seq=-1", "limit=0", "limit=1001", "offset=-5", "after_seq=x", "seq=3"]) {
      expect((await call(memberA, "GET", `/executions/${id}/logs?${query}`, { tenant: held })).status, query).toBe(422);
    }
  });

  it("GET /export.pdf: the run as a PDF in the reader's language — the prompt, the result, each agent's output and cost", async () => {
    const answer = await download(analystA, `/executions/${id}/export.pdf`, held);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/pdf");
    expect(answer.headers.get("content-disposition")).toBe(`attachment; filename="renum-run-${id.slice(0, 8)}.pdf"`);
    expect(new TextDecoder().decode(answer.bytes.slice(0, 5))).toBe("%PDF-");
    const text = await pdfText(answer.bytes);
    for (const expected of [
      "Execução de Relatório",
      "Execuções Held · Relatório",
      "Concluída",
      "Relatório do trimestre",
      "quarter: 3",
      "Achados: vendas subiram 12%.",
      "Relatório final: vendas +12%.",
      "1. Analista · Concluído",
      "2. Escritor · Concluído",
      "Página 1 de 1",
    ]) expect(text).toContain(expected);
    // The total and each agent's cost, in dollars as pt-BR writes them.
    expect(text).toMatch(/Custo total:\s*US\$\s3,60/);
    expect(text).toMatch(/Custo: US\$\s3,00/);
    expect(text).toMatch(/Custo: US\$\s0,6000/);
    expect(text).toContain("1.800.000");

    const english = await pdfText((await download(memberA, `/executions/${id}/export.pdf?locale=en`, held)).bytes);
    expect(english).toContain("Run of Relatório");
    expect(english).toMatch(/Total cost:\s*\$3\.60/);
    expect(english).toContain("1. Analista · Done");
    expect(english).toContain("Achados: vendas subiram 12%.");
    expect((await call(memberA, "GET", `/executions/${id}/export.pdf?locale=xx`, { tenant: held })).status).toBe(422);
    expect((await download(null, `/executions/${id}/export.pdf`, held)).status).toBe(401);
  });

  it("a failed step fails the run: its error in status and result, the cost of what ran", async () => {
    const failed = (await execute(memberA, held, reportTeam, { initial_prompt: "Relatório que falha" })).execution_id;
    await drive(failed, [
      { output: "Achados.", input_tokens: 1000, output_tokens: 2000, latency_ms: 300 },
      { fail: "provider answered 400: the prompt is too long" },
    ]);
    const result = await expectStatus(call(memberA, "GET", `/executions/${failed}/result`, { tenant: held }), 200);
    expect(result).toMatchObject({
      status: "failed",
      error_message: 'agent "Escritor" failed: provider answered 400: the prompt is too long',
      cost: { total_usd: 0.009, per_agent: [{ cost_usd: 0.009 }, { cost_usd: 0, input_tokens: 0 }] },
    });
    expect(result.final_result.details[1]).toMatchObject({ status: "failed", error: "provider answered 400: the prompt is too long" });
    const failedStatus = await expectStatus(call(memberA, "GET", `/executions/${failed}/status`, { tenant: held }), 200);
    expect(failedStatus.agents[1]).toMatchObject({ status: "failed", attempt_count: 1, error: "provider answered 400: the prompt is too long" });
  });
});

describe("the monthly budget", () => {
  it("refuses a new run with 402 budget_exhausted once the month's spend reaches the budget, and starts nothing", async () => {
    const [{ spent }] = await sql`select private.tenant_spend_this_month(${held})::float8 as spent`;
    expect(spent).toBeGreaterThan(3);
    const budget = Math.floor(spent * 100) / 100;
    await sql`update public.tenants set monthly_budget_usd = ${budget} where id = ${held}`;
    try {
      const before = await runsOfTeam(reportTeam);
      const refused = await call(memberA, "POST", `/teams/${reportTeam}/execute`, { tenant: held, body: { initial_prompt: "Mais um" } });
      expect(refused.status).toBe(402);
      expect(refused.body.error.code).toBe("budget_exhausted");
      expect(refused.body.error.message).toContain(`the monthly budget of US$ ${budget.toFixed(2)} is spent (US$ ${spent.toFixed(2)} used this month)`);
      expect(refused.body.error.details.hint).toContain("raise the monthly budget");
      expect(await runsOfTeam(reportTeam)).toBe(before);

      await sql`update public.tenants set monthly_budget_usd = ${budget + 1} where id = ${held}`;
      const allowed = await execute(memberA, held, reportTeam, { initial_prompt: "Com orçamento" });
      await expectStatus(call(memberA, "POST", `/executions/${allowed.execution_id}/stop`, { tenant: held }), 200);
    } finally {
      await sql`update public.tenants set monthly_budget_usd = null where id = ${held}`;
    }
  });
});

describe("GET /executions", () => {
  it("lists the company's runs newest first, filtered by team, status and dates, paginated", async () => {
    const page = await expectStatus(call(analystA, "GET", `/executions?team_id=${reportTeam}&limit=100`, { tenant: held }), 200);
    expect(page.total).toBeGreaterThanOrEqual(5);
    expect(page.items.every((run: { team_id: string; team_name: string }) => run.team_id === reportTeam && run.team_name === "Relatório")).toBe(true);
    const times = page.items.map((run: { created_at: string }) => Date.parse(run.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const completed = await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&status=completed`, { tenant: held }), 200);
    expect(completed.items.map((run: { initial_prompt: string }) => run.initial_prompt)).toEqual(["Relatório do trimestre"]);
    expect(completed.items[0]).toMatchObject({ status: "completed", cost_usd: 3.6, input_tokens: 1_200_000, finished_steps: 2, total_steps: 2 });

    const today = new Date().toISOString().slice(0, 10);
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const inAnHour = new Date(Date.now() + 3600_000).toISOString();
    const since = await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&from=${hourAgo}&to=${inAnHour}`, { tenant: held }), 200);
    expect(since.total).toBe(page.total);
    expect((await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&from=${inAnHour}`, { tenant: held }), 200)).total).toBe(0);
    expect((await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&to=${hourAgo}`, { tenant: held }), 200)).total).toBe(0);
    expect((await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&from=${today}`, { tenant: held }), 200)).total).toBe(page.total);
    const offset = encodeURIComponent(new Date(Date.now() - 3600_000).toISOString().replace("Z", "+00:00"));
    expect((await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&from=${offset}`, { tenant: held }), 200)).total).toBe(page.total);

    const second = await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&limit=2&page=2`, { tenant: held }), 200);
    expect(second).toMatchObject({ page: 2, limit: 2, total: page.total });
    expect(second.items.map((run: { id: string }) => run.id)).toEqual(page.items.slice(2, 4).map((run: { id: string }) => run.id));

    // Search (#18): text of the prompt, or of the result (an agent's part), any case; % and _ are text.
    const found = async (text: string) =>
      (await expectStatus(call(memberA, "GET", `/executions?team_id=${reportTeam}&search=${encodeURIComponent(text)}`, { tenant: held }), 200))
        .items.map((run: { initial_prompt: string }) => run.initial_prompt);
    expect(await found("DO TRIMESTRE")).toEqual(["Relatório do trimestre"]);
    expect(await found("vendas SUBIRAM")).toEqual(["Relatório do trimestre"]);
    expect(await found("+12%.")).toEqual(["Relatório do trimestre"]);
    expect(await found("12_")).toEqual([]);
    expect(await found("nada disso aconteceu")).toEqual([]);
    expect((await call(memberA, "GET", `/executions?search=${"x".repeat(201)}`, { tenant: held })).status).toBe(422);

    for (const query of ["from=yesterday", "to=2026-13-01", "status=done", "team_id=x", "limit=500", "tenant_id=x"]) {
      expect((await call(memberA, "GET", `/executions?${query}`, { tenant: held })).status, query).toBe(422);
    }
  });
});

describe("who may do what", () => {
  let id: string;

  beforeAll(async () => {
    id = (await execute(memberA, held, reportTeam, { initial_prompt: "Para os papéis" })).execution_id;
  });

  it("analysts read runs but neither start nor stop them (403)", async () => {
    for (const path of [`/executions/${id}/status`, `/executions/${id}/result`, `/executions/${id}/logs`, `/executions/${id}/export.pdf`, `/executions?team_id=${reportTeam}`]) {
      expect((await call(analystA, "GET", path, { tenant: held })).status, path).toBe(200);
    }
    const start = await call(analystA, "POST", `/teams/${reportTeam}/execute`, { tenant: held, body: { initial_prompt: "Do analista" } });
    expect(start.status).toBe(403);
    expect(start.body.error).toMatchObject({ code: "executions_start_by_builders", message: "analysts can read runs but not start them" });
    const stop = await call(analystA, "POST", `/executions/${id}/stop`, { tenant: held });
    expect(stop.status).toBe(403);
    expect(stop.body.error.message).toBe("analysts can read runs but not stop them");
    expect((await runRow(id)).status).toBe("pending");
    const [{ count }] = await sql`select count(*)::int as count from public.executions where initial_prompt = 'Do analista'`;
    expect(count).toBe(0);
  });

  it("answers 404 on every execution URL to another company, and to a member asking in another of their companies", async () => {
    const paths: [string, string][] = [
      ["GET", `/executions/${id}/status`],
      ["GET", `/executions/${id}/result`],
      ["GET", `/executions/${id}/logs`],
      ["GET", `/executions/${id}/export.pdf`],
      ["POST", `/executions/${id}/stop`],
    ];
    for (const [method, path] of paths) {
      const outsider = await call(ownerB, method, path, { tenant: tenantB });
      expect(outsider.status, `${method} ${path}`).toBe(404);
      expect(outsider.body.error.code).toBe("not_found");
      expect((await call(memberA, method, path, { tenant: live })).status, `${method} ${path} in Live`).toBe(404);
      expect((await call(memberA, method, path.replace(id, aUuid()), { tenant: held })).status).toBe(404);
      expect((await call(memberA, method, path.replace(id, "not-a-uuid"), { tenant: held })).status).toBe(422);
    }
    const start = await call(ownerB, "POST", `/teams/${reportTeam}/execute`, { tenant: tenantB, body: { initial_prompt: "Alheio" } });
    expect(start.status).toBe(404);
    expect((await call(memberA, "POST", `/teams/${reportTeam}/execute`, { tenant: live, body: { initial_prompt: "Alheio" } })).status).toBe(404);
    expect((await call(ownerB, "GET", `/executions/${id}/status`, { tenant: held })).body.error.code).toBe("tenant_not_found");
    const list = await expectStatus(call(ownerB, "GET", "/executions", { tenant: tenantB }), 200);
    expect(list).toEqual({ items: [], total: 0, page: 1, limit: 20 });
    const liveList = await expectStatus(call(memberA, "GET", "/executions?limit=100", { tenant: live }), 200);
    expect(liveList.items.map((run: { id: string }) => run.id)).not.toContain(id);
    expect((await runRow(id)).status).toBe("pending");
    const [{ count }] = await sql`select count(*)::int as count from public.executions where initial_prompt = 'Alheio'`;
    expect(count).toBe(0);
  });

  it("members stop their company's runs", async () => {
    const stopped = await expectStatus(call(memberA, "POST", `/executions/${id}/stop`, { tenant: held }), 200);
    expect(stopped).toMatchObject({ execution_id: id, status: "cancelled" });
  });
});
