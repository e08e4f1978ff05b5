// Throughput of the local Auth stand-in: password sign-ins and token refreshes, against a bare
// GET /auth/v1/health round trip measured in the same process as the baseline.
//   tsx scripts/bench/auth-throughput.ts [--instance dev|test|work1..] [--requests 200] [--concurrency 10]
// URLs and keys come from API_URL / ANON_KEY / SERVICE_ROLE_KEY when set, else from
// `tsx scripts/stack/cli.ts status --instance <name> -o json` (the stack must be running).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../stack/instances.ts";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const requests = Number(option("--requests", "200"));
const concurrency = Number(option("--concurrency", "10"));
const instance = option("--instance", process.env.RENUM_STACK ?? "dev");

function stackVariables(): { apiUrl: string; anonKey: string; serviceRoleKey: string } {
  // A stack on signing keys has a publishable and a secret key instead of the two JWT keys.
  const fromEnv = {
    apiUrl: process.env.API_URL,
    anonKey: process.env.PUBLISHABLE_KEY || process.env.ANON_KEY,
    serviceRoleKey: process.env.SECRET_KEY || process.env.SERVICE_ROLE_KEY,
  };
  if (fromEnv.apiUrl && fromEnv.anonKey && fromEnv.serviceRoleKey) {
    return { apiUrl: fromEnv.apiUrl, anonKey: fromEnv.anonKey, serviceRoleKey: fromEnv.serviceRoleKey };
  }
  const output = execFileSync(join(repoRoot, "node_modules/.bin/tsx"), [join(repoRoot, "scripts/stack/cli.ts"), "status", "--instance", instance, "-o", "json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const variables = JSON.parse(output) as Record<string, string>;
  return {
    apiUrl: variables.API_URL,
    anonKey: variables.PUBLISHABLE_KEY ?? variables.ANON_KEY,
    serviceRoleKey: variables.SECRET_KEY ?? variables.SERVICE_ROLE_KEY,
  };
}

const { apiUrl, anonKey, serviceRoleKey } = stackVariables();
const headers = { apikey: anonKey, "content-type": "application/json" };

async function call(path: string, init: RequestInit = {}): Promise<Record<string, any>> {
  const answer = await fetch(`${apiUrl}/auth/v1${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${init.method ?? "GET"} ${path} answered ${answer.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

interface Result {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p95: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * `requests` calls spread over `concurrency` workers. Each worker keeps its own state (a refresh
 * token chain for refreshes), made by `prepare` before the clock starts.
 */
async function measure<S>(name: string, prepare: (worker: number) => Promise<S>, once: (state: S) => Promise<S>): Promise<Result> {
  const states = await Promise.all(Array.from({ length: concurrency }, (_, worker) => prepare(worker)));
  const latencies: number[] = [];
  let started = 0;
  const began = performance.now();
  await Promise.all(
    states.map(async (initial) => {
      let state = initial;
      while (started < requests) {
        started++;
        const at = performance.now();
        state = await once(state);
        latencies.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, requestsPerSecond: latencies.length / seconds, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) };
}

const email = `bench-${process.pid}-${Date.now()}@example.com`;
const password = "bench-password-1";
const signIn = () => call("/token?grant_type=password", { method: "POST", body: JSON.stringify({ email, password }) });
const refresh = (token: string) => call("/token?grant_type=refresh_token", { method: "POST", body: JSON.stringify({ refresh_token: token }) });

const { user } = await call("/signup", { method: "POST", body: JSON.stringify({ email, password }) });
try {
  // Warm up connections, the database pool and the JIT.
  for (let i = 0; i < 20; i++) await call("/health");
  for (let i = 0; i < 5; i++) await refresh((await signIn()).refresh_token);

  const baseline = await measure("GET /auth/v1/health (baseline)", async () => null, async (state) => {
    await call("/health");
    return state;
  });
  const signIns = await measure("password sign-in", async () => null, async (state) => {
    await signIn();
    return state;
  });
  const refreshes = await measure(
    "refresh token exchange",
    async () => String((await signIn()).refresh_token),
    async (token) => String((await refresh(token)).refresh_token),
  );

  console.log(`Auth stand-in at ${apiUrl}: ${requests} requests per row, concurrency ${concurrency}\n`);
  console.log(`${"".padEnd(32)}  ${"req/s".padStart(8)}  ${"p50 ms".padStart(8)}  ${"p95 ms".padStart(8)}  ${"p50 / baseline".padStart(14)}`);
  for (const result of [baseline, signIns, refreshes]) {
    console.log(
      `${result.name.padEnd(32)}  ${result.requestsPerSecond.toFixed(1).padStart(8)}  ${result.p50.toFixed(1).padStart(8)}  ${result.p95.toFixed(1).padStart(8)}  ${`${(result.p50 / baseline.p50).toFixed(1)}x`.padStart(14)}`,
    );
  }
} finally {
  await fetch(`${apiUrl}/auth/v1/admin/users/${user.id}`, { method: "DELETE", headers: { ...headers, authorization: `Bearer ${serviceRoleKey}` } });
}
