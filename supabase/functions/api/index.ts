import "../_shared/edge-runtime.d.ts";
import { parseWebOrigins } from "../_shared/cors.ts";
import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { authInvitationMailer } from "../_shared/invitation-mail.ts";
import { providerEndpointsFromEnv } from "../_shared/provider-key-check.ts";
import { buildApiApp } from "./app.ts";

const supabaseUrl = requiredEnv("SUPABASE_URL");
const serviceRoleKey = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");

/**
 * Wakes the `executor` function after a run starts, in the background: the response does not
 * wait, and a failure is only logged (the database wakes the engine too, and a scheduled job does
 * every minute while runs are in flight).
 */
function kickEngine(): void {
  const log = (message: string, fields: Record<string, unknown>) =>
    console.warn(JSON.stringify({ level: "warn", msg: message, ...fields }));
  if (!serviceRoleKey) {
    log("engine not woken: SUPABASE_SERVICE_ROLE_KEY is not set", {});
    return;
  }
  const kick = fetch(`${supabaseUrl}/functions/v1/executor/run`, {
    method: "POST",
    headers: { Authorization: `Bearer ${serviceRoleKey}` },
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
  // JWT_SECRET: the local stack, and projects on the legacy secret (`supabase secrets set JWT_SECRET=...`);
  // without it, tokens are verified with the project's JWKS at SUPABASE_URL/auth/v1/.well-known/jwks.json.
  jwt: { jwtSecret: Deno.env.get("JWT_SECRET"), supabaseUrl },
  webOrigins: parseWebOrigins(Deno.env.get("WEB_ORIGINS")),
  providers: providerEndpointsFromEnv((name) => Deno.env.get(name)),
  kickEngine,
  // WEB_URL: the web app's address, where invitation links lead (`supabase secrets set WEB_URL=...`);
  // it must be an allowed redirect of the Auth project (site_url or additional_redirect_urls).
  sendInvitationMail: serviceRoleKey
    ? authInvitationMailer({ supabaseUrl, serviceRoleKey, webUrl: Deno.env.get("WEB_URL") || parseWebOrigins(Deno.env.get("WEB_ORIGINS"))[0] })
    : undefined,
});
Deno.serve(app.fetch);
