// The `api` function through the gateway, over real HTTP, as the web app and supabase-js reach it:
// ${FUNCTIONS_URL}/api/v1/... with a user's access token signed as Supabase Auth signs it.
import { SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../scripts/test/stack-env.ts";

const sql = postgres(stackEnv.dbUrl, { max: 1, onnotice: () => {} });
const api = (path: string) => `${stackEnv.functionsUrl}/api/v1${path}`;
const user = { id: crypto.randomUUID(), email: `api-gateway-${process.pid}@example.test` };

async function accessToken(secret = stackEnv.jwtSecret, expiresInSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `${stackEnv.apiUrl}/auth/v1`,
    sub: user.id,
    aud: "authenticated",
    exp: now + expiresInSeconds,
    iat: now,
    email: user.email,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: crypto.randomUUID(),
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

beforeAll(async () => {
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${user.id}, 'authenticated', 'authenticated', ${user.email}, '', now(),
            '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
});

afterAll(async () => {
  await sql`delete from auth.users where id = ${user.id}`;
  await sql.end();
});

describe("the api function through the gateway", () => {
  it("answers GET /api/v1/health without a key", async () => {
    const answer = await fetch(api("/health"));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "ok" });
    expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers GET /api/v1/me for the token's user, read from the database as that user", async () => {
    const answer = await fetch(api("/me"), { headers: { authorization: `Bearer ${await accessToken()}`, apikey: stackEnv.anonKey } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ user: { id: user.id, email: user.email }, memberships: [] });
  });

  it("answers 401 in the API's error shape, not the gateway's, when the token is missing", async () => {
    const answer = await fetch(api("/me"));
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
  });

  it("answers 401 invalid_token for a forged or expired token", async () => {
    const forged = await fetch(api("/me"), { headers: { authorization: `Bearer ${await accessToken("another-secret-that-is-at-least-32-chars")}` } });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe("invalid_token");

    const expired = await fetch(api("/me"), { headers: { authorization: `Bearer ${await accessToken(stackEnv.jwtSecret, -60)}` } });
    expect(expired.status).toBe(401);
    expect((await expired.json()).error.message).toContain("expired");
  });

  it("refuses the anon key where a user is needed", async () => {
    const answer = await fetch(api("/me"), { headers: { authorization: `Bearer ${stackEnv.anonKey}`, apikey: stackEnv.anonKey } });
    expect(answer.status).toBe(401);
    expect((await answer.json()).error.code).toBe("unauthorized");
  });

  it("answers unknown paths in the one error shape", async () => {
    const answer = await fetch(api("/no-such-thing"));
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ error: { code: "not_found", message: "There is no GET /api/v1/no-such-thing." } });
  });

  it("echoes the caller's X-Request-Id", async () => {
    const answer = await fetch(api("/health"), { headers: { "x-request-id": `gateway-test-${process.pid}` } });
    expect(answer.headers.get("x-request-id")).toBe(`gateway-test-${process.pid}`);
  });

  it("answers the web app's CORS preflight without a token", async () => {
    const answer = await fetch(api("/me"), {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:5173", "access-control-request-method": "GET", "access-control-request-headers": "authorization,x-tenant-id" },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173");
    expect(answer.headers.get("access-control-allow-headers")).toContain("x-tenant-id");
  });

  it("refuses a body over 1 MB with 413 payload_too_large", async () => {
    const answer = await fetch(api("/me"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(1024 * 1024 + 1) }),
    });
    expect(answer.status).toBe(413);
    expect((await answer.json()).error.code).toBe("payload_too_large");
  });
});
