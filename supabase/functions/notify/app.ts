import type { Sql } from "../_shared/db.ts";
import { createFunctionApp } from "../_shared/function-app.ts";
import type { FetchLike } from "../_shared/providers/provider.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { requireServiceKey } from "../_shared/service-key.ts";
import type { SendEndpoints } from "../_shared/whatsapp-send.ts";
import type { ChannelSettings } from "./channels.ts";
import { type NotificationPassSummary, runNotificationPass } from "./notification-pass.ts";

export interface NotifyDependencies {
  sql: Sql;
  serviceKeys: string[];
  whatsapp: SendEndpoints;
  channels: ChannelSettings;
  /** egress.ts's fetch in production. */
  fetchImpl: FetchLike;
  logSink?: LogSink;
  /** Keeps the pass running after the 202 (EdgeRuntime.waitUntil in production). */
  background: (work: Promise<unknown>) => void;
  onFinished?: (summary: NotificationPassSummary) => void;
}

// Each channel's request times out after 10 s and the lease is renewed with each attempt, so a
// 60 s lease is lost only by a worker that died.
export const defaultNotifySettings = { leaseSeconds: 60, claimBatch: 20, idleExitMs: 2_000, pollMs: 250, budgetMs: 100_000 };

/**
 * The `notify` function: POST /notify/run (service keys only) answers 202 at once and sends queued
 * notifications in the background — WhatsApp through the company's inbox, then SMS (Twilio), then
 * e-mail (Resend), as each notification's channels say — until idle. The database calls it through
 * pg_net when notifications are queued (private.kick_notify) and from its watchdog. A kick while a
 * pass runs is answered `running`: that pass polls and finds the new ones.
 */
export function buildNotifyApp(dependencies: NotifyDependencies) {
  const app = createFunctionApp({ basePath: "/notify", webOrigins: [], logSink: dependencies.logSink });
  let running: string | null = null;

  app.post("/run", requireServiceKey(dependencies.serviceKeys), (c) => {
    if (running) return c.json({ worker: running, status: "running" }, 202);
    const worker = `notify:${crypto.randomUUID()}`;
    const log = (entry: Record<string, unknown>) => console.log(JSON.stringify({ worker, ...entry }));
    running = worker;
    const work = runNotificationPass({
      ...defaultNotifySettings,
      sql: dependencies.sql,
      worker,
      whatsapp: dependencies.whatsapp,
      channels: dependencies.channels,
      fetchImpl: dependencies.fetchImpl,
      log,
    })
      .then((summary) => {
        log({ level: "info", msg: "notification pass finished", ...summary });
        dependencies.onFinished?.(summary);
      })
      .catch((error) => log({ level: "error", msg: "notification pass failed", error: String(error) }))
      .finally(() => {
        if (running === worker) running = null;
      });
    dependencies.background(work);
    return c.json({ worker, status: "started" }, 202);
  });

  return app;
}
