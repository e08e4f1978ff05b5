import { connectDatabase } from "../_shared/db.ts";
import { requiredEnv } from "../_shared/env.ts";
import { buildHealthApp } from "./app.ts";

const app = buildHealthApp(connectDatabase(requiredEnv("SUPABASE_DB_URL"), { max: 2 }));
Deno.serve(app.fetch);
