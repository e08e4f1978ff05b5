// The `api` function's app in Node, through app.request, against the stack's real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../../scripts/test/stack-env.ts";
import {
  bearer,
  createUsers,
  deleteUsers,
  signToken,
  TenantFixtures,
  testDatabase,
  type TestUser,
  userToken,
} from "../../../tests/fixtures/index.ts";
import { buildApiApp } from "./app.ts";

const sql = testDatabase();
const tenants = new TenantFixtures(sql);
const webOrigin = "http://127.0.0.1:5173";
const logLines: string[] = [];
const app = buildApiApp({
  sql,
  jwt: { jwtSecret: stackEnv.jwtSecret },
  webOrigins: [webOrigin, "http://localhost:5173"],
  logSink: (_level, line) => logLines.push(line),
});

let owner: TestUser;
let member: TestUser;
let loner: TestUser;
let firstTenant: string;
let secondTenant: string;

beforeAll(async () => {
  [owner, member, loner] = await createUsers(sql, 3, "api-app");
  await tenants.setup();
  firstTenant = await tenants.tenant([[owner, "owner"], [member, "member"]]);
  secondTenant = await tenants.tenant([[owner, "admin"]]);
});

afterAll(async () => {
  await tenants.cleanup();
  await deleteUsers(sql, [owner, member, loner]);
  await sql.end();
});

describe("GET /api/v1/health", () => {
  it("answers ok without a token", async () => {
    const answer = await app.request("/api/v1/health");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "ok" });
  });
});

describe("GET /api/v1/me", () => {
  it("answers who the token's user is and their memberships, read as that user", async () => {
    const answer = await app.request("/api/v1/me", { headers: bearer(await userToken(owner)) });
    expect(answer.status).toBe(200);
    const body = await answer.json();
    expect(body.user).toEqual({ id: owner.id, email: owner.email });
    expect(body.memberships).toHaveLength(2);
    expect(body.memberships).toEqual(
      expect.arrayContaining([{ tenant_id: firstTenant, role: "owner" }, { tenant_id: secondTenant, role: "admin" }]),
    );
  });

  it("lists only the caller's own memberships, not those of the people in the same tenant", async () => {
    const answer = await app.request("/api/v1/me", { headers: bearer(await userToken(member)) });
    expect(await answer.json()).toEqual({
      user: { id: member.id, email: member.email },
      memberships: [{ tenant_id: firstTenant, role: "member" }],
    });
  });

  it("answers an empty list for a user in no tenant", async () => {
    const answer = await app.request("/api/v1/me", { headers: bearer(await userToken(loner)) });
    expect(await answer.json()).toEqual({ user: { id: loner.id, email: loner.email }, memberships: [] });
  });
});

describe("authentication", () => {
  it("refuses a request without a token with 401 unauthorized in the one shape", async () => {
    const answer = await app.request("/api/v1/me");
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toContain("Bearer");
    expect(await answer.json()).toEqual({
      error: { code: "unauthorized", message: expect.stringContaining("Authorization: Bearer") },
    });
  });

  it("treats another authorization scheme as no token", async () => {
    const answer = await app.request("/api/v1/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.code).toBe("unauthorized");
  });

  it("refuses a token signed with another secret as invalid", async () => {
    const forged = await userToken(owner, {}, { secret: "not-the-project-secret-but-long-enough-to-sign" });
    const answer = await app.request("/api/v1/me", { headers: bearer(forged) });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({
      error: { code: "invalid_token", message: expect.stringContaining("invalid") },
    });
  });

  it("refuses an expired token, saying it expired", async () => {
    const expired = await userToken(owner, {}, { expiresInSeconds: -60 });
    const answer = await app.request("/api/v1/me", { headers: bearer(expired) });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({
      error: { code: "invalid_token", message: expect.stringContaining("expired") },
    });
  });

  it("refuses a token that is not a JWT at all", async () => {
    const answer = await app.request("/api/v1/me", { headers: bearer("not.a.jwt") });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.code).toBe("invalid_token");
  });

  it("refuses a token without an expiry, which Supabase Auth never issues", async () => {
    const token = await signToken({
      ...{ sub: owner.id, role: "authenticated", aud: "authenticated" },
      exp: undefined,
    });
    const answer = await app.request("/api/v1/me", { headers: bearer(token) });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.code).toBe("invalid_token");
  });

  it("refuses the anon key on an endpoint that acts for a user", async () => {
    const answer = await app.request("/api/v1/me", {
      headers: { ...bearer(stackEnv.anonKey), apikey: stackEnv.anonKey },
    });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({
      error: { code: "unauthorized", message: expect.stringContaining("anon key") },
    });
  });

  it("refuses the service role key where a user is needed", async () => {
    const answer = await app.request("/api/v1/me", { headers: bearer(stackEnv.serviceRoleKey) });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.code).toBe("unauthorized");
  });

  it("refuses an authenticated-role token for another audience", async () => {
    const answer = await app.request("/api/v1/me", {
      headers: bearer(await userToken(owner, { aud: "some-other-api" })),
    });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.code).toBe("invalid_token");
  });
});

describe("request ids and logs", () => {
  it("gives every answer an X-Request-Id, keeping a sane one the caller sent", async () => {
    const fresh = await app.request("/api/v1/health");
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const kept = await app.request("/api/v1/health", { headers: { "x-request-id": "trace-1234.abc" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-1234.abc");

    const replaced = await app.request("/api/v1/health", { headers: { "x-request-id": 'evil"\\n{"level":"fake"}' } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts the request id on error answers too", async () => {
    const answer = await app.request("/api/v1/me", { headers: { "x-request-id": "error-trace-1" } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("x-request-id")).toBe("error-trace-1");
  });

  it("writes one JSON line per request with its id, method, path, status and duration, and never the token or body", async () => {
    const token = await userToken(owner);
    logLines.length = 0;
    await app.request("/api/v1/me?secret-query=1", {
      method: "GET",
      headers: { ...bearer(token), "x-request-id": "log-check-1" },
    });
    await app.request("/api/v1/me", {
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json", "x-request-id": "log-check-2" },
      body: JSON.stringify({ password: "hunter2-body-secret" }),
    });
    const entries = logLines.map((line) => JSON.parse(line));
    expect(entries).toContainEqual({
      level: "info",
      msg: "request",
      request_id: "log-check-1",
      method: "GET",
      path: "/api/v1/me",
      status: 200,
      duration_ms: expect.any(Number),
    });
    expect(entries).toContainEqual(expect.objectContaining({ request_id: "log-check-2", method: "POST", status: 405 }));
    const everything = logLines.join("\n");
    expect(everything).not.toContain(token);
    expect(everything).not.toContain("hunter2-body-secret");
    expect(everything).not.toContain("secret-query");
  });
});

describe("CORS", () => {
  it("answers a preflight from the web app without a token, allowing the API's headers", async () => {
    const answer = await app.request("/api/v1/me", {
      method: "OPTIONS",
      headers: {
        origin: webOrigin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-tenant-id",
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe(webOrigin);
    const allowed = answer.headers.get("access-control-allow-headers")?.split(",") ?? [];
    expect(allowed).toEqual(
      expect.arrayContaining([
        "authorization",
        "content-type",
        "x-tenant-id",
        "x-request-id",
        "apikey",
        "x-client-info",
      ]),
    );
    expect(answer.headers.get("access-control-allow-methods")).toContain("POST");
    expect(answer.headers.get("x-request-id")).toBeTruthy();
  });

  it("does not allow an origin that is not the web app's", async () => {
    const answer = await app.request("/api/v1/me", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets the web app read error answers and the request id", async () => {
    const answer = await app.request("/api/v1/me", { headers: { origin: webOrigin } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("access-control-allow-origin")).toBe(webOrigin);
    expect(answer.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
  });
});

describe("unknown routes and methods", () => {
  it("answers an unknown path with 404 not_found in the one shape", async () => {
    const answer = await app.request("/api/v1/nothing-here");
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({
      error: { code: "not_found", message: "There is no GET /api/v1/nothing-here." },
    });
  });

  it("answers a known path with another method with 405 and the Allow header", async () => {
    const answer = await app.request("/api/v1/me", { method: "DELETE", headers: bearer(await userToken(owner)) });
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("GET, HEAD, PATCH");
    expect((await answer.json()).error.code).toBe("method_not_allowed");
  });

  it("refuses a body over 1 MB with 413 before anything reads it", async () => {
    const answer = await app.request("/api/v1/me", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(1024 * 1024) }),
    });
    expect(answer.status).toBe(413);
    expect((await answer.json()).error.code).toBe("payload_too_large");
  });
});

describe("a database that does not answer", () => {
  it("answers 503 database_unavailable without the driver's words", async () => {
    const { default: postgres } = await import("postgres");
    const unreachable = postgres("postgresql://postgres:postgres@127.0.0.1:9/postgres", { max: 1, connect_timeout: 2 });
    const offline = buildApiApp({
      sql: unreachable,
      jwt: { jwtSecret: stackEnv.jwtSecret },
      webOrigins: [],
      logSink: () => {},
    });
    const answer = await offline.request("/api/v1/me", { headers: bearer(await userToken(owner)) });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("5");
    const body = await answer.json();
    expect(body.error.code).toBe("database_unavailable");
    expect(JSON.stringify(body)).not.toContain("ECONNREFUSED");
    await unreachable.end();
  });
});
