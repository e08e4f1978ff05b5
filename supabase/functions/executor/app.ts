import type { Sql } from "../_shared/db.ts";
import { createFunctionApp } from "../_shared/function-app.ts";
import { requireServiceKey } from "../_shared/service-key.ts";
import type { LogSink } from "../_shared/request-log.ts";
import type { ProviderName } from "../_shared/providers/index.ts";
import { type EngineOptions, type EngineRunSummary, type RunningEngine, startEngine } from "./engine.ts";
import { EngineStore } from "./engine-store.ts";
import type { StepTextBroadcast } from "./step-text.ts";

export interface ExecutorDependencies {
  sql: Sql;
  /** Opens a fresh pool when the engine's one stops answering (after a database restart). */
  reconnect?: () => Sql;
  /** The keys a caller may present (project-keys.ts: the legacy service_role JWT, each sb_secret key). */
  serviceKeys: string[];
  logSink?: LogSink;
  /** Keeps the engine running after the 202 (EdgeRuntime.waitUntil in production). */
  background: (work: Promise<unknown>) => void;
  /** Invokes this function again, for the hand-over. */
  invokeSelf: () => Promise<void>;
  baseUrls: Partial<Record<ProviderName, string>>;
  /** Streams running steps' text on the run's Realtime topic (step-text.ts). */
  stepText?: StepTextBroadcast;
  settings?: Partial<Pick<EngineOptions, "maxConcurrentSteps" | "leaseSeconds" | "renewEveryMs" | "budgetMs" | "minStepTimeMs" | "idleExitMs" | "pollMs" | "reapEveryMs">>;
  onFinished?: (summary: EngineRunSummary) => void;
}

// Supabase gives a function 150 s (free) to 400 s (paid) of wall clock: stay well inside it.
// A lease of 6 s renewed every second: a worker must miss five renewals in a row to lose a step
// (and then only runs the call again; the result is still recorded once), and a step whose worker
// died is free again 6 s later (the watchdog then wakes a worker within a second).
export const defaultEngineSettings = {
  maxConcurrentSteps: 16,
  leaseSeconds: 6,
  renewEveryMs: 1_000,
  budgetMs: 120_000,
  minStepTimeMs: 15_000,
  idleExitMs: 3_000,
  pollMs: 100,
  reapEveryMs: 1_000,
};

/**
 * The `executor` function: POST /executor/run (service keys only) answers 202 at once and runs the
 * engine in the background until idle or out of budget. The database calls it through pg_net when
 * a run starts and when its watchdog finds a step nobody is working on (a worker died: within
 * seconds, see private.heartbeat); the api function calls it after
 * POST /teams/{id}/execute; it calls itself to hand over. Any number may run at once, but within
 * one instance a call wakes an engine already running there with room for more steps instead of
 * starting another (`status: "woken"`): every run start kicks, and a crowd of engines polling the
 * same queue only competes for the database.
 */
export function buildExecutorApp(dependencies: ExecutorDependencies) {
  // Called only by the project (the database through pg_net, api, itself): no browser origins.
  const app = createFunctionApp({ basePath: "/executor", webOrigins: [], logSink: dependencies.logSink });
  // A knowledge base on an openai key embeds queries at the platform's OpenAI address, as agents call it.
  const store = new EngineStore(dependencies.sql, dependencies.reconnect, {
    openAiBaseUrl: dependencies.baseUrls["openai-compatible"] ?? "https://api.openai.com",
  });
  const settings = { ...defaultEngineSettings, ...dependencies.settings };
  const engines = new Set<RunningEngine>();

  app.post("/run", requireServiceKey(dependencies.serviceKeys), (c) => {
    const running = [...engines].find((engine) => engine.hasRoom());
    if (running) {
      running.wake();
      return c.json({ worker: running.worker, status: "woken" }, 202);
    }
    const worker = `executor:${crypto.randomUUID()}`;
    const log = (entry: Record<string, unknown>) => console.log(JSON.stringify({ worker, ...entry }));
    const engine = startEngine({ ...settings, store, worker, baseUrls: dependencies.baseUrls, stepText: dependencies.stepText, handOver: dependencies.invokeSelf, log });
    engines.add(engine);
    const run = engine.done
      .then((summary) => {
        log({ level: "info", msg: "engine pass finished", ...summary.steps, handed_over: summary.handedOver });
        dependencies.onFinished?.(summary);
      })
      .catch((error) => log({ level: "error", msg: "engine pass failed", error: String(error) }))
      .finally(() => engines.delete(engine));
    dependencies.background(run);
    return c.json({ worker, status: "started" }, 202);
  });

  return app;
}
