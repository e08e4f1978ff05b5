// An executor invocation close to its time limit hands over to a fresh invocation: the real engine
// (supabase/functions/executor/engine.ts) runs here in-process against the stack's database with a
// budget of a few seconds, so the hand-over happens within one test. The stack's own executor is
// kept out of the way for the run: its wake-up request is dropped and the watchdog paused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase } from "../../supabase/functions/_shared/db.ts";
import { type EngineRunSummary, startEngine } from "../../supabase/functions/executor/engine.ts";
import { EngineStore } from "../../supabase/functions/executor/engine-store.ts";
import { stackEnv } from "../../scripts/test/stack-env.ts";
import {
  type Company,
  createTeam,
  demoAgent,
  engineDatabase,
  newCompany,
  pause,
  pauseWatchdog,
  removeCompanies,
  resumeWatchdog,
  runFinished,
  steps,
} from "../fixtures/index.ts";

const sql = engineDatabase();
const engineSql = connectDatabase(stackEnv.dbUrl, { max: 4 });
const companies: Company[] = [];

beforeAll(async () => {
  await pauseWatchdog(sql);
});

afterAll(async () => {
  await resumeWatchdog(sql);
  await removeCompanies(sql, companies);
  await engineSql.end();
  await sql.end();
});

describe("executor hand-over", () => {
  it("hands the rest of a run to a fresh invocation when its time budget runs low, and the run completes once", async () => {
    const company = await newCompany(sql, "handover");
    companies.push(company);
    const agents = [];
    for (const name of ["Primeiro", "Segundo", "Terceiro", "Quarto"]) agents.push(await demoAgent(company, name, { latency_ms: 1000 }));
    const teamId = await createTeam(company, {
      name: "Hand-over",
      workflow_type: "sequential",
      agents: agents.map((agent_id, index) => ({ agent_id, execution_order: index + 1 })),
    });
    // Engines the stack started for earlier tests exit after 3 s without work.
    await pause(3_500);

    // Started as the owner, like the API does, minus the wake-up of the stack's executor.
    const [run] = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ sub: company.owner.id, role: "authenticated" })}, true)`;
      const started = await tx`select id from public.start_execution(${teamId}, 'Quatro passos, um depois do outro')`;
      await tx`reset role`;
      await tx`delete from net.http_request_queue where url like '%/executor/run'`;
      return started;
    });

    const summaries: EngineRunSummary[] = [];
    let secondDone: Promise<EngineRunSummary> | null = null;
    const settings = {
      store: new EngineStore(engineSql),
      maxConcurrentSteps: 4,
      leaseSeconds: 30,
      renewEveryMs: 1_000,
      // Room for about three 1 s steps, then no step starts with under 1.5 s left.
      budgetMs: 4_500,
      minStepTimeMs: 1_500,
      idleExitMs: 1_000,
      pollMs: 50,
      baseUrls: {},
      log: () => {},
    };
    const first = startEngine({
      ...settings,
      worker: "test:handover-1",
      handOver: async () => {
        secondDone = startEngine({ ...settings, worker: "test:handover-2", budgetMs: 60_000, handOver: async () => {} }).done;
      },
    });
    summaries.push(await first.done);
    expect(secondDone).not.toBeNull();
    summaries.push(await secondDone!);

    const finished = await runFinished(sql, run.id, 60_000);
    expect(finished.status).toBe("completed");
    expect(summaries[0].handedOver).toBe(true);
    expect(summaries[0].steps.succeeded).toBeGreaterThanOrEqual(1);
    expect(summaries[1].steps.succeeded).toBeGreaterThanOrEqual(1);
    expect(summaries[0].steps.succeeded + summaries[1].steps.succeeded).toBe(4);
    const done = await steps(sql, run.id);
    expect(done.map((step) => [step.status, step.attempt_count])).toEqual([
      ["succeeded", 1],
      ["succeeded", 1],
      ["succeeded", 1],
      ["succeeded", 1],
    ]);
    const [{ recorded }] = await sql`select count(*)::int as recorded from public.usage_ledger where execution_id = ${run.id}`;
    expect(recorded).toBe(4);
  }, 120_000);
});
