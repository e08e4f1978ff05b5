import "../_shared/edge-runtime.d.ts";
import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { consoleSink } from "../_shared/request-log.ts";
import { buildWebhooksApp } from "./app.ts";
import { eventDrain } from "./event-drain.ts";

const sql = connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 8 });
const drain = eventDrain(sql, {
  background: (work) => EdgeRuntime.waitUntil(work),
  // The events stay pending; the pg_cron job retries them.
  onError: (error) =>
    consoleSink("warn", JSON.stringify({ level: "warn", msg: "webhook drain stopped", error: String(error) })),
});
const app = buildWebhooksApp({ sql, onStored: () => drain.kick() });
Deno.serve(app.fetch);
