// Connection tests of first-party provider keys (openai, anthropic, whatsapp), with the app in-process
// so their addresses can point at fake servers: the running stack's function reads them from an
// environment these suites cannot change (the over-HTTP suite, tests/e2e/api-keys.test.ts,
// covers the services whose address the user gives). Real database, real HTTP to the fakes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  createUsers,
  deleteUsers,
  type FakeProvider,
  startFakeProvider,
  testDatabase,
  type TestUser,
  userToken,
} from "../../../../tests/fixtures/index.ts";
import { stackEnv } from "../../../../scripts/test/stack-env.ts";
import { providerEndpointsFromEnv } from "../../_shared/provider-key-check.ts";
import { buildApiApp } from "../app.ts";

const sql = testDatabase();
const logLines: string[] = [];
const goodKey = `sk-good-${crypto.randomUUID()}`;
const badKey = `sk-bad-${crypto.randomUUID()}`;
const fakes: Record<"openai" | "anthropic" | "whatsapp" | "silent", FakeProvider> = {} as never;
let app: ReturnType<typeof buildApiApp>;
let owner: TestUser;
let token: string;
let previousAllowList: string | undefined;

beforeAll(async () => {
  for (const kind of ["openai", "anthropic", "whatsapp", "silent"] as const) {
    fakes[kind] = await startFakeProvider(kind, goodKey);
  }
  // The fakes listen on 127.0.0.1: allow-listed as the local stack allow-lists its own (egress.ts).
  previousAllowList = process.env.EGRESS_ALLOW_PRIVATE;
  process.env.EGRESS_ALLOW_PRIVATE = Object.values(fakes).map((fake) => new URL(fake.url).host).join(",");
  // Configured exactly as index.ts configures the function, from environment variables.
  const env: Record<string, string> = {
    OPENAI_BASE_URL: fakes.openai.url,
    ANTHROPIC_BASE_URL: fakes.anthropic.url,
    WHATSAPP_GRAPH_URL: `${fakes.whatsapp.url}/v21.0`,
    PROVIDER_TEST_TIMEOUT_MS: "800",
  };
  app = buildApiApp({
    sql,
    jwt: { jwtSecret: stackEnv.jwtSecret },
    webOrigins: [],
    providers: providerEndpointsFromEnv((name) => env[name]),
    logSink: (_level, line) => logLines.push(line),
  });
  [owner] = await createUsers(sql, 1, "api-keys-providers");
  token = await userToken(owner);
});

afterAll(async () => {
  if (previousAllowList === undefined) delete process.env.EGRESS_ALLOW_PRIVATE;
  else process.env.EGRESS_ALLOW_PRIVATE = previousAllowList;
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
  await deleteUsers(sql, [owner]);
  await sql.end();
});

async function store(service: string, apiKey: string): Promise<void> {
  const answer = await app.request("/api/v1/api-keys", {
    method: "POST",
    headers: { ...bearer(token), "content-type": "application/json" },
    body: JSON.stringify({ service, api_key: apiKey }),
  });
  expect(answer.status).toBe(201);
}

async function test(service: string): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const answer = await app.request(`/api/v1/api-keys/${service}/test`, { method: "POST", headers: bearer(token) });
  const text = await answer.text();
  return { status: answer.status, body: JSON.parse(text), text };
}

describe("openai keys", () => {
  it("are accepted when OpenAI lists its models for them", async () => {
    await store("openai", goodKey);
    const answer = await test("openai");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      status: 200,
      latency_ms: expect.any(Number),
      outcome: "accepted",
      message: "the provider accepted the key (2 models listed)",
    });
    expect(fakes.openai.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(fakes.openai.requests.at(-1)?.headers.authorization).toBe(`Bearer ${goodKey}`);
  });

  it("are reported refused, with OpenAI's error code but not its message, which quotes the key", async () => {
    await store("openai", badKey);
    const answer = await test("openai");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ok: false,
      status: 401,
      outcome: "refused",
      message: "the provider refused the key (HTTP 401, invalid_api_key)",
    });
    expect(answer.text).not.toContain(badKey);
  });
});

describe("anthropic keys", () => {
  it("are sent as x-api-key with the anthropic-version header, and accepted", async () => {
    await store("anthropic", goodKey);
    const answer = await test("anthropic");
    expect(answer.body).toMatchObject({
      ok: true,
      status: 200,
      outcome: "accepted",
      message: "the provider accepted the key (1 models listed)",
    });
    const request = fakes.anthropic.requests.at(-1);
    expect(request?.headers["x-api-key"]).toBe(goodKey);
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request?.headers.authorization).toBeUndefined();
  });

  it("are reported refused with Anthropic's error type", async () => {
    await store("anthropic", badKey);
    const answer = await test("anthropic");
    expect(answer.body).toMatchObject({
      ok: false,
      status: 401,
      outcome: "refused",
      message: "the provider refused the key (HTTP 401, authentication_error)",
    });
    expect(answer.text).not.toContain(badKey);
  });
});

describe("whatsapp access tokens", () => {
  it("are checked with GET /me on the Graph API version configured", async () => {
    await store("whatsapp", goodKey);
    const answer = await test("whatsapp");
    expect(answer.body).toMatchObject({ ok: true, status: 200, outcome: "accepted", message: "the provider accepted the key" });
    expect(fakes.whatsapp.requests.at(-1)).toMatchObject({ method: "GET", path: "/v21.0/me" });
  });

  it("are reported refused on the Graph API's 400 OAuthException (code 190)", async () => {
    await store("whatsapp", badKey);
    const answer = await test("whatsapp");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ok: false,
      status: 400,
      outcome: "refused",
      message: "the provider refused the key (HTTP 400, 190)",
    });
    expect(answer.text).not.toContain(badKey);
  });
});

describe("a provider that never answers", () => {
  it("times out after PROVIDER_TEST_TIMEOUT_MS with 504", async () => {
    const slow = buildApiApp({
      sql,
      jwt: { jwtSecret: stackEnv.jwtSecret },
      webOrigins: [],
      providers: providerEndpointsFromEnv((name) =>
        ({ OPENAI_BASE_URL: fakes.silent.url, PROVIDER_TEST_TIMEOUT_MS: "500" })[name]
      ),
      logSink: (_level, line) => logLines.push(line),
    });
    await store("openai", goodKey);
    const answer = await slow.request("/api/v1/api-keys/openai/test", { method: "POST", headers: bearer(token) });
    expect(answer.status).toBe(504);
    expect(await answer.json()).toEqual({
      ok: false,
      status: null,
      latency_ms: expect.any(Number),
      outcome: "timed_out",
      message: "timed out",
    });
  });
});

describe("the log", () => {
  it("has a line for every test and never a key", () => {
    expect(logLines.filter((line) => line.includes("/api-keys/") && line.includes("/test")).length)
      .toBeGreaterThanOrEqual(7);
    const everything = logLines.join("\n");
    expect(everything).not.toContain(goodKey);
    expect(everything).not.toContain(badKey);
  });
});
