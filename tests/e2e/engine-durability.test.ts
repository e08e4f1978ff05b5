// Runs are rows, not a process: a stop really stops (the run is cancelled at once, the in-flight
// provider call is aborted, and no agent starts afterwards), and a run whose worker is killed in
// the middle of a step (kill -9 of the executor's Deno process) finishes after its short lease
// expires and the watchdog wakes a new worker, with the step's result recorded exactly once; a
// Postgres restart with ten runs in flight ends all ten completed, each result once.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeServer } from "../../scripts/fakes/fake-http.ts";
import { startFakeOpenAi } from "../../scripts/fakes/fake-openai.ts";
import {
  type Company,
  createTeam,
  demoAgent,
  engineDatabase,
  events,
  eventsAreGapless,
  execution,
  executorPid,
  newCompany,
  openAiAgent,
  pause,
  removeCompanies,
  restartPostgres,
  runFinished,
  startRun,
  stepReaches,
  steps,
  stopRun,
  waitFor,
} from "../fixtures/index.ts";

// Generous: a run whose worker is restarted under the suite (a file change reloads the function)
// finishes only after its lease expires and the watchdog wakes a new worker.
vi.setConfig({ testTimeout: 180_000 });

const sql = engineDatabase();
let company: Company;
const fakes: FakeServer[] = [];

beforeAll(async () => {
  company = await newCompany(sql, "durability");
});

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

afterAll(async () => {
  await removeCompanies(sql, [company]);
  await sql.end();
});

async function usageRows(executionId: string): Promise<{ step_id: string }[]> {
  return [...(await sql<{ step_id: string }[]>`select step_id from public.usage_ledger where execution_id = ${executionId}`)];
}

describe("stopping a run", () => {
  it("cancels the run within 2 s of the stop, cancels the running step, and starts nothing afterwards", async () => {
    const slow = await demoAgent(company, "Twenty Second Thinker", { latency_ms: 20_000 });
    const next = await demoAgent(company, "Never Started", { latency_ms: 0 });
    const team = await createTeam(company, {
      name: "Stoppable team",
      workflow_type: "sequential",
      agents: [{ agent_id: slow, execution_order: 1 }, { agent_id: next, execution_order: 2 }],
    });
    const started = await startRun(company, team, "Take your time");
    await stepReaches(sql, started.id, 1, "running");

    const stopAt = Date.now();
    const answered = await stopRun(company, started.id);
    const run = await waitFor(async () => {
      const row = await execution(sql, started.id);
      return row.status === "cancelled" ? row : null;
    }, "the run to be cancelled", 5_000, 20);
    expect(Date.now() - stopAt).toBeLessThan(2_000);
    expect(answered).toBe("cancelled");
    const stopSeq = run.last_event_seq;

    // Long enough for a worker that missed the stop to record something or start the next agent.
    await pause(3_000);
    const [first, second] = await steps(sql, started.id);
    expect(first).toMatchObject({ status: "cancelled", skip_reason: "the run was stopped", output: null, lease_owner: null });
    expect(second).toMatchObject({ status: "cancelled", skip_reason: "the run was stopped", started_at: null, attempt_count: 0 });
    expect(await execution(sql, started.id)).toMatchObject({ status: "cancelled", last_event_seq: stopSeq });
    const log = await events(sql, started.id);
    expect(log.filter((event) => event.payload.status === "running" && event.event === "agent_status_update").map((event) => event.step_id))
      .toEqual([first.id]);
    expect(log.at(-1)).toMatchObject({ event: "status_update", payload: { status: "cancelled" } });
    expect(await usageRows(started.id)).toEqual([]);
  });

  it("aborts the in-flight provider call: the provider sees its connection closed within 2 s of the stop", async () => {
    const fake = await startFakeOpenAi();
    fakes.push(fake);
    fake.script("slow");
    const agent = await openAiAgent(company, "Hanging Provider", fake.url);
    const team = await createTeam(company, { name: "Hanging team", workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });
    const started = await startRun(company, team, "Wait for me");
    await waitFor(async () => fake.requests.length > 0, "the provider call", 30_000, 20);

    const stopAt = Date.now();
    expect(await stopRun(company, started.id)).toBe("cancelled");
    await Promise.race([
      fake.requests[0].closed,
      pause(10_000).then(() => {
        throw new Error("the provider call was still open 10 s after the stop");
      }),
    ]);
    expect(Date.now() - stopAt).toBeLessThan(2_000);
    expect(fake.requests[0].clientClosedEarly).toBe(true);
    await pause(1_500);
    expect(fake.requests).toHaveLength(1);
    const [step] = await steps(sql, started.id);
    expect(step).toMatchObject({ status: "cancelled", attempt_count: 1, output: null });
  });
});

describe("a worker killed in the middle of a step", () => {
  it("is replaced without help: the lease runs out, the watchdog wakes a new worker, the run completes and the result is recorded once", async () => {
    const victim = await demoAgent(company, "Crash Victim", { latency_ms: 4_000, reply: "survived: {input}" });
    const after = await demoAgent(company, "After The Crash", { latency_ms: 0, reply: "then: {input}" });
    const team = await createTeam(company, {
      name: "Crash team",
      workflow_type: "sequential",
      agents: [{ agent_id: victim, execution_order: 1 }, { agent_id: after, execution_order: 2 }],
    });
    const started = await startRun(company, team, "Do not lose me");
    await stepReaches(sql, started.id, 1, "running", 1);

    const pid = executorPid();
    expect(pid, "the executor's Deno process for this stack").not.toBeNull();
    process.kill(pid!, "SIGKILL");
    await waitFor(async () => executorPid() !== pid, "the executor process to die", 10_000, 20);
    // Nothing else happens: no kick, no lease moved. The dead worker's short lease runs out, the
    // watchdog (pg_cron) reaps it and kicks; the gateway starts the function again on that kick.
    const run = await runFinished(sql, started.id, 120_000);
    expect(run.status).toBe("completed");
    const [first, second] = await steps(sql, started.id);
    expect(first).toMatchObject({ status: "succeeded", attempt_count: 2, output: "survived: Do not lose me", lease_owner: null });
    expect(second).toMatchObject({ status: "succeeded", attempt_count: 1 });
    expect(executorPid()).not.toBe(pid);
    // Exactly once: one ledger row per step, one success event for the crashed step, no gap in the log.
    expect((await usageRows(started.id)).map((row) => row.step_id).sort()).toEqual([first.id, second.id].sort());
    const log = await events(sql, started.id);
    const firstStepStatuses = log.filter((event) => event.step_id === first.id && event.event === "agent_status_update").map((event) => event.payload.status);
    expect(firstStepStatuses).toEqual(["ready", "running", "ready", "running", "succeeded"]);
    const requeued = log.find((event) => event.step_id === first.id && event.payload.reason);
    expect(requeued?.payload.reason).toBe("the worker stopped answering; retrying");
    expect(log.find((event) => event.step_id === first.id && event.payload.status === "running" && event.payload.attempt === 1)?.seq)
      .toBeLessThan(requeued!.seq);
    expect(await eventsAreGapless(sql, started.id)).toBe(true);
    expect(run.final_result?.summary).toBe("then: Do not lose me");
  });
});

describe("a Postgres restart with runs in flight", () => {
  it("ends every run completed, each result and ledger row once and the event log gapless", async () => {
    const slow = await demoAgent(company, "Mid Restart", { latency_ms: 3_000, reply: "held: {input}" });
    const after = await demoAgent(company, "After Restart", { latency_ms: 0, reply: "then: {input}" });
    const team = await createTeam(company, {
      name: "Restart team",
      workflow_type: "sequential",
      agents: [{ agent_id: slow, execution_order: 1 }, { agent_id: after, execution_order: 2 }],
    });
    const runs = [];
    for (let i = 1; i <= 10; i++) runs.push(await startRun(company, team, `Run ${i}`));
    for (const run of runs) await stepReaches(sql, run.id, 1, "running");

    await restartPostgres(sql);

    for (const [index, started] of runs.entries()) {
      const run = await runFinished(sql, started.id, 120_000);
      expect(run.status).toBe("completed");
      const [first, second] = await steps(sql, started.id);
      expect(first).toMatchObject({ status: "succeeded", output: `held: Run ${index + 1}`, lease_owner: null });
      expect(second).toMatchObject({ status: "succeeded", output: `then: Run ${index + 1}` });
      expect((await usageRows(started.id)).map((row) => row.step_id).sort()).toEqual([first.id, second.id].sort());
      const log = await events(sql, started.id);
      expect(log.filter((event) => event.event === "result_update" && event.step_id).map((event) => event.step_id)).toEqual([first.id, second.id]);
      expect(await eventsAreGapless(sql, started.id)).toBe(true);
    }
  });
});
