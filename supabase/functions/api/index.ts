import { parseWebOrigins } from "../_shared/cors.ts";
import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { providerEndpointsFromEnv } from "../_shared/provider-key-check.ts";
import { buildApiApp } from "./app.ts";

const app = buildApiApp({
  sql: connectDatabase(requiredEnv("SUPABASE_DB_URL")),
  // JWT_SECRET: the local stack, and projects on the legacy secret (`supabase secrets set JWT_SECRET=...`);
  // without it, tokens are verified with the project's JWKS at SUPABASE_URL/auth/v1/.well-known/jwks.json.
  jwt: { jwtSecret: Deno.env.get("JWT_SECRET"), supabaseUrl: requiredEnv("SUPABASE_URL") },
  webOrigins: parseWebOrigins(Deno.env.get("WEB_ORIGINS")),
  providers: providerEndpointsFromEnv((name) => Deno.env.get(name)),
});
Deno.serve(app.fetch);
