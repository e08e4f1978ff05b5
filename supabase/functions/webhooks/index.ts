import "../_shared/edge-runtime.d.ts";
import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { buildWebhooksApp } from "./app.ts";

const app = buildWebhooksApp({ sql: connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 8 }) });
Deno.serve(app.fetch);
