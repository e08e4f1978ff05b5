import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { projectKeysFromEnv } from "../_shared/project-keys.ts";
import { buildMcpApp } from "./app.ts";

// Users' access tokens of both kinds, as the api function: HS256 with JWT_SECRET, ES256/RS256 with
// SUPABASE_JWKS and the JWKS published under SUPABASE_URL.
const keys = projectKeysFromEnv((name) => Deno.env.get(name));
const app = buildMcpApp({ sql: connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 4 }), jwt: keys,
  embeddings: { openAiBaseUrl: Deno.env.get("OPENAI_BASE_URL") || "https://api.openai.com" },
});
Deno.serve(app.fetch);
