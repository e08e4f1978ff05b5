import "../_shared/edge-runtime.d.ts";
import { connectDatabase } from "../_shared/db.ts";
import { egressFetch } from "../_shared/egress.ts";
import { requiredEnv } from "../_shared/env.ts";
import { projectKeysFromEnv } from "../_shared/project-keys.ts";
import { buildIngestApp } from "./app.ts";
import { urlLimits } from "./sources.ts";

const supabaseUrl = requiredEnv("SUPABASE_URL");
const keys = projectKeysFromEnv((name) => Deno.env.get(name));
// An sb_secret key goes in `apikey` (the gateway turns it into the role's JWT); a legacy key is a JWT itself.
const serviceHeaders = (): Record<string, string> =>
  keys.callKey?.startsWith("sb_") ? { apikey: keys.callKey } : { apikey: keys.callKey ?? "", Authorization: `Bearer ${keys.callKey}` };

const app = buildIngestApp({
  sql: connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 4 }),
  serviceKeys: keys.serviceKeys,
  background: (work) => EdgeRuntime.waitUntil(work),
  // An openai key's embeddings go to the platform's OpenAI; an openai-compatible key's to its own address.
  embeddings: { openAiBaseUrl: Deno.env.get("OPENAI_BASE_URL") || "https://api.openai.com" },
  readers: {
    fetchUrl: egressFetch(urlLimits),
    // The project's own Storage, not a user's address: a plain fetch with the service key.
    downloadObject: (path) =>
      fetch(`${supabaseUrl}/storage/v1/object/documents/${path.split("/").map(encodeURIComponent).join("/")}`, {
        headers: serviceHeaders(),
        signal: AbortSignal.timeout(30_000),
      }),
  },
  invokeSelf: async () => {
    const answer = await fetch(`${supabaseUrl}/functions/v1/ingest/run`, {
      method: "POST",
      headers: serviceHeaders(),
      signal: AbortSignal.timeout(10_000),
    });
    await answer.body?.cancel();
    if (answer.status !== 202) throw new Error(`the next ingest invocation answered ${answer.status}`);
  },
});
Deno.serve(app.fetch);
