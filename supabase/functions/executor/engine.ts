import { abortableSleep, type ProviderName } from "../_shared/providers/index.ts";
import type { ClaimedStep, EngineStore } from "./engine-store.ts";
import { runStep, type StepOutcome } from "./step-runner.ts";

export interface EngineOptions {
  store: EngineStore;
  worker: string;
  /** Steps this invocation runs at once. */
  maxConcurrentSteps: number;
  leaseSeconds: number;
  renewEveryMs: number;
  /** Wall-clock budget of one invocation (below the platform's limit); then it hands over. */
  budgetMs: number;
  /** Do not start a step with less time than this left in the budget. */
  minStepTimeMs: number;
  /** How long an idle worker waits for new work (or a retry coming due) before it exits. */
  idleExitMs: number;
  pollMs: number;
  /** How often a busy worker also runs the reaper (an idle one reaps every poll). */
  reapEveryMs?: number;
  baseUrls: Partial<Record<ProviderName, string>>;
  /** Starts a fresh invocation to carry on (the executor calling itself). */
  handOver: () => Promise<void>;
  log: (entry: Record<string, unknown>) => void;
  now?: () => number;
}

export interface EngineRunSummary {
  worker: string;
  steps: Record<StepOutcome, number>;
  handedOver: boolean;
}

/**
 * One invocation of the engine: reap, claim ready steps up to the concurrency limit, run them, and
 * claim again as soon as any finishes (a finished step usually makes the next one ready). Exits
 * when idle, and hands over to a fresh invocation when its time budget runs low while work remains,
 * so no run depends on one function instance staying alive.
 */
export async function runEngine(options: EngineOptions): Promise<EngineRunSummary> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const budgetEnd = startedAt + options.budgetMs;
  const inFlight = new Map<string, Promise<void>>();
  const summary: EngineRunSummary = { worker: options.worker, steps: { succeeded: 0, failed: 0, retrying: 0, abandoned: 0 }, handedOver: false };
  let idleSince: number | null = null;

  const start = (step: ClaimedStep) => {
    const running = runStep(step, {
      store: options.store,
      worker: options.worker,
      leaseSeconds: options.leaseSeconds,
      renewEveryMs: options.renewEveryMs,
      baseUrls: options.baseUrls,
      invocationDeadline: budgetEnd,
      log: options.log,
    })
      .then((outcome) => {
        summary.steps[outcome] += 1;
      })
      .catch((error) => options.log({ level: "error", msg: "step runner crashed", step_id: step.step_id, error: String(error) }))
      .finally(() => inFlight.delete(step.step_id));
    inFlight.set(step.step_id, running);
  };

  let lastReapAt = now();
  const reap = () => {
    lastReapAt = now();
    return options.store.reap().catch((error) => options.log({ level: "warn", msg: "reap failed", error: String(error) }));
  };
  await reap();

  while (true) {
    const timeLeft = budgetEnd - now();
    const room = options.maxConcurrentSteps - inFlight.size;
    let claimed: ClaimedStep[] = [];
    if (room > 0 && timeLeft > options.minStepTimeMs) {
      claimed = await options.store.claimSteps(options.worker, room, options.leaseSeconds);
      for (const step of claimed) start(step);
    }

    if (inFlight.size > 0) {
      idleSince = null;
      // Runs past their deadline and leases of dead workers are found even while this worker is busy.
      if (now() - lastReapAt >= (options.reapEveryMs ?? 1_000)) await reap();
      // Wake when any step finishes (it may have released the next) or after one poll interval.
      await Promise.race([...inFlight.values(), abortableSleep(options.pollMs)]);
      continue;
    }
    if (claimed.length > 0) continue;

    // Nothing running, nothing claimable now.
    if (timeLeft <= options.minStepTimeMs) {
      const nextAttempt = await options.store.nextAttemptAt();
      if (nextAttempt) {
        summary.handedOver = true;
        await options.handOver().catch((error) => options.log({ level: "error", msg: "hand-over failed", error: String(error) }));
      }
      return summary;
    }
    idleSince ??= now();
    const nextAttempt = await options.store.nextAttemptAt();
    const waitUntil = nextAttempt ? Math.max(nextAttempt.getTime(), now()) : null;
    if (waitUntil !== null && waitUntil - now() <= options.idleExitMs && waitUntil < budgetEnd - options.minStepTimeMs) {
      await abortableSleep(Math.max(options.pollMs, Math.min(waitUntil - now(), options.idleExitMs)));
      idleSince = null;
      continue;
    }
    if (now() - idleSince >= options.idleExitMs) {
      // A retry far in the future is the scheduled kick's to pick up.
      return summary;
    }
    await abortableSleep(options.pollMs);
    await reap();
  }
}
