// The Auth stand-in at /auth/v1 on the wire: the gateway's key check, GoTrue's error shapes for
// bad input, the body size limit, the sign-in rate limit, and what lands in the database.
import { request } from "node:http";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../test/stack-env.ts";
import { uniqueEmail } from "../../../tests/fixtures/index.ts";

const sql = postgres(stackEnv.dbUrl, { max: 2, onnotice: () => {} });
afterAll(() => sql.end());

const auth = (path: string) => `${stackEnv.apiUrl}/auth/v1${path}`;
const withKey = { apikey: stackEnv.anonKey, "content-type": "application/json" };
const current = { ...withKey, "X-Supabase-Api-Version": "2024-01-01" };

async function post(path: string, body: string, headers: Record<string, string> = withKey): Promise<{ status: number; body: any; headers: Headers }> {
  const answer = await fetch(auth(path), { method: "POST", headers, body });
  const text = await answer.text();
  return { status: answer.status, body: text ? JSON.parse(text) : null, headers: answer.headers };
}

async function signUp(label: string, password = "first-password-1"): Promise<{ email: string; password: string; session: any }> {
  const email = uniqueEmail(label);
  const answer = await post("/signup", JSON.stringify({ email, password }));
  expect(answer.status).toBe(200);
  return { email, password, session: answer.body };
}

function signIn(email: string, password: string, headers: Record<string, string> = withKey) {
  return post("/token?grant_type=password", JSON.stringify({ email, password }), headers);
}

/** A body streamed without Content-Length, so the limit must be enforced while reading. */
function postChunked(path: string, size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(auth(path), { method: "POST", headers: withKey }, (answer) => {
      let body = "";
      answer.on("data", (chunk) => (body += chunk));
      answer.on("end", () => resolve({ status: answer.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    const chunk = Buffer.alloc(64 * 1024, "a");
    for (let sent = 0; sent < size; sent += chunk.length) outgoing.write(chunk);
    outgoing.end();
  });
}

async function health(): Promise<number> {
  return (await fetch(auth("/health"), { headers: withKey })).status;
}

describe("the gateway's key check", () => {
  it("wants an API key on every request, as Kong does", async () => {
    const missing = await fetch(auth("/health"));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: "No API key found in request" });

    const forged = await fetch(auth("/settings"), { headers: { apikey: "not-a-key" } });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ message: "Invalid authentication credentials" });

    const bearerOnly = await fetch(auth("/settings"), { headers: { authorization: `Bearer ${stackEnv.anonKey}` } });
    expect(bearerOnly.status).toBe(200);
    expect(await bearerOnly.json()).toMatchObject({ disable_signup: false, mailer_autoconfirm: true, external: { email: true } });
  });

  it("answers CORS preflights without a key", async () => {
    const preflight = await fetch(auth("/token?grant_type=password"), {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", "access-control-request-headers": "apikey,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("apikey,content-type");
  });
});

describe("errors in GoTrue's shapes", () => {
  it("uses the initial shape without X-Supabase-Api-Version and the 2024-01-01 shape with it", async () => {
    const initial = await signIn(uniqueEmail("nobody"), "whatever-1");
    expect(initial.status).toBe(400);
    expect(initial.body).toEqual({ code: 400, error_code: "invalid_credentials", msg: "Invalid login credentials" });
    expect(initial.headers.get("x-supabase-api-version")).toBeNull();

    const dated = await signIn(uniqueEmail("nobody"), "whatever-1", current);
    expect(dated.status).toBe(400);
    expect(dated.body).toEqual({ code: "invalid_credentials", message: "Invalid login credentials" });
    expect(dated.headers.get("x-supabase-api-version")).toBe("2024-01-01");
    expect(dated.headers.get("x-sb-error-code")).toBe("invalid_credentials");
  });

  it("refuses malformed JSON, wrong types and missing fields as GoTrue does", async () => {
    const cases: [string, string, number, string, string][] = [
      ["/token?grant_type=password", '{"email": "a@example.com",', 400, "bad_json", "Could not parse request body as JSON: unexpected end of JSON input"],
      ["/token?grant_type=password", "email=a@example.com", 400, "bad_json", "Could not parse request body as JSON: invalid character 'e' looking for beginning of value"],
      ["/token?grant_type=password", "", 400, "bad_json", "Could not parse request body as JSON: unexpected end of JSON input"],
      ["/token?grant_type=password", "[]", 400, "bad_json", "Could not parse request body as JSON: json: cannot unmarshal array into Go value of type api.PasswordGrantParams"],
      [
        "/token?grant_type=password",
        '{"email": 42, "password": "x"}',
        400,
        "bad_json",
        "Could not parse request body as JSON: json: cannot unmarshal number into Go struct field PasswordGrantParams.email of type string",
      ],
      [
        "/signup",
        '{"email": "a@example.com", "password": "secret-1", "data": "not an object"}',
        400,
        "bad_json",
        "Could not parse request body as JSON: json: cannot unmarshal string into Go struct field SignupParams.data of type map[string]interface {}",
      ],
      ["/token?grant_type=password", '{"password": "x"}', 400, "validation_failed", "missing email or phone"],
      ["/signup", `{"email": "${uniqueEmail("nopassword")}"}`, 400, "validation_failed", "Signup requires a valid password"],
      ["/signup", '{"password": "secret-1"}', 422, "anonymous_provider_disabled", "Anonymous sign-ins are disabled"],
      ["/signup", '{"email": "not-an-address", "password": "secret-1"}', 400, "validation_failed", "Unable to validate email address: invalid format"],
      ["/signup", `{"email": "${uniqueEmail("long")}", "password": "${"x".repeat(73)}"}`, 400, "validation_failed", "Password cannot be longer than 72 characters"],
      ["/token?grant_type=password", '{"phone": "+15550001111", "password": "x"}', 422, "phone_provider_disabled", "Phone logins are disabled"],
      ["/token?grant_type=client_credentials", "{}", 400, "invalid_credentials", "unsupported_grant_type"],
    ];
    for (const [path, body, status, code, message] of cases) {
      const answer = await post(path, body, current);
      expect({ path, body, status: answer.status, answer: answer.body }).toEqual({ path, body, status, answer: { code, message } });
    }
    const noToken = await post("/token?grant_type=refresh_token", "{}", current);
    expect(noToken).toMatchObject({ status: 400, body: { error: "invalid_request", error_description: "refresh_token required" } });
    expect(await health()).toBe(200);
  });

  it("answers bad or missing tokens on /user and /admin like GoTrue", async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ["/user", {}, 401, "no_authorization"],
      ["/user", { authorization: "Bearer not.a.jwt" }, 403, "bad_jwt"],
      ["/user", { authorization: `Bearer ${stackEnv.anonKey}` }, 403, "bad_jwt"],
      ["/admin/users", { authorization: `Bearer ${stackEnv.anonKey}` }, 403, "not_admin"],
      ["/admin/users/not-a-uuid", { authorization: `Bearer ${stackEnv.serviceRoleKey}` }, 404, "validation_failed"],
      ["/admin/users/00000000-0000-4000-8000-000000000999", { authorization: `Bearer ${stackEnv.serviceRoleKey}` }, 404, "user_not_found"],
      ["/admin/users?page=0", { authorization: `Bearer ${stackEnv.serviceRoleKey}` }, 400, "validation_failed"],
    ];
    for (const [path, headers, status, code] of cases) {
      const answer = await fetch(auth(path), { headers: { ...current, ...headers } });
      expect({ path, status: answer.status, code: (await answer.json()).code }).toEqual({ path, status, code });
    }
  });

  it("answers 403 session_not_found once the session has signed out", async () => {
    const { session } = await signUp("gone");
    const bearer = { ...current, authorization: `Bearer ${session.access_token}` };
    expect((await fetch(auth("/logout?scope=local"), { method: "POST", headers: bearer })).status).toBe(204);
    const answer = await fetch(auth("/user"), { headers: bearer });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual({ code: "session_not_found", message: "Session from session_id claim in JWT does not exist" });
  });

  it("refuses an unknown sign-out scope", async () => {
    const { session } = await signUp("scope");
    const bearer = { ...current, authorization: `Bearer ${session.access_token}` };
    const answer = await fetch(auth("/logout?scope=everywhere"), { method: "POST", headers: bearer });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ code: "validation_failed", message: 'Unsupported logout scope "everywhere"' });
    expect((await fetch(auth("/user"), { headers: bearer })).status).toBe(200);
  });

  it("refuses bodies over 1 MB with 413, declared or streamed, and keeps serving", async () => {
    const declared = await post("/signup", JSON.stringify({ email: uniqueEmail("big"), password: "x".repeat(2 * 1024 * 1024) }));
    expect(declared.status).toBe(413);
    expect(declared.body).toEqual({ message: "Request size limit exceeded" });

    const streamed = await postChunked("/token?grant_type=password", 2 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toEqual({ message: "Request size limit exceeded" });

    expect(await health()).toBe(200);
    const { email, password } = await signUp("after-big");
    expect((await signIn(email, password)).status).toBe(200);
  });
});

describe("password sign-in", () => {
  it("takes as long for an unknown email as for a wrong password", async () => {
    const { email } = await signUp("timing");
    const median = async (attempt: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await attempt();
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[2];
    };
    const wrongPassword = await median(() => signIn(email, "not-the-password"));
    const unknownEmail = await median(() => signIn(uniqueEmail("timing-nobody"), "not-the-password"));
    // A bcrypt comparison at cost 10 takes tens of milliseconds; skipping it would show.
    expect(unknownEmail / wrongPassword).toBeGreaterThan(0.5);
    expect(unknownEmail / wrongPassword).toBeLessThan(2);
  });

  it("limits sign-ins per client IP (X-Forwarded-For, as hosted Auth's rate-limit header), not per address", async () => {
    const { email, password } = await signUp("limited");
    const from = (ip: string) => ({ ...current, "X-Forwarded-For": `${ip}, 10.0.0.1` });
    const answers: number[] = [];
    // GoTrue's bucket holds 30 requests and refills at sign_in_sign_ups (30) per 5 minutes.
    for (let i = 0; i < 35; i++) answers.push((await signIn(email, `wrong-${i}`, from("203.0.113.7"))).status);
    expect(answers.slice(0, 30).every((status) => status === 400)).toBe(true);
    expect(answers.at(-1)).toBe(429);
    const limited = await signIn(email, password, from("203.0.113.7"));
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ code: "over_request_rate_limit", message: "Request rate limit reached" });

    // Another client signs in to the same account; a server forwarding its browser's address with
    // Sb-Forwarded-For is keyed by that address, whatever X-Forwarded-For says.
    expect((await signIn(email, password, from("203.0.113.8"))).status).toBe(200);
    expect((await signIn(email, password, { ...from("203.0.113.7"), "Sb-Forwarded-For": "198.51.100.4" })).status).toBe(200);
    // Sign-ups share the bucket.
    const signup = await post("/signup", JSON.stringify({ email: uniqueEmail("limited-signup"), password: "a-password-1" }), from("203.0.113.7"));
    expect(signup.status).toBe(429);
  });
});

describe("what lands in the database", () => {
  it("revokes the refresh token a refresh replaced and chains the new one to it", async () => {
    const { session } = await signUp("chain");
    const refreshed = await post("/token?grant_type=refresh_token", JSON.stringify({ refresh_token: session.refresh_token }));
    expect(refreshed.status).toBe(200);
    const rows = await sql`
      select token, parent, revoked, session_id from auth.refresh_tokens where user_id = ${session.user.id} order by id
    `;
    expect(rows.map(({ token, parent, revoked }) => ({ token, parent, revoked }))).toEqual([
      { token: session.refresh_token, parent: null, revoked: true },
      { token: refreshed.body.refresh_token, parent: session.refresh_token, revoked: false },
    ]);
    expect(new Set(rows.map((row) => row.session_id)).size).toBe(1);
    const [refreshedAt] = await sql`select refreshed_at is not null as refreshed from auth.sessions where id = ${rows[0].session_id}`;
    expect(refreshedAt.refreshed).toBe(true);
  });

  it("writes GoTrue's audit log entries", async () => {
    const { email, password, session } = await signUp("audited");
    await signIn(email, password);
    const entries = await sql`
      select payload->>'action' as action, payload->>'log_type' as log_type, payload->>'actor_username' as username
      from auth.audit_log_entries where payload->>'actor_id' = ${session.user.id} order by created_at
    `;
    expect(entries.map((entry) => entry.action)).toEqual(["user_signedup", "login", "login"]);
    expect(entries[0]).toEqual({ action: "user_signedup", log_type: "team", username: email });
  });

  it("fires triggers on auth.users with the row a sign-up inserts, as on Supabase", async () => {
    const schema = `auth_trigger_probe_${process.pid}`;
    await sql.unsafe(`
      create schema ${schema};
      create table ${schema}.seen (id uuid, email text, full_name text);
      create function ${schema}.remember() returns trigger language plpgsql as $$
      begin
        insert into ${schema}.seen values (new.id, new.email, new.raw_user_meta_data->>'full_name');
        return new;
      end $$;
      create trigger ${schema}_after_insert after insert on auth.users for each row execute function ${schema}.remember();
    `);
    try {
      const email = uniqueEmail("triggered");
      const answer = await post("/signup", JSON.stringify({ email, password: "first-password-1", data: { full_name: "Seen By Trigger" } }));
      expect(answer.status).toBe(200);
      expect(await sql.unsafe(`select id, email, full_name from ${schema}.seen`)).toEqual([
        { id: answer.body.user.id, email, full_name: "Seen By Trigger" },
      ]);
    } finally {
      // postgres does not own auth.users (supabase_auth_admin does), so it cannot drop the trigger by
      // name (hosted Supabase allows that through supautils); dropping its function takes it along.
      await sql.unsafe(`drop schema ${schema} cascade`);
    }
  });
});

describe("admin list headers", () => {
  it("sends X-Total-Count and GoTrue's Link header", async () => {
    await signUp("counted");
    const answer = await fetch(auth("/admin/users?page=1&per_page=1"), { headers: { ...withKey, authorization: `Bearer ${stackEnv.serviceRoleKey}` } });
    expect(answer.status).toBe(200);
    const total = Number(answer.headers.get("x-total-count"));
    expect(total).toBeGreaterThan(1);
    expect(answer.headers.get("link")).toBe(`</admin/users?page=2&per_page=1>; rel="next", </admin/users?page=${total}&per_page=1>; rel="last"`);
    const body = await answer.json();
    expect(body.aud).toBe("authenticated");
    expect(body.users).toHaveLength(1);
  });
});
