// A burst: 100 runs of a 5-agent team started at once by one company on the enterprise plan
// (50 runs in flight at most; the rest wait as pending and start as others finish). Checks that
// every run completes and nothing is lost (each step succeeded once, one usage row per step), and
// reports throughput in steps per second from the first run created to the last one finished, how
// the plan's limit queued the runs, and each step's ready → succeeded time under load. Demo agents
// with latency_ms 0 by default, so the numbers are the engine's own; once as a parallel team and
// once as a sequential one.
//   npx tsx scripts/bench/burst.ts [--runs 100] [--agents 5] [--latency 0] [--workflow parallel|sequential|both] [--keep] [--instance bench]
import {
  between,
  type Company,
  line,
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
  waitForRuns,
  warmExecutor,
} from "./engine-bench-support.ts";

const runCount = Number(option("--runs", "100"));
const agentCount = Number(option("--agents", "5"));
const latencyMs = Number(option("--latency", "0"));
const workflowChoice = option("--workflow", "both");

async function burst(sql: Sql, company: Company, workflow: "parallel" | "sequential"): Promise<boolean> {
  const agentIds = await seedAgents(
    sql,
    company,
    Array.from({ length: agentCount }, (_, i) => ({ name: `Burst ${workflow} ${i + 1}`, config: { latency_ms: latencyMs } })),
  );
  const team = await seedTeam(sql, company, {
    name: `Burst ${workflow}`,
    workflow,
    agentIds,
    sameOrder: workflow === "parallel",
    maxParallel: agentCount,
  });

  say(`starting ${runCount} ${workflow} runs of ${agentCount} agents at once`);
  const began = performance.now();
  const started = await Promise.all(Array.from({ length: runCount }, (_, i) => startRun(sql, team, `burst ${workflow} ${i}`)));
  const startCalls = performance.now() - began;
  const ids = started.map((run) => run.id);
  const queued = started.filter((run) => run.status === "pending").length;
  const runs = await waitForRuns(sql, ids, 600_000, 50);

  const [counts] = await sql<{ steps: number; succeeded: number; retried: number; ledger: number; completed: number }[]>`
    select (select count(*)::int from public.execution_steps where execution_id in ${sql(ids)}) as steps,
           (select count(*)::int from public.execution_steps where execution_id in ${sql(ids)} and status = 'succeeded') as succeeded,
           (select count(*)::int from public.execution_steps where execution_id in ${sql(ids)} and attempt_count > 1) as retried,
           (select count(*)::int from public.usage_ledger where execution_id in ${sql(ids)}) as ledger,
           (select count(*)::int from public.executions where id in ${sql(ids)} and status = 'completed') as completed`;
  const first = Math.min(...runs.map((run) => run.created_at.getTime()));
  const last = Math.max(...runs.map((run) => run.finished_at.getTime()));
  const seconds = (last - first) / 1000;
  // Runs in flight at once, from their start and finish times.
  const moments = runs.flatMap((run) => [
    { at: run.started_at.getTime(), change: 1 },
    { at: run.finished_at.getTime(), change: -1 },
  ]).sort((a, b) => a.at - b.at || a.change - b.change);
  let inFlight = 0;
  let peak = 0;
  for (const moment of moments) {
    inFlight += moment.change;
    peak = Math.max(peak, inFlight);
  }
  const waits = runs.map((run) => between(run.created_at, run.started_at));
  const walls = runs.map((run) => between(run.started_at, run.finished_at));
  const times = await stepTimes(sql, ids);
  const readyToSucceeded = times.filter((step) => step.succeeded !== null).map((step) => step.succeeded! - step.ready);

  const expectedSteps = runCount * agentCount;
  const intact = counts.completed === runCount && counts.steps === expectedSteps && counts.succeeded === expectedSteps &&
    counts.ledger === expectedSteps;
  console.log(`\n${workflow}: ${runCount} runs × ${agentCount} agents (demo, latency_ms ${latencyMs}), started in ${startCalls.toFixed(0)} ms`);
  console.log(`  completed runs ${counts.completed}/${runCount}; steps succeeded ${counts.succeeded}/${expectedSteps}; usage rows ${counts.ledger}; steps retried ${counts.retried}: ${intact ? "none lost" : "SOMETHING WAS LOST"}`);
  console.log(`  throughput: ${expectedSteps} steps in ${seconds.toFixed(2)} s = ${(expectedSteps / seconds).toFixed(0)} steps/s (${(runCount / seconds).toFixed(1)} runs/s)`);
  console.log(`  the plan's limit: ${queued} runs started pending; at most ${peak} in flight at once (enterprise allows 50)`);
  console.log(line("  run waited: created → started", summarize(waits)));
  console.log(line("  run wall time: started → finished", summarize(walls)));
  console.log(line("  step ready → succeeded", summarize(readyToSucceeded)));
  return intact;
}

async function main(): Promise<void> {
  const stack = await openBenchStack(20);
  let intact = true;
  try {
    const company = await seedCompany(stack.sql, "burst", "enterprise");
    await warmExecutor(stack);
    if (workflowChoice === "parallel" || workflowChoice === "both") intact = (await burst(stack.sql, company, "parallel")) && intact;
    if (workflowChoice === "sequential" || workflowChoice === "both") intact = (await burst(stack.sql, company, "sequential")) && intact;
  } finally {
    await stack.close();
  }
  if (!intact) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
