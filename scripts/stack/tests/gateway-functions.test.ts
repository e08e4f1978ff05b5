// Edge functions through the gateway, over real HTTP, as a browser or supabase-js would reach them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../test/stack-env.ts";
import { repoRoot } from "../instances.ts";

const probeName = `stack-probe-${process.pid}`;
const probeDir = join(repoRoot, "supabase/functions", probeName);
const probeTemplate = readFileSync(join(import.meta.dirname, "fixtures/probe-function.ts"), "utf8");
const functionsEnvFile = join(repoRoot, "supabase/functions/.env");
const createdEnvFile = !existsSync(functionsEnvFile);

// The probe's imports resolve as every function's do: through a deno.json beside it.
function writeProbe(version: string): void {
  mkdirSync(probeDir, { recursive: true });
  writeFileSync(join(probeDir, "deno.json"), JSON.stringify({ importMap: "../_shared/import_map.json" }));
  writeFileSync(join(probeDir, "index.ts"), probeTemplate.replaceAll("__PROBE_NAME__", probeName).replace("__VERSION__", version));
}

async function signedToken(claims: Record<string, unknown>, secret = stackEnv.jwtSecret): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}

// A function whose bare import is in no configuration deploy uploads (the repository's node_modules has it).
const unbundledName = `stack-probe-unbundled-${process.pid}`;
const unbundledDir = join(repoRoot, "supabase/functions", unbundledName);

const probeUrl = (path: string) => `${stackEnv.functionsUrl}/${probeName}${path}`;
const withAnonKey = { authorization: `Bearer ${stackEnv.anonKey}`, apikey: stackEnv.anonKey };

beforeAll(() => {
  if (createdEnvFile) writeFileSync(functionsEnvFile, "RENUM_PROBE_SETTING=from-dot-env\n");
  writeProbe("version-1");
});

afterAll(() => {
  rmSync(probeDir, { recursive: true, force: true });
  rmSync(unbundledDir, { recursive: true, force: true });
  if (createdEnvFile) rmSync(functionsEnvFile, { force: true });
});

describe("the health function", () => {
  it("answers GET /functions/v1/health without a key, with the Postgres and extension versions of the database", async () => {
    const answer = await fetch(`${stackEnv.functionsUrl}/health`);
    expect(answer.status).toBe(200);
    const report = (await answer.json()) as {
      status: string;
      postgres: { version: string; server_version_num: number };
      extensions: { name: string; version: string; schema: string }[];
    };

    const sql = postgres(stackEnv.dbUrl, { max: 1 });
    const [server] = await sql`select current_setting('server_version') as version`;
    const installed = await sql`select extname as name, extversion as version from pg_extension order by extname`;
    await sql.end();

    expect(report.status).toBe("ok");
    expect(report.postgres.version).toBe(server.version);
    expect(report.postgres.server_version_num).toBeGreaterThanOrEqual(150000);
    expect(report.postgres.server_version_num).toBeLessThan(160000);
    expect(report.extensions.map(({ name, version }) => ({ name, version }))).toEqual(installed.map(({ name, version }) => ({ name, version })));
    const names = report.extensions.map((extension) => extension.name);
    expect(names).toEqual(expect.arrayContaining(["vector", "pgcrypto", "pg_cron"]));
    expect(report.extensions.find((extension) => extension.name === "vector")?.schema).toBe("extensions");
  });

  it("answers an unknown route of the function with the one error shape", async () => {
    const answer = await fetch(`${stackEnv.functionsUrl}/health/nope`);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ error: { code: "not_found", message: expect.stringContaining("/health/nope") } });
  });
});

describe("the gateway", () => {
  it("answers a function that does not exist with Supabase's 404", async () => {
    const answer = await fetch(`${stackEnv.functionsUrl}/no-such-function`, { headers: withAnonKey });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ code: "NOT_FOUND", message: "Requested function was not found" });
  });

  it("answers a path no service claims with Kong's 404", async () => {
    const answer = await fetch(`${stackEnv.apiUrl}/nothing/here`);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ message: "no Route matched with those values" });
  });

  it("refuses a function with verify_jwt (the default) without a valid JWT, before the function runs", async () => {
    const missing = await fetch(probeUrl("/version"));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ code: "UNAUTHORIZED_NO_AUTH_HEADER", message: "Missing authorization header" });

    const forged = await signedToken({ role: "authenticated", sub: crypto.randomUUID() }, "a-different-secret-of-at-least-32-characters");
    const refused = await fetch(probeUrl("/version"), { headers: { authorization: `Bearer ${forged}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ code: "UNAUTHORIZED_INVALID_JWT_FORMAT", message: "Invalid JWT" });
  });

  it("passes the request to the function with its path, body and Authorization header", async () => {
    const userToken = await signedToken({ role: "authenticated", sub: crypto.randomUUID(), aud: "authenticated" });
    const answer = await fetch(probeUrl("/echo?x=1"), {
      method: "POST",
      headers: { authorization: `Bearer ${userToken}`, "content-type": "application/json" },
      body: JSON.stringify({ hello: "mundo", números: [1, 2, 3] }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ path: `/${probeName}/echo`, body: { hello: "mundo", números: [1, 2, 3] }, authorization: `Bearer ${userToken}` });
  });

  it("makes the apikey the bearer when the caller sent no Authorization, as Supabase's gateway does, and keeps a caller's own", async () => {
    const echo = (headers: Record<string, string>) =>
      fetch(probeUrl("/echo"), { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{}" });
    const keyOnly = await echo({ apikey: stackEnv.anonKey });
    expect(keyOnly.status).toBe(200);
    expect((await keyOnly.json()).authorization).toBe(`Bearer ${stackEnv.anonKey}`);

    const userToken = await signedToken({ role: "authenticated", sub: crypto.randomUUID(), aud: "authenticated" });
    const own = await echo({ apikey: stackEnv.anonKey, authorization: `Bearer ${userToken}` });
    expect((await own.json()).authorization).toBe(`Bearer ${userToken}`);
  });

  it("gives the function the environment Supabase gives, plus supabase/functions/.env, and nothing of its own", async () => {
    const answer = await fetch(probeUrl("/env"), { headers: withAnonKey });
    const env = (await answer.json()) as Record<string, unknown> & { all: Record<string, string> };
    expect(env.SUPABASE_URL).toBe(stackEnv.apiUrl);
    expect(env.SUPABASE_ANON_KEY).toBe(stackEnv.anonKey);
    expect(env.SUPABASE_SERVICE_ROLE_KEY).toBe(stackEnv.serviceRoleKey);
    expect(env.SUPABASE_DB_URL).toBe(stackEnv.dbUrl);
    if (createdEnvFile) expect(env.all.RENUM_PROBE_SETTING).toBe("from-dot-env");
    // The project secret the API verifies tokens with, as `supabase secrets set JWT_SECRET=...` gives it.
    expect(env.all.JWT_SECRET).toBe(stackEnv.jwtSecret);
    // The test runner's own variables (API_URL, ...) must not leak into functions.
    expect(env.all.API_URL).toBeUndefined();
  });

  it("streams a function's response as it is produced (server-sent events are not buffered)", async () => {
    const answer = await fetch(probeUrl("/stream"), { headers: withAnonKey });
    expect(answer.headers.get("content-type")).toContain("text/event-stream");
    const reader = answer.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("data: event 1\n\n");
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe("data: event 2\n\ndata: event 3\n\n");
  });

  it("keeps EdgeRuntime.waitUntil work running after the response was sent", async () => {
    const markerFile = join(tmpdir(), `renum-wait-until-${process.pid}-${Date.now()}`);
    const answer = await fetch(probeUrl("/background"), {
      method: "POST",
      headers: { ...withAnonKey, "content-type": "application/json" },
      body: JSON.stringify({ markerFile }),
    });
    expect(answer.status).toBe(202);
    expect(existsSync(markerFile)).toBe(false);
    const finished = await eventually(async () => existsSync(markerFile), (done) => done, 10_000);
    expect(finished).toBe(true);
    expect(readFileSync(markerFile, "utf8")).toBe("finished after the response");
    rmSync(markerFile, { force: true });
  });

  it("picks up a change to a function's file without restarting the stack", async () => {
    const before = await fetch(probeUrl("/version"), { headers: withAnonKey });
    expect(await before.text()).toBe("version-1");
    writeProbe("version-2");
    const after = await eventually(
      async () => (await fetch(probeUrl("/version"), { headers: withAnonKey })).text(),
      (text) => text === "version-2",
    );
    expect(after).toBe("version-2");
  });

  it("refuses to boot a function whose bare import its deno.json does not map, as deploy could not bundle it", async () => {
    mkdirSync(unbundledDir, { recursive: true });
    writeFileSync(join(unbundledDir, "deno.json"), JSON.stringify({ imports: {} }));
    writeFileSync(join(unbundledDir, "index.ts"), `import { Hono } from "hono";\nDeno.serve(new Hono().fetch);\n`);

    const answer = await fetch(`${stackEnv.functionsUrl}/${unbundledName}`, { headers: withAnonKey });

    expect(answer.status).toBe(503);
    expect(await answer.json()).toEqual({ code: "BOOT_ERROR", message: "Function failed to start (please check logs)" });
  });
});
