import type { Sql } from "../_shared/db.ts";
import { createFunctionApp } from "../_shared/function-app.ts";
import type { FetchLike } from "../_shared/providers/provider.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { requireServiceKey } from "../_shared/service-key.ts";
import { type DeliveryPassOptions, type DeliveryPassSummary, type RunningDeliveryPass, startDeliveryPass } from "./delivery-pass.ts";
import { DeliveryStore } from "./delivery-store.ts";
import type { SendEndpoints } from "./provider-send.ts";

export interface OutboundDependencies {
  sql: Sql;
  /** The keys a caller may present (project-keys.ts: the legacy service_role JWT, each sb_secret key). */
  serviceKeys: string[];
  endpoints: SendEndpoints;
  /** egress.ts's fetch in production. */
  fetchImpl: FetchLike;
  logSink?: LogSink;
  /** Keeps the pass running after the 202 (EdgeRuntime.waitUntil in production). */
  background: (work: Promise<unknown>) => void;
  settings?: Partial<Pick<DeliveryPassOptions, "maxInFlight" | "claimBatch" | "budgetMs" | "idleExitMs" | "pollMs">> & { leaseSeconds?: number };
  onFinished?: (summary: DeliveryPassSummary) => void;
}

// A lease of 60 s: a job's requests time out after 10 s each and its lease is renewed with each
// part, so only a worker that died (or hung past every timeout) loses one, and a lost lease makes
// a dead letter (never a second send). Passes stay well inside Supabase's 150 s wall clock.
export const defaultDeliverySettings = {
  maxInFlight: 64,
  claimBatch: 8,
  budgetMs: 100_000,
  idleExitMs: 2_000,
  pollMs: 200,
  leaseSeconds: 60,
};

/**
 * The `outbound` function: POST /outbound/run (service keys only) answers 202 at once and delivers
 * queued replies in the background until idle or out of budget. The database calls it through
 * pg_net when a reply is appended (private.kick_outbound) and from its watchdog when a retry is due
 * (private.heartbeat). Within one instance a kick wakes the pass already running
 * instead of starting another: every reply kicks, and passes polling the same queue only compete.
 */
export function buildOutboundApp(dependencies: OutboundDependencies) {
  // Called only by the project (the database through pg_net): no browser origins.
  const app = createFunctionApp({ basePath: "/outbound", webOrigins: [], logSink: dependencies.logSink });
  const settings = { ...defaultDeliverySettings, ...dependencies.settings };
  const store = new DeliveryStore(dependencies.sql, settings.leaseSeconds);
  let running: RunningDeliveryPass | null = null;

  app.post("/run", requireServiceKey(dependencies.serviceKeys), (c) => {
    if (running) {
      running.wake();
      return c.json({ worker: running.worker, status: "woken" }, 202);
    }
    const worker = `outbound:${crypto.randomUUID()}`;
    const log = (entry: Record<string, unknown>) => console.log(JSON.stringify({ worker, ...entry }));
    const pass = startDeliveryPass({ ...settings, store, worker, endpoints: dependencies.endpoints, fetchImpl: dependencies.fetchImpl, log });
    running = pass;
    const work = pass.done
      .then((summary) => {
        log({ level: "info", msg: "delivery pass finished", ...summary });
        dependencies.onFinished?.(summary);
      })
      .catch((error) => log({ level: "error", msg: "delivery pass failed", error: String(error) }))
      .finally(() => {
        if (running === pass) running = null;
      });
    dependencies.background(work);
    return c.json({ worker, status: "started" }, 202);
  });

  return app;
}
