// The runs pages' loads and actions against the running stack, with real runs: a team of demo
// agents run through the API (the engine runs in the stack), listed and filtered, its monitor's
// snapshot, the events endpoint the browser fills gaps from, Stop, and another company's run 404.
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import {
  executionStarted,
  executionStatusResponse,
  type ExecutionEvent,
  type ExecutionLogPage,
  type ExecutionResult,
  type ExecutionStatusResponse,
} from "$schemas/executions.ts";
import { agent as agentSchema } from "$schemas/agents.ts";
import { team as teamSchema } from "$schemas/teams.ts";
import { createApi } from "$lib/server/api";
import { applyEvents, earlierEventCount, initialState, timelinePageSize, withEarlierEvents } from "$lib/executions/monitor-state";
import { expectHttpError, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions as newTenant } from "../tenants/new/+page.server";
import { actions as monitorActions, load as monitorLoad } from "./[id]/+page.server";
import { GET as events } from "./[id]/events/+server";
import { load as listLoad } from "./+page.server";
import { load as dashboardLoad } from "../+page.server";

let owner: Person;
let stranger: Person;
let teamId = "";
let finishedRun = "";

async function withCompany(person: Person, name: string): Promise<void> {
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name, slug: `${name.toLowerCase()}-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
}

async function api(person: Person) {
  return createApi(await requestEvent(person.jar, { path: "/" }));
}

async function createTeam(person: Person, name: string, latencies: number[]): Promise<string> {
  const client = await api(person);
  const agents = [];
  for (const [index, latency] of latencies.entries()) {
    const created = await client.post("/agents", agentSchema, {
      name: `${name} ${index + 1}`,
      provider: "demo",
      model: "demo-small",
      status: "active",
      config: { latency_ms: latency, reply: "{agent}: ok" },
    });
    agents.push({ agent_id: created.id, role: "member", execution_order: index + 1 });
  }
  const team = await client.post("/teams", teamSchema, {
    name,
    workflow_type: "sequential",
    config: { timeout_seconds: 300, max_parallel_agents: 5, continue_on_error: false },
    agents,
  });
  return team.id;
}

async function run(person: Person, team: string, prompt: string): Promise<string> {
  const started = await (await api(person)).post(`/teams/${team}/execute`, executionStarted, { initial_prompt: prompt });
  return started.execution_id;
}

async function statusOf(person: Person, id: string) {
  return (await api(person)).get(`/executions/${id}/status`, executionStatusResponse);
}

async function waitUntil<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function monitor(person: Person, id: string) {
  const event = await requestEvent(person.jar, { path: `/executions/${id}`, params: { id } });
  return (await monitorLoad(event as never)) as { status: ExecutionStatusResponse; result: ExecutionResult; log: ExecutionEvent[]; outputs: Record<string, string> };
}

async function list(person: Person, query = "") {
  const event = await requestEvent(person.jar, { path: `/executions${query}` });
  return (await listLoad(event as never)) as Exclude<Awaited<ReturnType<typeof listLoad>>, void>;
}

beforeAll(async () => {
  owner = await signUp("runs-owner");
  stranger = await signUp("runs-stranger");
  await withCompany(owner, "Execucoes");
  await withCompany(stranger, "Alheia");
  teamId = await createTeam(owner, "Equipe Rapida", [0, 0]);
  finishedRun = await run(owner, teamId, "Resuma o dia");
  await waitUntil("the run to finish", async () => (await statusOf(owner, finishedRun)).status === "completed");
});

describe("the runs list", () => {
  it("shows the company's runs with status, steps and cost, and the teams to filter by", async () => {
    const page = await list(owner);
    expect(page.executions.total).toBe(1);
    expect(page.executions.items[0]).toMatchObject({ id: finishedRun, team_name: "Equipe Rapida", status: "completed", finished_steps: 2, total_steps: 2 });
    expect(page.executions.items[0].cost_usd).toBeGreaterThan(0);
    expect(page.teams).toEqual([{ id: teamId, name: "Equipe Rapida" }]);
  });

  it("filters by status and by day, and ignores filters that are not valid", async () => {
    expect((await list(owner, "?status=failed")).executions.total).toBe(0);
    expect((await list(owner, "?status=completed")).executions.total).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    // `to` is the last day included.
    expect((await list(owner, `?from=${today}&to=${today}`)).executions.total).toBe(1);
    expect((await list(owner, "?to=2020-01-01")).executions.total).toBe(0);
    const lenient = await list(owner, "?status=bogus&team_id=nope&from=31/12/2020&awaiting=you");
    expect(lenient.filters).toEqual({ search: "", team_id: "", status: "", from: "", to: "", awaiting: "" });
    expect(lenient.executions.total).toBe(1);
  });

  it("is empty for another company", async () => {
    expect((await list(stranger)).executions.total).toBe(0);
  });
});

describe("the monitor of a finished run", () => {
  it("loads the status, the result and the whole event log, which the monitor state reads as finished", async () => {
    const data = await monitor(owner, finishedRun);
    expect(data.status.status).toBe("completed");
    expect(data.result.final_result?.details.map((detail) => detail.agent_name)).toEqual(["Equipe Rapida 1", "Equipe Rapida 2"]);
    expect(data.log.map((event) => event.seq)).toEqual(Array.from({ length: data.status.last_event_seq }, (_, index) => index + 1));
    const state = initialState(data.status, data.result, data.log);
    expect(state.run.status).toBe("completed");
    expect(state.timeline).toHaveLength(data.status.last_event_seq);
    expect(state.finalResult?.summary).toContain("Equipe Rapida 2");
  });

  it("answers 404 to another company, and to an id that is not one", async () => {
    expect((await expectHttpError(() => monitor(stranger, finishedRun))).status).toBe(404);
    expect((await expectHttpError(() => monitor(owner, "not-an-id"))).status).toBe(404);
  });
});

describe("the events endpoint", () => {
  it("answers the events after a seq, which fill a state started from an earlier snapshot", async () => {
    const data = await monitor(owner, finishedRun);
    const partial = initialState({ ...data.status, status: "running" }, null, []);
    const early = { ...partial, lastSeq: 3, timeline: data.log.slice(0, 3) };
    const event = await requestEvent(owner.jar, { path: `/executions/${finishedRun}/events?after_seq=3`, params: { id: finishedRun } });
    const response = await events(event as never);
    expect(response.status).toBe(200);
    const page = (await response.json()) as ExecutionLogPage;
    expect(page.items[0].seq).toBe(4);
    expect(page.items.at(-1)?.seq).toBe(data.status.last_event_seq);
    const filled = applyEvents(early, page.items);
    expect(filled.timeline.map((entry) => entry.seq)).toEqual(data.log.map((entry) => entry.seq));
    expect(filled.run.status).toBe("completed");
  });

  it("answers 404 for another company's run", async () => {
    const event = await requestEvent(stranger.jar, { path: `/executions/${finishedRun}/events?after_seq=0`, params: { id: finishedRun } });
    expect((await events(event as never)).status).toBe(404);
  });
});

describe("the monitor of a long run", () => {
  it("starts with the newest events and every output so far, and reads earlier events page by page", async () => {
    const team = await createTeam(owner, "Equipe Longa", [0, 30_000]);
    const id = await run(owner, team, "Escreva muito");
    await waitUntil("the second agent to run", async () => (await statusOf(owner, id)).agents[1].status === "running");
    // The run's runtime writes 1,300 lines to its log, through the function the engine appends with.
    const sql = postgres(process.env.DB_URL!, { max: 1 });
    try {
      await sql`select private.append_execution_event(${id}::uuid, 'log', jsonb_build_object('message', 'linha ' || g)) from generate_series(1, 1300) g`;
    } finally {
      await sql.end();
    }
    try {
      const data = await monitor(owner, id);
      const last = data.status.last_event_seq;
      expect(last).toBeGreaterThan(1300);
      expect(data.log.map((event) => event.seq)).toEqual(Array.from({ length: timelinePageSize }, (_, index) => last - timelinePageSize + 1 + index));
      // The first agent answered long before the events the page starts with; its output is there.
      const firstAgent = data.status.agents[0].agent_id;
      expect(data.outputs[firstAgent]).toBe("Equipe Longa 1: ok");
      let state = initialState(data.status, data.result, data.log, data.outputs);
      expect(state.outputs[firstAgent]).toBe("Equipe Longa 1: ok");

      while (earlierEventCount(state) > 0) {
        const before = earlierEventCount(state) + 1;
        const request = await requestEvent(owner.jar, { path: `/executions/${id}/events?before_seq=${before}&limit=${timelinePageSize}`, params: { id } });
        const page = (await (await events(request as never)).json()) as ExecutionLogPage;
        expect(page.items.map((event) => event.seq)).toEqual(Array.from({ length: Math.min(timelinePageSize, before - 1) }, (_, index) => before - Math.min(timelinePageSize, before - 1) + index));
        state = withEarlierEvents(state, page.items);
      }
      expect(state.timeline.map((event) => event.seq)).toEqual(Array.from({ length: last }, (_, index) => index + 1));
    } finally {
      await monitorActions.stop((await requestEvent(owner.jar, { path: `/executions/${id}?/stop`, method: "POST", params: { id } })) as never);
    }
  });

  it("refuses a seq that is not a whole number", async () => {
    const request = await requestEvent(owner.jar, { path: `/executions/${finishedRun}/events?before_seq=abc`, params: { id: finishedRun } });
    expect((await expectHttpError(() => events(request as never))).status).toBe(400);
  });
});

describe("stopping a run", () => {
  it("cancels a running run; a finished run stays as it was", async () => {
    const slowTeam = await createTeam(owner, "Equipe Lenta", [20_000, 0]);
    const id = await run(owner, slowTeam, "Demore");
    await waitUntil("the first agent to run", async () => (await statusOf(owner, id)).agents[0].status === "running");

    const stop = async () => monitorActions.stop((await requestEvent(owner.jar, { path: `/executions/${id}?/stop`, method: "POST", params: { id } })) as never);
    const answer = (await stop()) as { notice: { key: string }; stoppedStatus: string };
    expect(answer).toMatchObject({ notice: { key: "executions.monitor.stopped" }, stoppedStatus: "cancelled" });
    const data = await monitor(owner, id);
    expect(data.status.status).toBe("cancelled");
    expect(data.status.agents.map((agent) => agent.status)).toEqual(["cancelled", "cancelled"]);
    // Stopping it again says it had already ended, and how, rather than "Run stopped." once more.
    expect(await stop()).toMatchObject({
      notice: { key: "executions.monitor.alreadyEnded", values: { status: "executions.statuses.cancelled" }, tone: "error" },
      stoppedStatus: "cancelled",
    });
  });

  it("answers Stop on a run that had completed with how it ended", async () => {
    const event = await requestEvent(owner.jar, { path: `/executions/${finishedRun}?/stop`, method: "POST", params: { id: finishedRun } });
    expect(await monitorActions.stop(event as never)).toMatchObject({
      notice: { key: "executions.monitor.alreadyEnded", values: { status: "executions.statuses.completed" } },
      stoppedStatus: "completed",
    });
    expect((await statusOf(owner, finishedRun)).status).toBe("completed");
  });

  it("refuses another company's run with 404", async () => {
    const event = await requestEvent(stranger.jar, { path: `/executions/${finishedRun}?/stop`, method: "POST", params: { id: finishedRun } });
    const answer = (await monitorActions.stop(event as never)) as { status: number };
    expect(answer.status).toBe(404);
  });
});

describe("a run whose team was deleted", () => {
  it("stays in the dashboard, the list and its monitor, with the team's name and no team", async () => {
    const person = await signUp("runs-team-deleted");
    await withCompany(person, "Orfas");
    const team = await createTeam(person, "Equipe Apagada", [0]);
    const id = await run(person, team, "Antes de apagar");
    await waitUntil("the run to finish", async () => (await statusOf(person, id)).status === "completed");
    await (await api(person)).delete(`/teams/${team}`);

    const listed = (await list(person)).executions.items;
    expect(listed).toEqual([expect.objectContaining({ id, team_id: null, team_name: "Equipe Apagada", status: "completed" })]);
    const dashboard = (await dashboardLoad((await requestEvent(person.jar, { path: "/" })) as never)) as {
      summary: { recent_executions: { id: string; team_id: string | null }[] };
    };
    expect(dashboard.summary.recent_executions).toEqual([expect.objectContaining({ id, team_id: null })]);
    const data = await monitor(person, id);
    expect(data.status).toMatchObject({ execution_id: id, team_id: null, team_name: "Equipe Apagada", status: "completed" });
    expect(data.result.final_result?.details.map((detail) => detail.agent_name)).toEqual(["Equipe Apagada 1"]);
  });
});
