// How long a crash costs a run. Two crashes, several times each, with nothing else happening
// afterwards (no kick, no lease moved: what brings a worker back is the system's own — the short
// lease running out, the watchdog's reap and kick every second, the gateway starting the function on
// that kick, the worker reaping at start):
//   kill -9 of the executor in the middle of a step (a 2-step sequential run, step 1 takes 4 s),
//     printing kill → step reaped, kill → step re-claimed, kill → run completed;
//   a Postgres restart (pg_ctl stop -m fast, start) with ten such runs in flight, printing
//     restart → step 1 recorded and restart → run completed for every run.
// Times of the run come from the database's clock (the event log, the rows); the kill and the
// restart from this process's clock, on the same machine.
// Baseline in the same run: the same team without a crash (run started → completed), the
// executor's cold start (a kick to a function with no process → 202), and how long the database
// is away during a restart.
// Target: a run resumed (step re-claimed) within 15 s of the kill, p95.
//   npx tsx scripts/bench/engine-recovery.ts [--kills 5] [--restarts 2] [--instance work8]
// (--instance: a running stack of yours; without it the bench stack is purged and started.)
import { functionPid } from "../stack/functions/function-process.ts";
import { type InstanceName, stackInstance } from "../stack/instances.ts";
import { startPostgres, stopPostgres } from "../stack/postgres-cluster.ts";
import {
  type BenchStack,
  type Company,
  line,
  ms,
  openBenchStack,
  option,
  pause,
  say,
  seedAgents,
  seedCompany,
  seedTeam,
  type Sql,
  startRun,
  summarize,
  waitForRuns,
  warmExecutor,
} from "./engine-bench-support.ts";

const kills = Number(option("--kills", "5"));
const restarts = Number(option("--restarts", "2"));
const runsPerRestart = 10;
const warmUpKills = 1;
const targetResumeMs = 15_000;
const slowStepMs = 4_000;

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(20);
  }
}

function executorPid(stack: BenchStack): number | null {
  return functionPid("executor", stack.name);
}

async function killExecutor(stack: BenchStack): Promise<number> {
  const pid = executorPid(stack);
  if (pid === null) throw new Error("no executor process to kill");
  process.kill(pid, "SIGKILL");
  const killedAt = Date.now();
  await waitUntil(async () => executorPid(stack) !== pid, "the executor to die", 10_000);
  return killedAt;
}

async function stepOneRunning(sql: Sql, executionId: string): Promise<boolean> {
  const [step] = await sql<{ status: string }[]>`select status::text from public.execution_steps where execution_id = ${executionId} and position = 1`;
  return step?.status === "running";
}

/** Moments of a run after a crash at `crashAt` (ms since the epoch), in ms after the crash. */
interface Recovery {
  reaped: number | null;
  reclaimed: number | null;
  stepRecorded: number;
  completed: number;
  attempts: number;
}

async function recoveryOf(sql: Sql, executionId: string, crashAt: number): Promise<Recovery> {
  const [row] = await sql<{ reaped: Date | null; reclaimed: Date | null; recorded: Date; completed: Date; attempts: number }[]>`
    select (select min(ev.created_at) from public.execution_events ev
            where ev.step_id = s.id and ev.payload ->> 'reason' = 'the worker stopped answering; retrying') as reaped,
           (select min(ev.created_at) from public.execution_events ev
            where ev.step_id = s.id and ev.payload ->> 'status' = 'running' and (ev.payload ->> 'attempt')::int > 1) as reclaimed,
           s.finished_at as recorded, e.finished_at as completed, s.attempt_count as attempts
    from public.execution_steps s join public.executions e on e.id = s.execution_id
    where s.execution_id = ${executionId} and s.position = 1`;
  const after = (moment: Date | null) => (moment ? moment.getTime() - crashAt : null);
  return { reaped: after(row.reaped), reclaimed: after(row.reclaimed), stepRecorded: after(row.recorded)!, completed: after(row.completed)!, attempts: row.attempts };
}

async function exactlyOnce(sql: Sql, executionIds: string[]): Promise<void> {
  const [check] = await sql<{ ledger_rows: number; steps: number; result_events: number; gapless: boolean }[]>`
    select (select count(*)::int from public.usage_ledger where execution_id in ${sql(executionIds)}) as ledger_rows,
           (select count(*)::int from public.execution_steps where execution_id in ${sql(executionIds)}) as steps,
           (select count(*)::int from public.execution_events where execution_id in ${sql(executionIds)} and event = 'result_update' and step_id is not null) as result_events,
           (select bool_and(e.last_event_seq = (select count(*) from public.execution_events ev where ev.execution_id = e.id))
            from public.executions e where e.id in ${sql(executionIds)}) as gapless`;
  if (check.ledger_rows !== check.steps || check.result_events !== check.steps || !check.gapless) {
    throw new Error(`not exactly once: ${JSON.stringify(check)}`);
  }
}

async function coldStartMs(stack: BenchStack): Promise<number> {
  await killExecutor(stack);
  const started = performance.now();
  for (;;) {
    const answer = await fetch(`${stack.apiUrl}/functions/v1/executor/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.serviceKey}`, "content-type": "application/json" },
      body: "{}",
    }).catch(() => null);
    await answer?.text();
    if (answer?.status === 202) return performance.now() - started;
    await pause(20);
  }
}

async function main(): Promise<void> {
  const stack = await openBenchStack(4);
  const { sql } = stack;
  try {
    const company: Company = await seedCompany(sql, "recovery");
    const [slow, quick] = await seedAgents(sql, company, [
      { name: "Crash Victim", config: { latency_ms: slowStepMs } },
      { name: "After The Crash", config: { latency_ms: 0 } },
    ]);
    const team = await seedTeam(sql, company, { name: "Recovery team", workflow: "sequential", agentIds: [slow, quick] });
    await warmExecutor(stack);

    say("baseline: the same run without a crash, and the executor's cold start");
    const plainRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await startRun(sql, team, `plain ${i}`);
      const [done] = await waitForRuns(sql, [run.id], 60_000);
      plainRuns.push(done.finished_at.getTime() - done.started_at.getTime());
    }
    const coldStarts: number[] = [];
    for (let i = 0; i < 3; i++) coldStarts.push(await coldStartMs(stack));
    // Let the engines woken by those kicks go idle and exit, so each kill below starts from one worker.
    await pause(4_000);

    say(`killing the executor in the middle of a step: ${warmUpKills} warm-up + ${kills} kills`);
    const killRecoveries: Recovery[] = [];
    const killedRuns: string[] = [];
    for (let i = 0; i < warmUpKills + kills; i++) {
      const run = await startRun(sql, team, `kill ${i}`);
      await waitUntil(() => stepOneRunning(sql, run.id), "step 1 to run");
      // Land the kill at a different point of the renewal cycle each time.
      await pause(500 + Math.random() * 1_000);
      const killedAt = await killExecutor(stack);
      const [done] = await waitForRuns(sql, [run.id], 180_000, 20);
      if (done.status !== "completed") throw new Error(`run ${run.id} ended ${done.status}`);
      const recovery = await recoveryOf(sql, run.id, killedAt);
      if (i >= warmUpKills) {
        killRecoveries.push(recovery);
        killedRuns.push(run.id);
      }
      say(`  kill ${i + 1}: re-claimed after ${recovery.reclaimed === null ? "-" : ms(recovery.reclaimed)}, completed after ${ms(recovery.completed)}`);
    }
    await exactlyOnce(sql, killedRuns);

    say(`restarting Postgres with ${runsPerRestart} runs in flight: ${restarts} restarts`);
    const cluster = stackInstance(stack.name as InstanceName);
    const restartRecoveries: Recovery[] = [];
    const downtimes: number[] = [];
    const restartedRuns: string[] = [];
    for (let i = 0; i < restarts; i++) {
      const runs = [];
      for (let r = 0; r < runsPerRestart; r++) runs.push(await startRun(sql, team, `restart ${i}.${r}`));
      for (const run of runs) await waitUntil(() => stepOneRunning(sql, run.id), "step 1 to run");
      await pause(500);
      const restartAt = Date.now();
      await stopPostgres(cluster);
      await startPostgres(cluster);
      await waitUntil(() => sql`select 1`.then(() => true), "Postgres to answer", 60_000);
      downtimes.push(Date.now() - restartAt);
      const ids = runs.map((run) => run.id);
      const done = await waitForRuns(sql, ids, 180_000, 20);
      const notCompleted = done.filter((run) => run.status !== "completed");
      if (notCompleted.length > 0) throw new Error(`${notCompleted.length} runs did not complete after the restart`);
      for (const id of ids) restartRecoveries.push(await recoveryOf(sql, id, restartAt));
      restartedRuns.push(...ids);
      say(`  restart ${i + 1}: database away ${ms(downtimes.at(-1)!)}, last run completed after ${ms(Math.max(...restartRecoveries.slice(-runsPerRestart).map((r) => r.completed)))}`);
    }
    if (restartedRuns.length > 0) await exactlyOnce(sql, restartedRuns);

    console.log("\nbaseline (same stack, same run)");
    console.log(line("  run without a crash: started → completed", summarize(plainRuns)));
    console.log(line("  executor cold start: kick → 202", summarize(coldStarts)));
    if (downtimes.length > 0) console.log(line("  Postgres restart: stop → answering again", summarize(downtimes)));

    const present = (values: (number | null)[]) => values.filter((value): value is number => value !== null);
    console.log(`\nkill -9 of the executor mid-step (${kills} kills after ${warmUpKills} warm-up; each result and ledger row once, events gapless)`);
    console.log(line("  kill → step reaped (lease ran out)", summarize(present(killRecoveries.map((r) => r.reaped)))));
    console.log(line("  kill → step re-claimed (run resumed)", summarize(present(killRecoveries.map((r) => r.reclaimed)))));
    console.log(line("  kill → run completed", summarize(killRecoveries.map((r) => r.completed))));
    const resumed = summarize(present(killRecoveries.map((r) => r.reclaimed)));
    console.log(`  target kill → re-claimed p95 < ${targetResumeMs / 1000} s: ${resumed.p95 < targetResumeMs ? "met" : "MISSED"} (${ms(resumed.p95)})`);

    if (restartRecoveries.length > 0) {
      const rerun = restartRecoveries.filter((r) => r.attempts > 1).length;
      console.log(`\nPostgres restart with ${runsPerRestart} runs in flight (${restarts} restarts; ${rerun} of ${restartRecoveries.length} first steps ran again; each result once)`);
      console.log(line("  restart → step 1 recorded", summarize(restartRecoveries.map((r) => r.stepRecorded))));
      console.log(line("  restart → run completed", summarize(restartRecoveries.map((r) => r.completed))));
      const completed = summarize(restartRecoveries.map((r) => r.completed));
      console.log(`  target restart → every run completed < ${targetResumeMs / 1000} s: ${completed.max < targetResumeMs ? "met" : "MISSED"} (max ${ms(completed.max)})`);
    }
  } finally {
    await stack.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
