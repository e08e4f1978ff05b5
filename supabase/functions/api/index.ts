import "../_shared/edge-runtime.d.ts";
import { parseWebOrigins } from "../_shared/cors.ts";
import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { authInvitationMailer } from "../_shared/invitation-mail.ts";
import { projectKeysFromEnv } from "../_shared/project-keys.ts";
import { providerEndpointsFromEnv } from "../_shared/provider-key-check.ts";
import { buildApiApp } from "./app.ts";

const supabaseUrl = requiredEnv("SUPABASE_URL");
const keys = projectKeysFromEnv((name) => Deno.env.get(name));

/**
 * Deletes deleted documents' files from the `documents` bucket as the service (the document rows,
 * which the bucket's policies look at, are gone by then): Storage's bulk delete, 1000 at a time.
 */
async function removeDocumentObjects(paths: string[]): Promise<void> {
  if (!keys.callKey) throw new Error("neither SUPABASE_SECRET_KEYS nor SUPABASE_SERVICE_ROLE_KEY is set");
  // An sb_secret key goes in `apikey` (the gateway turns it into the role's JWT); a legacy key is a JWT itself.
  const headers: Record<string, string> = keys.callKey.startsWith("sb_")
    ? { apikey: keys.callKey }
    : { apikey: keys.callKey, Authorization: `Bearer ${keys.callKey}` };
  for (let start = 0; start < paths.length; start += 1000) {
    const answer = await fetch(`${supabaseUrl}/storage/v1/object/documents`, {
      method: "DELETE",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ prefixes: paths.slice(start, start + 1000) }),
      signal: AbortSignal.timeout(30_000),
    });
    await answer.body?.cancel();
    if (!answer.ok) throw new Error(`Storage answered ${answer.status} to the bulk delete`);
  }
}

/**
 * Wakes the `executor` function after a run starts, in the background: the response does not
 * wait, and a failure is only logged (the database wakes the engine too, and a scheduled job does
 * every minute while runs are in flight).
 */
function kickEngine(): void {
  const log = (message: string, fields: Record<string, unknown>) =>
    console.warn(JSON.stringify({ level: "warn", msg: message, ...fields }));
  if (!keys.callKey) {
    log("engine not woken: neither SUPABASE_SECRET_KEYS nor SUPABASE_SERVICE_ROLE_KEY is set", {});
    return;
  }
  const kick = fetch(`${supabaseUrl}/functions/v1/executor/run`, {
    method: "POST",
    headers: { Authorization: `Bearer ${keys.callKey}` },
    signal: AbortSignal.timeout(10_000),
  })
    .then(async (answer) => {
      await answer.body?.cancel();
      if (!answer.ok) log("engine kick refused", { status: answer.status });
    })
    .catch((error) => log("engine kick failed", { error: String(error) }));
  EdgeRuntime.waitUntil(kick);
}

const app = buildApiApp({
  sql: connectDatabase(requiredEnv("SUPABASE_DB_URL")),
  // Both kinds of user tokens: HS256 with JWT_SECRET (`supabase secrets set JWT_SECRET=...` while the
  // project keeps legacy keys), ES256/RS256 with SUPABASE_JWKS and the JWKS published under SUPABASE_URL.
  jwt: keys,
  webOrigins: parseWebOrigins(Deno.env.get("WEB_ORIGINS")),
  providers: providerEndpointsFromEnv((name) => Deno.env.get(name)),
  functionsUrl: Deno.env.get("PUBLIC_FUNCTIONS_URL") || `${supabaseUrl}/functions/v1`,
  kickEngine,
  // WEB_URL: the web app's address, where invitation links lead (`supabase secrets set WEB_URL=...`);
  // it must be an allowed redirect of the Auth project (site_url or additional_redirect_urls).
  removeDocumentObjects,
  sendInvitationMail: keys.callKey
    ? authInvitationMailer({ supabaseUrl, serviceRoleKey: keys.callKey, webUrl: Deno.env.get("WEB_URL") || parseWebOrigins(Deno.env.get("WEB_ORIGINS"))[0] })
    : undefined,
});
Deno.serve(app.fetch);
