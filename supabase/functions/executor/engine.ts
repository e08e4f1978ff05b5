import type { ProviderName } from "../_shared/providers/index.ts";
import { type ClaimedStep, type EngineStore, isTransientDatabaseError } from "./engine-store.ts";
import { runStep, type StepOutcome } from "./step-runner.ts";
import type { StepTextBroadcast } from "./step-text.ts";

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
  /** How often the worker also runs the reaper (default 1 s). */
  reapEveryMs?: number;
  baseUrls: Partial<Record<ProviderName, string>>;
  /** Streams running steps' text to the run's watchers (step-text.ts); absent in some tests. */
  stepText?: StepTextBroadcast;
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

/** A running engine, as the function that started it sees it. */
export interface RunningEngine {
  readonly worker: string;
  /** Settles when the engine exits (idle, or out of budget after handing over). */
  readonly done: Promise<EngineRunSummary>;
  /** True while it takes more work: not exiting, time left for a step, and room for one. */
  hasRoom(): boolean;
  /** New work may be ready (a kick arrived): claim now, and count idle time from now. */
  wake(): void;
}

/**
 * Starts one engine: reap, claim ready steps up to the concurrency limit, run them, and claim
 * again as soon as any finishes (a finished step usually makes the next one ready) or it is woken.
 * Exits when idle, and hands over to a fresh invocation when its time budget runs low while work
 * remains, so no run depends on one function instance staying alive. Rides out a database restart.
 */
export function startEngine(options: EngineOptions): RunningEngine {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const budgetEnd = startedAt + options.budgetMs;
  const reapEveryMs = options.reapEveryMs ?? 1_000;
  const inFlight = new Map<string, Promise<void>>();
  const summary: EngineRunSummary = { worker: options.worker, steps: { succeeded: 0, failed: 0, retrying: 0, abandoned: 0 }, handedOver: false };
  let idleSince: number | null = null;
  let exiting = false;
  let woken = false;
  let endNap: (() => void) | null = null;

  /** Sleeps `ms`, or less when woken (a wake while awake makes the next nap return at once). */
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(finish, Math.max(0, ms));
      function finish() {
        clearTimeout(timer);
        if (endNap === finish) endNap = null;
        woken = false;
        resolve();
      }
      endNap = finish;
    });

  const start = (step: ClaimedStep) => {
    const running = runStep(step, {
      store: options.store,
      worker: options.worker,
      leaseSeconds: options.leaseSeconds,
      renewEveryMs: options.renewEveryMs,
      baseUrls: options.baseUrls,
      stepText: options.stepText,
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

  /** One turn of the loop: claim and wait, or decide to exit (then answers the summary). */
  const turn = async (): Promise<EngineRunSummary | null> => {
    const timeLeft = budgetEnd - now();
    const room = options.maxConcurrentSteps - inFlight.size;
    let claimed: ClaimedStep[] = [];
    if (room > 0 && timeLeft > options.minStepTimeMs) {
      claimed = await options.store.claimSteps(options.worker, room, options.leaseSeconds);
      for (const step of claimed) start(step);
    }
    // Runs past their deadline and leases of dead workers are found whether or not this worker is busy.
    if (now() - lastReapAt >= reapEveryMs) await reap();

    if (inFlight.size > 0) {
      idleSince = null;
      // Wake when any step finishes (it may have released the next), on a kick, or after one poll interval.
      const napping = nap(options.pollMs);
      await Promise.race([...inFlight.values(), napping]);
      endNap?.();
      return null;
    }
    if (claimed.length > 0) return null;

    // Nothing running, nothing claimable now.
    if (timeLeft <= options.minStepTimeMs) {
      exiting = true;
      const nextAttempt = await options.store.nextAttemptAt();
      if (nextAttempt) await handOver();
      return summary;
    }
    idleSince ??= now();
    const nextAttempt = await options.store.nextAttemptAt();
    const waitUntil = nextAttempt ? Math.max(nextAttempt.getTime(), now()) : null;
    if (waitUntil !== null && waitUntil - now() <= options.idleExitMs && waitUntil < budgetEnd - options.minStepTimeMs) {
      await nap(Math.max(options.pollMs, Math.min(waitUntil - now(), options.idleExitMs)));
      idleSince = null;
      return null;
    }
    // A wake during the query above counts as new work: idleSince was reset.
    if (idleSince !== null && now() - idleSince >= options.idleExitMs && !woken) {
      // A retry far in the future is the watchdog's to pick up.
      exiting = true;
      return summary;
    }
    await nap(options.pollMs);
    return null;
  };

  const handOver = async () => {
    summary.handedOver = true;
    await options.handOver().catch((error) => options.log({ level: "error", msg: "hand-over failed", error: String(error) }));
  };

  const loop = async (): Promise<EngineRunSummary> => {
    await reap();
    // While the database is down (a restart, a failover) the engine stays: its steps in flight keep
    // their results until they can be recorded, and it reaps and claims the moment the database is
    // back, instead of leaving every run to the watchdog, which restarts with the database.
    let outageBackoffMs = 0;
    while (true) {
      try {
        const finished = await turn();
        outageBackoffMs = 0;
        if (finished) return finished;
      } catch (error) {
        if (!isTransientDatabaseError(error)) throw error;
        if (outageBackoffMs === 0) options.log({ level: "warn", msg: "the database is unreachable or the call conflicted; retrying", error: String(error) });
        if (inFlight.size === 0 && budgetEnd - now() <= options.minStepTimeMs) {
          exiting = true;
          await handOver();
          return summary;
        }
        outageBackoffMs = Math.min(Math.max(outageBackoffMs * 2, options.pollMs), 1_000);
        await nap(outageBackoffMs);
      }
    }
  };

  const done = loop().finally(() => {
    exiting = true;
  });
  return {
    worker: options.worker,
    done,
    hasRoom: () => !exiting && budgetEnd - now() > options.minStepTimeMs && inFlight.size < options.maxConcurrentSteps,
    wake: () => {
      idleSince = null;
      woken = true;
      endNap?.();
    },
  };
}
