// The stack on asymmetric signing keys (`up --keys asymmetric`, instance-keys.ts), as a hosted
// project that moved to signing keys and disabled its legacy ones: Auth signs ES256 and publishes
// its JWKS, apps hold an `sb_publishable_…` key, the project an `sb_secret_…` key, and functions get
// SUPABASE_JWKS / SUPABASE_*_KEYS and no JWT secret. run-all.ts runs this file on the `-asymmetric`
// partner stack (scripts/test/vitest.asymmetric.config.ts), nothing else runs it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createClient } from "@supabase/supabase-js";
import { decodeProtectedHeader, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { stackEnv } from "../../scripts/test/stack-env.ts";
import { repoRoot } from "../../scripts/stack/instances.ts";
import { anonKey as legacyAnonKey, jwtSecret as legacySecret } from "../../scripts/stack/keys.ts";
import {
  call,
  closeAllClients,
  type Company,
  createTeam,
  demoAgent,
  engineDatabase,
  newCompany,
  realtimeClient,
  removeCompanies,
  runFinished,
  startRun,
  subscribe,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 120_000 });

const sql = engineDatabase();
let company: Company;

beforeAll(async () => {
  company = await newCompany(sql, "signing-keys");
});

afterEach(closeAllClients);

afterAll(async () => {
  await removeCompanies(sql, [company]);
  await sql.end();
});

/** supabase-js as an app builds it with one of the project's keys (Node 20 has no global WebSocket). */
function clientWith(key: string) {
  return createClient(stackEnv.apiUrl, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
}

/** The legacy HS256 token a project would have issued before it moved to signing keys. */
function legacyUserToken(userId: string): Promise<string> {
  return new SignJWT({ sub: userId, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime("1h")
    .sign(new TextEncoder().encode(legacySecret));
}

describe("the stack's own account of its keys", () => {
  it("`status -o json` prints the publishable and secret keys, as the CLI does, and no JWT keys", async () => {
    // Not execFileSync: a blocked event loop misses kept-alive sockets closing and the next fetch fails.
    const { stdout } = await promisify(execFile)(
      `${repoRoot}/node_modules/.bin/tsx`,
      ["scripts/stack/cli.ts", "status", "--instance", process.env.RENUM_STACK!, "-o", "json"],
      { cwd: repoRoot, encoding: "utf8" },
    );
    const printed = JSON.parse(stdout);
    expect(printed.PUBLISHABLE_KEY).toMatch(/^sb_publishable_[A-Za-z0-9_-]+$/);
    expect(printed.SECRET_KEY).toMatch(/^sb_secret_[A-Za-z0-9_-]+$/);
    expect(printed).not.toHaveProperty("JWT_SECRET");
    expect(printed).not.toHaveProperty("ANON_KEY");
    expect(printed).not.toHaveProperty("SERVICE_ROLE_KEY");
  });
});

describe("Auth on signing keys", () => {
  it("signs sessions ES256 with the key it publishes at /auth/v1/.well-known/jwks.json", async () => {
    const jwks = await (await fetch(`${stackEnv.apiUrl}/auth/v1/.well-known/jwks.json`)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(jwks.keys[0].d).toBeUndefined();

    const header = decodeProtectedHeader(company.owner.token);
    expect(header).toMatchObject({ alg: "ES256", kid: jwks.keys[0].kid, typ: "JWT" });
  });

  it("lets supabase-js sign in with the publishable key, and no longer accepts the legacy anon key", async () => {
    const client = clientWith(stackEnv.publishableKey);
    const { data, error } = await client.auth.signInWithPassword({ email: company.owner.email, password: company.owner.password });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(company.owner.id);

    const legacy = await fetch(`${stackEnv.apiUrl}/auth/v1/settings`, { headers: { apikey: legacyAnonKey } });
    expect(legacy.status).toBe(401);
  });

  it("lets the secret key use the admin API, as supabase-js sends it", async () => {
    const admin = clientWith(stackEnv.secretKey);
    const { data, error } = await admin.auth.admin.getUserById(company.owner.id);
    expect(error).toBeNull();
    expect(data.user?.email).toBe(company.owner.email);
  });
});

describe("functions on signing keys (no JWT_SECRET, no legacy keys)", () => {
  it("api answers the ES256 user, and refuses the legacy HS256 token and the API keys as users", async () => {
    const me = await call(company.owner, "GET", "/me");
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(company.owner.id);

    for (const token of [await legacyUserToken(company.owner.id), stackEnv.publishableKey, stackEnv.secretKey]) {
      const refused = await call(token, "GET", "/me");
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe("invalid_token");
    }
  });

  it("completes a run: the database kicks the executor through pg_net with the sb_secret key", async () => {
    const agent = await demoAgent(company, "Signing Keys Agent", { reply: "done: {input}" });
    const team = await createTeam(company, { name: "Signing keys team", workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });
    const [{ latest }] = await sql<{ latest: string }[]>`select coalesce(max(id), 0)::text as latest from net._http_response`;

    const started = await startRun(company, team, "hello");
    const run = await runFinished(sql, started.id, 90_000);
    expect(run.status).toBe("completed");

    // The kicks pg_net performed since the start: the executor accepted the database's key.
    const kicks = await sql<{ status_code: number }[]>`
      select status_code from net._http_response where id > ${latest}::bigint order by id`;
    expect(kicks.length).toBeGreaterThan(0);
    expect(kicks.every((kick) => kick.status_code === 202)).toBe(true);
  });

  it("executor refuses a user's ES256 token and accepts the secret key", async () => {
    const run = (key: string) => fetch(`${stackEnv.functionsUrl}/executor/run`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
    const refused = await run(company.owner.token);
    expect(refused.status).toBe(403);
    const accepted = await run(stackEnv.secretKey);
    expect(accepted.status).toBe(202);
  });

  it("executor accepts the secret key sent only as apikey, when the gateway has put a JWT it minted in Authorization", async () => {
    const run = (apikey: string) => fetch(`${stackEnv.functionsUrl}/executor/run`, { method: "POST", headers: { apikey } });
    expect((await run(stackEnv.secretKey)).status).toBe(202);
    // The publishable key gets a minted anon token the same way, and is no service key.
    expect((await run(stackEnv.publishableKey)).status).toBe(403);
  });
});

describe("the mcp function on signing keys", () => {
  const mcpUrl = () => new URL(`${stackEnv.functionsUrl}/mcp`);

  it("acts as the ES256 user (the query tool under RLS), and refuses the legacy HS256 token and the API keys", async () => {
    const client = new Client({ name: "renum-e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { requestInit: { headers: { authorization: `Bearer ${company.owner.token}` } } }));
    try {
      const answer = await client.callTool({ name: "query", arguments: { query: "select id from public.tenants" } });
      expect(answer.isError).not.toBe(true);
      const rows = JSON.parse((answer.content as { text: string }[])[0].text).rows;
      expect(rows).toEqual([{ id: company.tenantId }]);
    } finally {
      await client.close();
    }
    for (const token of [await legacyUserToken(company.owner.id), stackEnv.publishableKey, stackEnv.secretKey]) {
      const refused = await fetch(mcpUrl(), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      expect(refused.status).toBe(401);
      expect((await refused.json()).error.code).toBe("mcp_token_invalid");
    }
  });
});

describe("Realtime on signing keys", () => {
  it("joins a run's private channel with the user's ES256 token, and refuses the legacy HS256 token", async () => {
    const agent = await demoAgent(company, "Realtime Keys Agent");
    const team = await createTeam(company, { name: "Realtime keys team", workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });
    const started = await startRun(company, team, "watch me");
    const topic = `execution:${started.id}`;

    const channelAs = async (token: string) => {
      const client = realtimeClient();
      await client.setAuth(token);
      return client.channel(topic, { config: { private: true } });
    };
    const own = await subscribe(await channelAs(company.owner.token));
    expect(own.status).toBe("SUBSCRIBED");
    const legacy = await subscribe(await channelAs(await legacyUserToken(company.owner.id)));
    expect(legacy.status).toBe("CHANNEL_ERROR");
    await runFinished(sql, started.id, 90_000);
  });
});
