// Does a parallel team really run side by side? A parallel team of 5 demo agents that each take
// latency_ms 500 (no leader): the run's wall time (executions.started_at → finished_at, as the
// database recorded them) divided by the slowest agent's latency. Target under 1.2. The same five
// agents as a sequential team for comparison (about 5). Each team runs --repeats times, one run at
// a time; the runs are started with public.start_execution and the database wakes the executor.
//   npx tsx scripts/bench/parallel-speedup.ts [--repeats 5] [--agents 5] [--latency 500] [--keep] [--instance bench]
import {
  between,
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

const repeats = Number(option("--repeats", "5"));
const agentCount = Number(option("--agents", "5"));
const latencyMs = Number(option("--latency", "500"));
const target = 1.2;

interface Measured {
  ratios: number[];
  pickups: number[];
  spreads: number[];
}

async function measure(sql: Sql, teamId: string, label: string): Promise<Measured> {
  const ratios: number[] = [];
  const pickups: number[] = [];
  const spreads: number[] = [];
  // One run to warm up (the function's first steps, plans of the engine's statements), not counted.
  for (let run = 0; run <= repeats; run++) {
    const started = await startRun(sql, teamId, `${label} ${run}`);
    const [finished] = await waitForRuns(sql, [started.id], 60_000);
    if (finished.status !== "completed") throw new Error(`${label} run ${run} ended ${finished.status}`);
    if (run === 0) continue;
    ratios.push(between(finished.started_at, finished.finished_at) / latencyMs);
    const steps = await stepTimes(sql, [started.id]);
    pickups.push(Math.min(...steps.map((step) => step.started)) - steps[0].run_started);
    // How far apart the agents were started: 0 when all were claimed together.
    spreads.push(Math.max(...steps.map((step) => step.started)) - Math.min(...steps.map((step) => step.started)));
  }
  return { ratios, pickups, spreads };
}

function report(label: string, measured: Measured, expected: string) {
  const ratio = summarize(measured.ratios);
  console.log(`\n${label}: ${repeats} runs of ${agentCount} agents × ${latencyMs} ms`);
  console.log(`  wall time / slowest agent:  ${measured.ratios.map((value) => value.toFixed(3)).join("  ")}   (median ${ratio.p50.toFixed(3)}, worst ${ratio.max.toFixed(3)}; ${expected})`);
  console.log(`  run started → first agent started: median ${summarize(measured.pickups).p50.toFixed(1)} ms`);
  console.log(`  first → last agent started:        median ${summarize(measured.spreads).p50.toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const stack = await openBenchStack(4);
  try {
    const company = await seedCompany(stack.sql, "speedup");
    const agentIds = await seedAgents(
      stack.sql,
      company,
      Array.from({ length: agentCount }, (_, i) => ({ name: `Speedup ${i + 1}`, config: { latency_ms: latencyMs } })),
    );
    const parallel = await seedTeam(stack.sql, company, { name: "Parallel five", workflow: "parallel", agentIds, sameOrder: true, maxParallel: agentCount });
    const sequential = await seedTeam(stack.sql, company, { name: "Sequential five", workflow: "sequential", agentIds });
    await warmExecutor(stack);

    say("running the parallel team");
    const parallelNumbers = await measure(stack.sql, parallel, "parallel");
    say("running the same agents as a sequential team");
    const sequentialNumbers = await measure(stack.sql, sequential, "sequential");

    report("parallel team", parallelNumbers, `target < ${target}`);
    report("sequential team", sequentialNumbers, `about ${agentCount} expected`);
    const median = summarize(parallelNumbers.ratios).p50;
    const speedup = summarize(sequentialNumbers.ratios).p50 / median;
    console.log(`\nspeed-up of parallel over sequential: ${speedup.toFixed(2)}× (ideal ${agentCount}×)`);
    console.log(`target parallel wall / slowest agent < ${target}: ${median < target ? "met" : "MISSED"} (median ${median.toFixed(3)})`);
  } finally {
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
