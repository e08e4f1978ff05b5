import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { buildMcpApp } from "./app.ts";

const app = buildMcpApp({ sql: connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 4 }) });
Deno.serve(app.fetch);
