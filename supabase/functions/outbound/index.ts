import "../_shared/edge-runtime.d.ts";
import { connectDatabase } from "../_shared/db.ts";
import { egressFetch } from "../_shared/egress.ts";
import { requiredEnv } from "../_shared/env.ts";
import { projectKeysFromEnv } from "../_shared/project-keys.ts";
import { buildOutboundApp } from "./app.ts";

// The legacy service_role key and/or the sb_secret keys: whichever the project has enabled.
const keys = projectKeysFromEnv((name) => Deno.env.get(name));
const requestTimeoutMs = Number(Deno.env.get("OUTBOUND_REQUEST_TIMEOUT_MS") || 10_000);

const app = buildOutboundApp({
  sql: connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 8 }),
  serviceKeys: keys.serviceKeys,
  endpoints: {
    whatsappGraph: Deno.env.get("WHATSAPP_GRAPH_URL") || "https://graph.facebook.com/v21.0",
    zapi: Deno.env.get("ZAPI_BASE_URL") || "https://api.z-api.io",
    requestTimeoutMs,
  },
  // Provider answers are small JSON; no redirect is followed (the secrets go to the one URL).
  fetchImpl: egressFetch({ timeoutMs: requestTimeoutMs, maxResponseBytes: 64 * 1024 }),
  background: (work) => EdgeRuntime.waitUntil(work),
});
Deno.serve(app.fetch);
