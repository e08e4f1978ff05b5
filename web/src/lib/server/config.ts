// Where Supabase and the `api` function are, read at run time. The names Supabase's guides use
// (PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_PUBLISHABLE_KEY, or the legacy PUBLIC_SUPABASE_ANON_KEY)
// win; the local stack's own (API_URL, PUBLISHABLE_KEY or ANON_KEY, FUNCTIONS_URL, as `npm start`
// and `supabase status -o env` give them for its key system) are the fallback, so the app runs
// unchanged under `npm start` with either key system, the test runner and a production `node build`.
import { env as privateEnv } from "$env/dynamic/private";
import { env as publicEnv } from "$env/dynamic/public";
import type { AnalystDatabase } from "$lib/connection-snippets";

export interface SupabaseConfig {
  /** The project's URL (the gateway): Auth at /auth/v1, functions at /functions/v1. */
  url: string;
  /** The key a client app is built with: the publishable key (`sb_publishable_…`), or the legacy anon key. */
  clientKey: string;
  /** The `api` function's base: `${functionsUrl}/api/v1/...`. */
  functionsUrl: string;
}

export function supabaseConfig(): SupabaseConfig {
  const url = (publicEnv.PUBLIC_SUPABASE_URL || privateEnv.API_URL || "").replace(/\/+$/, "");
  const clientKey = publicEnv.PUBLIC_SUPABASE_PUBLISHABLE_KEY || publicEnv.PUBLIC_SUPABASE_ANON_KEY ||
    privateEnv.PUBLISHABLE_KEY || privateEnv.ANON_KEY || "";
  if (!url || !clientKey) {
    throw new Error(
      "Set PUBLIC_SUPABASE_URL and PUBLIC_SUPABASE_PUBLISHABLE_KEY (or the stack's API_URL and PUBLISHABLE_KEY / ANON_KEY): run the app through `npm start`",
    );
  }
  const functionsUrl = (privateEnv.FUNCTIONS_URL || `${url}/functions/v1`).replace(/\/+$/, "");
  return { url, clientKey, functionsUrl };
}

/**
 * AUTH_FORWARD_CLIENT_IP=true: Auth calls made by this server carry the browser's address in
 * `Sb-Forwarded-For`, so Auth's per-IP sign-in limits count each browser rather than this one
 * server. Turn it on only where the project's Auth honours the header (the local stack's does).
 */
export function forwardsClientIp(): boolean {
  // The process's environment is read as well, at each request: adapter-node fills $env/dynamic
  // from it once at start, and the server tests switch the setting on for one test.
  return (privateEnv.AUTH_FORWARD_CLIENT_IP || process.env.AUTH_FORWARD_CLIENT_IP) === "true";
}

/**
 * Where an analyst's SQL login connects: ANALYST_DB_HOST, ANALYST_DB_PORT, ANALYST_DB_NAME and
 * ANALYST_DB_USER_SUFFIX on hosted Supabase (the pooler: `aws-0-<region>.pooler.supabase.com`, 5432,
 * `postgres`, `.<project ref>`); the local stack's DB_URL otherwise. Null when neither is set: the
 * page then shows the parts to fill in.
 */
export function analystDatabase(): AnalystDatabase | null {
  const read = (name: string) => privateEnv[name] || process.env[name] || "";
  const host = read("ANALYST_DB_HOST");
  if (host) {
    return {
      host,
      port: Number.parseInt(read("ANALYST_DB_PORT"), 10) || 5432,
      database: read("ANALYST_DB_NAME") || "postgres",
      userSuffix: read("ANALYST_DB_USER_SUFFIX"),
    };
  }
  const stackUrl = read("DB_URL");
  if (!stackUrl) return null;
  try {
    const url = new URL(stackUrl);
    return { host: url.hostname, port: Number.parseInt(url.port, 10) || 5432, database: url.pathname.replace(/^\//, "") || "postgres", userSuffix: "" };
  } catch {
    return null;
  }
}
