import "../_shared/edge-runtime.d.ts";
import { connectDatabase } from "../_shared/db.ts";
import { egressFetch } from "../_shared/egress.ts";
import { requiredEnv } from "../_shared/env.ts";
import { projectKeysFromEnv } from "../_shared/project-keys.ts";
import { buildNotifyApp } from "./app.ts";

// The platform's own SMS and e-mail accounts (supabase secrets set ...); a channel whose settings
// are missing fails its attempts with channel_not_configured and the next channel is tried.
const env = (name: string) => Deno.env.get(name) || "";
const keys = projectKeysFromEnv((name) => Deno.env.get(name));
const requestTimeoutMs = Number(env("NOTIFY_REQUEST_TIMEOUT_MS") || 10_000);

const app = buildNotifyApp({
  sql: connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 4 }),
  serviceKeys: keys.serviceKeys,
  whatsapp: {
    whatsappGraph: env("WHATSAPP_GRAPH_URL") || "https://graph.facebook.com/v21.0",
    zapi: env("ZAPI_BASE_URL") || "https://api.z-api.io",
    requestTimeoutMs,
  },
  channels: {
    twilio: env("TWILIO_ACCOUNT_SID") && env("TWILIO_AUTH_TOKEN") && env("TWILIO_FROM_NUMBER")
      ? {
        apiUrl: env("TWILIO_API_URL") || "https://api.twilio.com",
        accountSid: env("TWILIO_ACCOUNT_SID"),
        authToken: env("TWILIO_AUTH_TOKEN"),
        from: env("TWILIO_FROM_NUMBER"),
      }
      : null,
    resend: env("RESEND_API_KEY") && env("NOTIFY_EMAIL_FROM")
      ? { apiUrl: env("RESEND_API_URL") || "https://api.resend.com", apiKey: env("RESEND_API_KEY"), from: env("NOTIFY_EMAIL_FROM") }
      : null,
    requestTimeoutMs,
  },
  fetchImpl: egressFetch({ timeoutMs: requestTimeoutMs, maxResponseBytes: 64 * 1024 }),
  background: (work) => EdgeRuntime.waitUntil(work),
});
Deno.serve(app.fetch);
