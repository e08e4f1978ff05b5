import "../_shared/edge-runtime.d.ts";
import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { projectKeysFromEnv } from "../_shared/project-keys.ts";
import { buildExecutorApp } from "./app.ts";
import { realtimeStepTextBroadcast } from "./step-text.ts";

const supabaseUrl = requiredEnv("SUPABASE_URL");
// The legacy service_role key and/or the sb_secret keys: whichever the project has enabled.
const keys = projectKeysFromEnv((name) => Deno.env.get(name));

const connect = () => connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 8 });
const app = buildExecutorApp({
  sql: connect(),
  reconnect: connect,
  serviceKeys: keys.serviceKeys,
  background: (work) => EdgeRuntime.waitUntil(work),
  invokeSelf: async () => {
    const answer = await fetch(`${supabaseUrl}/functions/v1/executor/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${keys.callKey}` },
      signal: AbortSignal.timeout(10_000),
    });
    await answer.body?.cancel();
    if (answer.status !== 202) throw new Error(`the next executor invocation answered ${answer.status}`);
  },
  // The project's own Realtime, as the service: a running step's text on its run's private topic.
  stepText: keys.callKey ? realtimeStepTextBroadcast(supabaseUrl, keys.callKey) : undefined,
  baseUrls: {
    "openai-compatible": Deno.env.get("OPENAI_BASE_URL") || undefined,
    anthropic: Deno.env.get("ANTHROPIC_BASE_URL") || undefined,
    suna: Deno.env.get("SUNA_BASE_URL") || undefined,
  },
});
Deno.serve(app.fetch);
