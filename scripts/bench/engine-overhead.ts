// Engine overhead per step: sequential runs of agents that answer at once, so what a step costs is
// what the engine adds around the provider call. Two providers: the demo provider with latency_ms 0
// (no network at all) and an OpenAI-compatible agent pointed at a zero-latency fake server in this
// process (a real HTTP call). Times come from the database's own clocks (the event log and the
// step rows, with microseconds):
//   ready → succeeded   from the transaction that made a step ready to the one that recorded its
//                       result: the whole engine cost of a step (claim, call context, the call,
//                       recording), steps 2..N of each run (step 1 also waits to be noticed)
//   hand-off            a step's result recorded → the next step claimed (same run)
//   claimed → recorded  the claim's transaction → the result's transaction (includes the call)
//   pickup              the run started → its first step claimed (a new run noticed: the pg_net
//                       kick, or an idle worker's poll)
// Baseline in this process: a bare `select 1` round trip, and the engine's SQL (claim_steps then
// complete_step, one statement each, as postgres) timed directly in a transaction rolled back after.
// Target: ready → succeeded p95 under 10 ms.
//   npx tsx scripts/bench/engine-overhead.ts [--runs 20] [--steps 10] [--provider demo|openai|both] [--keep] [--instance bench]
import { startFakeOpenAi } from "../fakes/fake-openai.ts";
import {
  type BenchStack,
  type Company,
  line,
  ms,
  openBenchStack,
  option,
  say,
  seedAgents,
  seedCompany,
  seedTeam,
  type Sql,
  startRun,
  stepTimes,
  summarize,
  type Summary,
  waitForRuns,
  warmExecutor,
} from "./engine-bench-support.ts";

const runs = Number(option("--runs", "20"));
const stepsPerRun = Number(option("--steps", "10"));
const providerChoice = option("--provider", "both");
const warmUpRuns = 3;
const targetP95Ms = 10;

const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

class RolledBack extends Error {}

async function baseline(sql: Sql, company: Company): Promise<{ selectOne: Summary; claim: Summary; complete: Summary; claimPlusComplete: Summary }> {
  const selectOne: number[] = [];
  for (let i = 0; i < 200; i++) await sql`select 1`;
  for (let i = 0; i < 1000; i++) selectOne.push(await timed(() => sql`select 1`));

  const agentIds = await seedAgents(sql, company, Array.from({ length: stepsPerRun }, (_, i) => ({ name: `Baseline ${i + 1}`, config: { latency_ms: 0 } })));
  const team = await seedTeam(sql, company, { name: "Baseline team", workflow: "sequential", agentIds });
  const claim: number[] = [];
  const complete: number[] = [];
  const both: number[] = [];
  for (let run = 0; run < runs + warmUpRuns; run++) {
    // In one transaction that is rolled back: no worker sees these steps, and the kick is never sent.
    await sql.begin(async (tx) => {
      await tx`select public.start_execution(${team}, ${`baseline ${run}`})`;
      for (let step = 0; step < stepsPerRun; step++) {
        let claimed: { step_id: string; attempt: number }[] = [];
        const claimMs = await timed(async () => {
          claimed = [...(await tx<{ step_id: string; attempt: number }[]>`select step_id, attempt from private.claim_steps('bench-baseline', 1, 30)`)];
        });
        if (claimed.length !== 1) throw new Error(`the baseline claimed ${claimed.length} steps`);
        const completeMs = await timed(() =>
          tx`select private.complete_step(${claimed[0].step_id}, 'bench-baseline', ${claimed[0].attempt}, 'ok', 10, 10, 0, null)`);
        if (run >= warmUpRuns) {
          claim.push(claimMs);
          complete.push(completeMs);
          both.push(claimMs + completeMs);
        }
      }
      throw new RolledBack();
    }).catch((error) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  }
  return { selectOne: summarize(selectOne), claim: summarize(claim), complete: summarize(complete), claimPlusComplete: summarize(both) };
}

interface EngineNumbers {
  readyToSucceeded: Summary;
  readyToSucceededFirst: Summary;
  handOff: Summary;
  claimedToRecorded: Summary;
  pickup: Summary;
  runWall: Summary;
  attempts: number;
}

async function measureEngine(stack: BenchStack, company: Company, label: string, config: { provider: "demo" | "openai-compatible"; model: string; config: Record<string, unknown> }): Promise<EngineNumbers> {
  const { sql } = stack;
  const agentIds = await seedAgents(
    sql,
    company,
    Array.from({ length: stepsPerRun }, (_, i) => ({ name: `${label} ${i + 1}`, provider: config.provider, model: config.model, config: config.config })),
  );
  const team = await seedTeam(sql, company, { name: `${label} team`, workflow: "sequential", agentIds });
  const ids: string[] = [];
  for (let run = 0; run < warmUpRuns + runs; run++) {
    const started = await startRun(sql, team, `${label} run ${run}`);
    const [finished] = await waitForRuns(sql, [started.id], 120_000, 2);
    if (finished.status !== "completed") throw new Error(`${label} run ${run} ended ${finished.status}`);
    if (run >= warmUpRuns) ids.push(started.id);
  }
  const times = await stepTimes(sql, ids);
  const byRun = new Map<string, typeof times>();
  for (const step of times) byRun.set(step.execution_id, [...(byRun.get(step.execution_id) ?? []), step]);
  const readyToSucceeded: number[] = [];
  const readyToSucceededFirst: number[] = [];
  const handOff: number[] = [];
  const claimedToRecorded: number[] = [];
  const pickup: number[] = [];
  const runWall: number[] = [];
  let attempts = 0;
  for (const steps of byRun.values()) {
    steps.sort((a, b) => a.position - b.position);
    pickup.push(steps[0].started - steps[0].run_started);
    runWall.push(steps.at(-1)!.finished - steps[0].run_started);
    for (const [index, step] of steps.entries()) {
      attempts += step.attempt_count;
      (index === 0 ? readyToSucceededFirst : readyToSucceeded).push(step.succeeded! - step.ready);
      claimedToRecorded.push(step.succeeded! - step.started);
      if (index > 0) handOff.push(step.started - steps[index - 1].finished);
    }
  }
  return {
    readyToSucceeded: summarize(readyToSucceeded),
    readyToSucceededFirst: summarize(readyToSucceededFirst),
    handOff: summarize(handOff),
    claimedToRecorded: summarize(claimedToRecorded),
    pickup: summarize(pickup),
    runWall: summarize(runWall),
    attempts,
  };
}

function report(label: string, numbers: EngineNumbers, base: { claimPlusComplete: Summary }) {
  console.log(`\n${label}: ${runs} runs × ${stepsPerRun} sequential steps (after ${warmUpRuns} warm-up runs), ${numbers.attempts} attempts`);
  console.log(line("  ready → succeeded (steps 2..N)", numbers.readyToSucceeded));
  console.log(line("  ready → succeeded (step 1, includes the pickup)", numbers.readyToSucceededFirst));
  console.log(line("  hand-off: result recorded → next step claimed", numbers.handOff));
  console.log(line("  claimed → recorded (includes the provider call)", numbers.claimedToRecorded));
  console.log(line("  pickup: run started → first step claimed", numbers.pickup));
  console.log(line(`  run wall time (${stepsPerRun} steps)`, numbers.runWall));
  const ratio = numbers.readyToSucceeded.p50 / base.claimPlusComplete.p50;
  console.log(`  engine step / raw claim+complete SQL (p50): ${ratio.toFixed(1)}×`);
  const verdict = numbers.readyToSucceeded.p95 < targetP95Ms ? "met" : "MISSED";
  console.log(`  target ready → succeeded p95 < ${targetP95Ms} ms: ${verdict} (${ms(numbers.readyToSucceeded.p95)})`);
}

async function main(): Promise<void> {
  const stack = await openBenchStack(4);
  const fake = await startFakeOpenAi({ latencyMs: 0 });
  try {
    const company = await seedCompany(stack.sql, "overhead");
    await warmExecutor(stack);
    say("timing the baseline: select 1, and claim_steps + complete_step called directly");
    const base = await baseline(stack.sql, company);
    console.log("\nbaseline (this process → Postgres, one statement each)");
    console.log(line("  select 1", base.selectOne));
    console.log(line("  private.claim_steps (1 step)", base.claim));
    console.log(line("  private.complete_step", base.complete));
    console.log(line("  claim + complete", base.claimPlusComplete));

    if (providerChoice === "demo" || providerChoice === "both") {
      say("measuring the engine with the demo provider (latency_ms 0)");
      report("demo provider, latency_ms 0", await measureEngine(stack, company, "Demo", { provider: "demo", model: "demo-small", config: { latency_ms: 0 } }), base);
    }
    if (providerChoice === "openai" || providerChoice === "both") {
      say(`measuring the engine with an OpenAI-compatible agent on a zero-latency fake server (${fake.url})`);
      report(
        "openai-compatible → fake server, 0 latency",
        await measureEngine(stack, company, "Fake OpenAI", { provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: fake.url } }),
        base,
      );
    }
  } finally {
    await fake.close();
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
