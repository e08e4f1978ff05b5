// The `api` function's provider keys over HTTP, through the gateway, as people who signed up with
// supabase-js: stored encrypted, answered masked, tested against fake provider servers, and never
// written in full to a response, a log line of the function, or the audit log.
//
// The first-party providers (openai, anthropic, whatsapp) are reached at addresses the function
// reads from its environment, which the running stack fixes; their wire formats are tested with
// the app in-process in supabase/functions/api/routes/api-keys.test.ts. Here the endpoint-bound
// services (openai-compatible, suna, evolution, agent-api) are stored with the address of a fake
// server started by this suite, and tested there only.
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenForFunctions } from "../../scripts/fakes/fake-ports.ts";
import { isInstanceName, stackInstance } from "../../scripts/stack/instances.ts";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  cleanUp,
  createTenant,
  expectStatus,
  type FakeProvider,
  receivedBodies,
  signUp,
  startFakeProvider,
  testDatabase,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
const instanceName = process.env.RENUM_STACK ?? "";
const gatewayLog = isInstanceName(instanceName) ? join(stackInstance(instanceName).logDir, "gateway.log") : "";
let logOffset = 0;

// Every key this suite sends; none may come back or reach a log.
const secrets: string[] = [];
function secret(label: string): string {
  const value = `sk-${label}-${aUuid()}-${aUuid().slice(0, 8)}`;
  secrets.push(value);
  return value;
}

let keeper: ApiUser;
let colleague: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;
const goodKey = secret("good");
const badKey = secret("bad");
const fakes: Record<string, FakeProvider> = {};

// A port of the stack's fake range (which functions may reach) with nothing listening on it.
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenForFunctions(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  if (!gatewayLog) throw new Error("RENUM_STACK must name the stack under test, to read its gateway log");
  logOffset = statSync(gatewayLog).size;
  [keeper, colleague, stranger] = await Promise.all(["keeper", "colleague", "stranger"].map((label) => signUp(label)));
  people.push(keeper, colleague, stranger);
  company = await createTenant(keeper, "Chaves Ltda");
  strangersCompany = await createTenant(stranger, "Estranha SA");
  await addMember(sql, company, colleague, "member");
  for (const kind of ["openai", "suna", "evolution", "agent-api", "silent"] as const) {
    fakes[kind] = await startFakeProvider(kind, goodKey);
  }
});

afterAll(async () => {
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
  await cleanUp(sql, people);
  await sql.end();
});

describe("POST /api-keys and GET /api-keys", () => {
  it("stores a personal key and answers it masked: the last four characters only", async () => {
    const key = secret("openai");
    const answer = await call(keeper, "POST", "/api-keys", { body: { service: "openai", api_key: key } });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(String),
      service: "openai",
      tenant_id: null,
      key_last_four: key.slice(-4),
      endpoint_url: null,
      is_shared: false,
      is_active: true,
      last_used_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(answer.text).not.toContain(key);
    const list = await expectStatus(call(keeper, "GET", "/api-keys"), 200);
    expect(list.items).toEqual([answer.body]);
  });

  it("replaces the key for the same service and scope", async () => {
    const replacement = secret("openai-2");
    const answer = await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "openai", api_key: `  ${replacement}  ` } }), 201);
    expect(answer.key_last_four).toBe(replacement.slice(-4));
    const list = await expectStatus(call(keeper, "GET", "/api-keys"), 200);
    expect(list.items.filter((key: { service: string }) => key.service === "openai")).toEqual([answer]);
    const [{ count }] = await sql`select count(*)::int as count from public.provider_keys where user_id = ${keeper.id} and service = 'openai'`;
    expect(count).toBe(1);
  });

  it("stores a key for one of the caller's companies, listed apart from the personal one", async () => {
    const key = await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "anthropic", api_key: secret("anthropic"), tenant_id: company } }), 201);
    expect(key.tenant_id).toBe(company);
    const scoped = await expectStatus(call(keeper, "GET", `/api-keys?tenant_id=${company}`), 200);
    expect(scoped.items.map((item: { id: string }) => item.id)).toEqual([key.id]);
    // Keys are personal: a colleague in the same company does not see it.
    expect((await expectStatus(call(colleague, "GET", "/api-keys"), 200)).items).toEqual([]);
  });

  it("answers 404 for a company the caller is not in, and stores nothing", async () => {
    const answer = await call(keeper, "POST", "/api-keys", { body: { service: "openai", api_key: secret("foreign"), tenant_id: strangersCompany } });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe("tenant_not_found");
    const [{ count }] = await sql`select count(*)::int as count from public.provider_keys where tenant_id = ${strangersCompany}`;
    expect(count).toBe(0);
  });

  it("refuses bad input with the right 4xx, never repeating the key", async () => {
    const short = secret("s").slice(0, 6);
    const long = secret("l").padEnd(4097, "x");
    secrets.push(long);
    const cases: [unknown, number][] = [
      [{ service: "skynet", api_key: secret("unknown-service") }, 422],
      [{ service: "openai", api_key: short }, 422],
      [{ service: "openai", api_key: long }, 422],
      [{ service: "openai", api_key: 12345678901 }, 422],
      [{ service: "openai" }, 422],
      [{ service: "openai", api_key: secret("extra"), user_id: stranger.id }, 422],
      [{ service: "openai", api_key: secret("bad-tenant"), tenant_id: "acme" }, 422],
      // Endpoint-bound keys need their address; first-party keys take none.
      [{ service: "openai-compatible", api_key: secret("no-endpoint") }, 422],
      [{ service: "suna", api_key: secret("bad-endpoint"), endpoint_url: "javascript:alert(1)" }, 422],
      [{ service: "openai", api_key: secret("own-endpoint"), endpoint_url: "https://proxy.example.com" }, 422],
    ];
    for (const [body, status] of cases) {
      const answer = await call(keeper, "POST", "/api-keys", { body });
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(answer.body.error.code).toBe("validation_failed");
    }
    const malformed = await call(keeper, "POST", "/api-keys", { rawBody: `{"service": "openai", "api_key": "${secret("malformed")}"` });
    expect(malformed.status).toBe(400);
    expect((await call(null, "POST", "/api-keys", { body: { service: "openai", api_key: secret("anonymous") } })).status).toBe(401);
    expect((await call(keeper, "GET", "/api-keys?tenant_id=nope")).status).toBe(422);
  });
});

describe("DELETE /api-keys/:service", () => {
  it("removes the personal key, or with ?tenant_id the company one, and answers 404 when there is none", async () => {
    const endpoint_url = "https://suna.example.com";
    await expectStatus(call(colleague, "POST", "/api-keys", { body: { service: "suna", api_key: secret("suna-personal"), endpoint_url } }), 201);
    await expectStatus(call(colleague, "POST", "/api-keys", { body: { service: "suna", api_key: secret("suna-company"), tenant_id: company, endpoint_url } }), 201);
    expect((await call(colleague, "DELETE", "/api-keys/suna")).status).toBe(204);
    const left = await expectStatus(call(colleague, "GET", "/api-keys"), 200);
    expect(left.items.map((key: { tenant_id: string | null }) => key.tenant_id)).toEqual([company]);
    expect((await call(colleague, "DELETE", "/api-keys/suna")).status).toBe(404);
    expect((await call(keeper, "DELETE", `/api-keys/suna?tenant_id=${company}`)).status).toBe(404);
    expect((await call(colleague, "DELETE", `/api-keys/suna?tenant_id=${company}`)).status).toBe(204);
    expect((await call(colleague, "DELETE", "/api-keys/skynet")).status).toBe(422);
  });
});

describe("POST /api-keys/:service/test", () => {
  it("answers ok with the provider's status and latency when the provider accepts the key", async () => {
    const stored = await expectStatus(
      call(keeper, "POST", "/api-keys", { body: { service: "openai-compatible", api_key: goodKey, endpoint_url: fakes.openai.url } }),
      201,
    );
    expect(stored).toMatchObject({ endpoint_url: fakes.openai.url, is_shared: false });
    const seen = fakes.openai.requests.length;
    const answer = await call(keeper, "POST", "/api-keys/openai-compatible/test");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      status: 200,
      latency_ms: expect.any(Number),
      outcome: "accepted",
      message: expect.stringContaining("2 models"),
    });
    const request = fakes.openai.requests[seen];
    expect(request).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(request.headers.authorization).toBe(`Bearer ${goodKey}`);
    // Another path of the same origin may be named; a base URL that already ends in /v1 is not doubled.
    expect((await expectStatus(call(keeper, "POST", "/api-keys/openai-compatible/test", { body: { base_url: `${fakes.openai.url}/v1` } }), 200)).ok)
      .toBe(true);
  });

  it("sends an endpoint-bound key nowhere but the origin it was stored for", async () => {
    const before = Object.fromEntries(Object.entries(fakes).map(([kind, fake]) => [kind, fake.requests.length]));
    for (const elsewhere of [fakes.suna.url, fakes.silent.url, `${fakes.openai.url.replace("127.0.0.1", "localhost")}`, `http://127.0.0.1:${await closedPort()}`]) {
      const answer = await call(keeper, "POST", "/api-keys/openai-compatible/test", { body: { base_url: elsewhere } });
      expect(answer.status, elsewhere).toBe(422);
      expect(answer.body.error.details[0]).toMatchObject({ path: "base_url", message: expect.stringContaining(new URL(fakes.openai.url).origin) });
    }
    for (const [kind, fake] of Object.entries(fakes)) expect(fake.requests.length, kind).toBe(before[kind]);
  });

  it("answers 200 with ok false when the provider refuses the key, without its words (which quote the key)", async () => {
    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "openai-compatible", api_key: badKey, endpoint_url: fakes.openai.url } }), 201);
    const answer = await call(keeper, "POST", "/api-keys/openai-compatible/test");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: false,
      status: 401,
      latency_ms: expect.any(Number),
      outcome: "refused",
      message: expect.stringContaining("invalid_api_key"),
    });
    expect(answer.text).not.toContain("Incorrect API key provided");
    expect(answer.text).not.toContain(badKey);
  });

  it("tests suna and evolution keys at the address they were stored for, with their own headers", async () => {
    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "suna", api_key: goodKey, endpoint_url: fakes.suna.url } }), 201);
    const suna = await expectStatus(call(keeper, "POST", "/api-keys/suna/test"), 200);
    expect(suna).toMatchObject({ ok: true, status: 200 });
    expect(fakes.suna.requests.at(-1)?.headers["x-api-key"]).toBe(goodKey);
    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "evolution", api_key: badKey, endpoint_url: fakes.evolution.url } }), 201);
    const evolution = await expectStatus(call(keeper, "POST", "/api-keys/evolution/test"), 200);
    expect(evolution).toMatchObject({ ok: false, status: 401 });
  });

  it("tests agent-api keys at the agents endpoint they were stored for, whatever the company's setting says now", async () => {
    const endpoint_url = `${fakes["agent-api"].url}/agents`;
    await expectStatus(call(keeper, "PATCH", `/tenants/${company}/settings`, { body: { agents_endpoint_url: endpoint_url } }), 200);
    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "agent-api", api_key: goodKey, tenant_id: company, endpoint_url } }), 201);
    const scoped = await expectStatus(call(keeper, "POST", `/api-keys/agent-api/test?tenant_id=${company}`), 200);
    expect(scoped).toMatchObject({ ok: true, status: 200 });
    expect(fakes["agent-api"].requests.at(-1)).toMatchObject({ method: "GET", path: "/agents" });

    // The company's endpoint moves elsewhere: the key is still tested only where it was stored for.
    await expectStatus(call(keeper, "PATCH", `/tenants/${company}/settings`, { body: { agents_endpoint_url: `${fakes.silent.url}/agents` } }), 200);
    const silentBefore = fakes.silent.requests.length;
    expect(await expectStatus(call(keeper, "POST", `/api-keys/agent-api/test?tenant_id=${company}`), 200)).toMatchObject({ ok: true });
    expect(fakes.silent.requests.length).toBe(silentBefore);

    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "agent-api", api_key: badKey, endpoint_url } }), 201);
    const personal = await call(keeper, "POST", "/api-keys/agent-api/test");
    expect(personal.status).toBe(200);
    expect(personal.body).toMatchObject({ ok: false, status: 401 });
  });

  it("answers 504 with ok false, 'timed out', when the provider never answers", async () => {
    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "openai-compatible", api_key: goodKey, endpoint_url: fakes.silent.url } }), 201);
    const started = Date.now();
    const answer = await call(keeper, "POST", "/api-keys/openai-compatible/test", { body: { timeout_ms: 1000 } });
    expect(answer.status).toBe(504);
    expect(answer.body).toEqual({ ok: false, status: null, latency_ms: expect.any(Number), outcome: "timed_out", message: "timed out" });
    expect(answer.body.latency_ms).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fakes.silent.requests.length).toBeGreaterThan(0);
  });

  it("answers 502 with ok false when the provider cannot be reached", async () => {
    const endpoint_url = `http://127.0.0.1:${await closedPort()}`;
    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "openai-compatible", api_key: goodKey, endpoint_url } }), 201);
    const answer = await call(keeper, "POST", "/api-keys/openai-compatible/test");
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ ok: false, status: null });
  });

  it("refuses what cannot be tested: no key (404), an address for a first-party provider (422)", async () => {
    const noKey = await call(stranger, "POST", "/api-keys/anthropic/test");
    expect(noKey.status).toBe(404);
    expect(noKey.body.error.code).toBe("not_found");
    // An openai key only ever goes to OpenAI: the fake is not called.
    const calls = fakes.openai.requests.length;
    const redirected = await call(keeper, "POST", "/api-keys/openai/test", { body: { base_url: fakes.openai.url } });
    expect(redirected.status).toBe(422);
    expect(redirected.body.error.details[0].path).toBe("base_url");
    expect(fakes.openai.requests.length).toBe(calls);
    expect((await call(keeper, "POST", "/api-keys/openai-compatible/test", { body: { timeout_ms: 10 } })).status).toBe(422);
    expect((await call(keeper, "POST", "/api-keys/openai-compatible/test", { body: { base_url: "javascript:alert(1)" } })).status).toBe(422);
    await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "z-api", api_key: secret("z-api") } }), 201);
    const zApi = await call(keeper, "POST", "/api-keys/z-api/test");
    expect(zApi.status).toBe(422);
    expect(zApi.body.error.code).toBe("test_unavailable");
  });

  it("records each decryption in the audit log and the key's last use", async () => {
    const [key] = await sql`
      select id, last_used_at from public.provider_keys where user_id = ${keeper.id} and service = 'suna' and tenant_id is null`;
    expect(key.last_used_at).not.toBeNull();
    const decrypts = await sql`
      select actor_id, after from public.audit_log where table_name = 'provider_keys' and action = 'decrypt' and record_id = ${key.id}`;
    expect(decrypts).toEqual([{ actor_id: keeper.id, after: { service: "suna", purpose: "connection test", key_owner_id: keeper.id, shared: false } }]);
  });
});

describe("GET /api-keys/company and PUT /api-keys/:id/sharing", () => {
  it("lets owners and admins see the company's keys, masked, and share one with the company's runs", async () => {
    const stored = await expectStatus(
      call(colleague, "POST", "/api-keys", { body: { service: "anthropic", api_key: secret("colleague-anthropic"), tenant_id: company } }),
      201,
    );
    const listed = await expectStatus(call(keeper, "GET", `/api-keys/company?tenant_id=${company}`), 200);
    const entry = listed.items.find((item: { id: string }) => item.id === stored.id);
    expect(entry).toMatchObject({ service: "anthropic", is_shared: false, key_last_four: stored.key_last_four, owner: { id: colleague.id } });

    const refused = await call(colleague, "PUT", `/api-keys/${stored.id}/sharing`, { body: { shared: true } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("provider_key_share_forbidden");
    expect((await call(colleague, "GET", `/api-keys/company?tenant_id=${company}`)).status).toBe(403);
    expect((await call(stranger, "GET", `/api-keys/company?tenant_id=${company}`)).status).toBe(404);
    expect((await call(stranger, "PUT", `/api-keys/${stored.id}/sharing`, { body: { shared: true } })).status).toBe(404);

    const shared = await expectStatus(call(keeper, "PUT", `/api-keys/${stored.id}/sharing`, { body: { shared: true } }), 200);
    expect(shared).toMatchObject({ id: stored.id, is_shared: true });
    const own = await expectStatus(call(colleague, "GET", `/api-keys?tenant_id=${company}`), 200);
    expect(own.items.find((item: { id: string }) => item.id === stored.id)?.is_shared).toBe(true);

    const personal = await expectStatus(call(keeper, "POST", "/api-keys", { body: { service: "anthropic", api_key: secret("keeper-personal") } }), 201);
    const never = await call(keeper, "PUT", `/api-keys/${personal.id}/sharing`, { body: { shared: true } });
    expect(never.status).toBe(422);
    expect(never.body.error.details[0].path).toBe("is_shared");
    expect((await call(keeper, "PUT", `/api-keys/${stored.id}/sharing`, { body: { shared: "yes" } })).status).toBe(422);
    expect((await call(keeper, "PUT", `/api-keys/${aUuid()}/sharing`, { body: { shared: true } })).status).toBe(404);
    // The key stays its owner's: they remove it, shared or not.
    expect((await call(colleague, "DELETE", `/api-keys/anthropic?tenant_id=${company}`)).status).toBe(204);
  });
});

describe("a suspended company", () => {
  it("keeps its keys but takes no new ones and removes none until reactivated", async () => {
    await expectStatus(call(colleague, "POST", "/api-keys", { body: { service: "whatsapp", api_key: secret("wa"), tenant_id: company } }), 201);
    await sql`update public.tenants set status = 'suspended' where id = ${company}`;
    try {
      const refused = await call(colleague, "POST", "/api-keys", { body: { service: "openai", api_key: secret("late"), tenant_id: company } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain("suspended");
      expect((await call(colleague, "DELETE", `/api-keys/whatsapp?tenant_id=${company}`)).status).toBe(403);
      expect((await expectStatus(call(colleague, "GET", `/api-keys?tenant_id=${company}`), 200)).items).toHaveLength(1);
      // Personal keys are not the company's.
      expect((await call(colleague, "POST", "/api-keys", { body: { service: "openai", api_key: secret("personal") } })).status).toBe(201);
    } finally {
      await sql`update public.tenants set status = 'active' where id = ${company}`;
    }
  });
});

describe("no provider key is ever given back", () => {
  it("appears in no response body", () => {
    expect(receivedBodies.length).toBeGreaterThan(30);
    const everything = receivedBodies.join("\n");
    for (const value of secrets) expect(everything).not.toContain(value);
  });

  it("appears in no line of the gateway's log, which carries the function's output", async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const log = readFileSync(gatewayLog, "utf8").slice(logOffset);
    expect(log).toContain("/api/v1/api-keys/openai-compatible/test");
    for (const value of secrets) expect(log).not.toContain(value);
    for (const value of secrets) expect(log).not.toContain(value.slice(3, 20));
  });

  it("appears in no audit entry, where the ciphertext column is redacted, nor in the stored row", async () => {
    const ids = people.map((person) => person.id);
    const entries = await sql`
      select before::text as before, after::text as after from public.audit_log
      where table_name = 'provider_keys' and actor_id in ${sql(ids)}`;
    expect(entries.length).toBeGreaterThan(5);
    const text = entries.map((entry) => `${entry.before} ${entry.after}`).join("\n");
    for (const value of secrets) expect(text).not.toContain(value);
    expect(text).toContain('"encrypted_key": "[redacted]"');
    const rows = await sql`select encode(encrypted_key, 'escape') as stored from public.provider_keys where user_id in ${sql(ids)}`;
    for (const row of rows) for (const value of secrets) expect(row.stored).not.toContain(value);
  });
});
