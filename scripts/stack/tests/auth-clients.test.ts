// The Auth stand-in at /auth/v1 as the official clients use it: @supabase/supabase-js and
// @supabase/ssr, unchanged, against the running stack, with the database checked behind them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServerClient } from "@supabase/ssr";
import { AuthWeakPasswordError, createClient, type Session, type SupabaseClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { decodeJwt, decodeProtectedHeader } from "jose";
import postgres from "postgres";
import { parse } from "smol-toml";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { stackEnv } from "../../test/stack-env.ts";
import { repoRoot } from "../instances.ts";
import { uniqueEmail } from "../../../tests/fixtures/index.ts";

const authConfig = (parse(readFileSync(join(repoRoot, "supabase/config.toml"), "utf8")) as { auth: Record<string, unknown> }).auth;
const sql = postgres(stackEnv.dbUrl, { max: 2, onnotice: () => {} });
afterAll(() => sql.end());

// Node 20 has no global WebSocket, which supabase-js's realtime client wants at construction.
type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;
const realtime = { transport: WebSocket as unknown as RealtimeTransport };
const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime,
};

function anonClient(headers: Record<string, string> = {}): SupabaseClient {
  return createClient(stackEnv.apiUrl, stackEnv.anonKey, { ...clientOptions, global: { headers } });
}

function serviceClient(): SupabaseClient {
  return createClient(stackEnv.apiUrl, stackEnv.serviceRoleKey, clientOptions);
}

async function signedUp(label: string, password = "first-password-1"): Promise<{ email: string; password: string; session: Session }> {
  const email = uniqueEmail(label);
  const { data, error } = await anonClient().auth.signUp({ email, password });
  expect(error).toBeNull();
  return { email, password, session: data.session! };
}

async function signedIn(email: string, password: string): Promise<SupabaseClient> {
  const client = anonClient();
  const { error } = await client.auth.signInWithPassword({ email, password });
  expect(error).toBeNull();
  return client;
}

async function sessionCount(userId: string): Promise<number> {
  const [{ count }] = await sql`select count(*)::int as count from auth.sessions where user_id = ${userId}`;
  return count;
}

describe("sign-up", () => {
  it("creates a confirmed user with a session, stored as Supabase Auth stores it", async () => {
    const email = uniqueEmail("signup");
    const { data, error } = await anonClient().auth.signUp({ email, password: "correct-horse-1", options: { data: { full_name: "Ada L" } } });

    expect(error).toBeNull();
    const { user, session } = data;
    expect(user?.email).toBe(email);
    expect(user?.aud).toBe("authenticated");
    expect(user?.role).toBe("authenticated");
    expect(user?.email_confirmed_at).toBeTruthy();
    expect(user?.confirmed_at).toBe(user?.email_confirmed_at);
    expect(user?.app_metadata).toEqual({ provider: "email", providers: ["email"] });
    expect(user?.user_metadata).toMatchObject({ full_name: "Ada L", email, email_verified: true, sub: user?.id });
    expect(user?.identities?.map((identity) => [identity.provider, identity.id])).toEqual([["email", user?.id]]);
    expect(session?.token_type).toBe("bearer");
    expect(session?.expires_in).toBe(authConfig.jwt_expiry);
    expect(session?.refresh_token).toMatch(/^[a-z2-7]{12}$/);

    const [row] = await sql`
      select encrypted_password, extensions.crypt('correct-horse-1', encrypted_password) = encrypted_password as matches,
             raw_app_meta_data, email_confirmed_at is not null as confirmed
      from auth.users where id = ${user!.id}
    `;
    expect(row.encrypted_password).toMatch(/^\$2a\$10\$/);
    expect(row.matches).toBe(true);
    expect(row.confirmed).toBe(true);
    expect(row.raw_app_meta_data).toEqual({ provider: "email", providers: ["email"] });
    const identities = await sql`select provider, provider_id, identity_data->>'email' as email from auth.identities where user_id = ${user!.id}`;
    expect(identities).toEqual([{ provider: "email", provider_id: user!.id, email }]);
  });

  it("issues an access token with the claims and lifetime Supabase Auth gives it", async () => {
    const { session } = await signedUp("claims");
    const header = decodeProtectedHeader(session.access_token);
    const claims = decodeJwt(session.access_token);

    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(Object.keys(claims)).toEqual([
      "iss", "sub", "aud", "exp", "iat", "email", "phone", "app_metadata", "user_metadata", "role", "aal", "amr", "session_id", "is_anonymous",
    ]);
    expect(claims).toMatchObject({
      iss: `${stackEnv.apiUrl}/auth/v1`,
      sub: session.user.id,
      aud: "authenticated",
      email: session.user.email,
      phone: "",
      role: "authenticated",
      aal: "aal1",
      is_anonymous: false,
      app_metadata: { provider: "email", providers: ["email"] },
    });
    expect(claims.exp! - claims.iat!).toBe(authConfig.jwt_expiry);
    expect(claims.amr).toEqual([{ method: "password", timestamp: expect.any(Number) }]);
    const [session_] = await sql`select user_id, aal::text from auth.sessions where id = ${String(claims.session_id)}`;
    expect(session_).toEqual({ user_id: session.user.id, aal: "aal1" });
  });

  it("refuses an address that is already registered", async () => {
    const { email } = await signedUp("taken");
    const { data, error } = await anonClient().auth.signUp({ email, password: "another-password-2" });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ status: 422, code: "user_already_exists", message: "User already registered" });
  });

  it("refuses a password shorter than minimum_password_length with the reasons", async () => {
    const { error } = await anonClient().auth.signUp({ email: uniqueEmail("weak"), password: "12345" });
    expect(error).toBeInstanceOf(AuthWeakPasswordError);
    expect(error).toMatchObject({ status: 422, code: "weak_password", reasons: ["length"] });
    expect(error?.message).toBe(`Password should be at least ${authConfig.minimum_password_length} characters.`);
  });
});

describe("password sign-in", () => {
  it("signs in with the right password and records the sign-in", async () => {
    const { email, password } = await signedUp("signin");
    const client = anonClient();
    const { data, error } = await client.auth.signInWithPassword({ email, password });

    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
    expect(data.session?.access_token).toBeTruthy();
    const [row] = await sql`select last_sign_in_at is not null as signed_in from auth.users where id = ${data.user!.id}`;
    expect(row.signed_in).toBe(true);
    expect(await sessionCount(data.user!.id)).toBe(2);
  });

  it("answers a wrong password and an unknown email with the same error", async () => {
    const { email } = await signedUp("wrong");
    const wrongPassword = await anonClient().auth.signInWithPassword({ email, password: "not-the-password" });
    const unknownEmail = await anonClient().auth.signInWithPassword({ email: uniqueEmail("nobody"), password: "not-the-password" });

    expect(wrongPassword.data.session).toBeNull();
    expect(wrongPassword.error).toMatchObject({ name: "AuthApiError", status: 400, code: "invalid_credentials", message: "Invalid login credentials" });
    expect(unknownEmail.error).toMatchObject({ name: "AuthApiError", status: 400, code: "invalid_credentials", message: "Invalid login credentials" });
  });
});

describe("sessions", () => {
  it("getUser asks the server for the signed-in user", async () => {
    const { email, password } = await signedUp("getuser");
    const client = await signedIn(email, password);
    const { data, error } = await client.auth.getUser();
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
    expect(data.user?.identities).toHaveLength(1);
  });

  it("rotates refresh tokens, forgives a lost answer, and revokes the session when a spent token comes back later", async () => {
    const { email, password } = await signedUp("refresh");
    const client = await signedIn(email, password);
    const first = (await client.auth.getSession()).data.session!;

    const second = (await client.auth.refreshSession()).data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.access_token).session_id);
    const [spent] = await sql`select revoked from auth.refresh_tokens where token = ${first.refresh_token}`;
    expect(spent.revoked).toBe(true);

    // The parent of the active token, presented again: the client lost the answer, so it gets that answer again.
    const retried = await anonClient().auth.refreshSession({ refresh_token: first.refresh_token });
    expect(retried.error).toBeNull();
    expect(retried.data.session?.refresh_token).toBe(second.refresh_token);

    const third = (await client.auth.refreshSession()).data.session!;
    expect(third.refresh_token).not.toBe(second.refresh_token);

    // After refresh_token_reuse_interval, a spent token that is not the active token's parent is reuse.
    await new Promise((resolve) => setTimeout(resolve, (Number(authConfig.refresh_token_reuse_interval) + 1) * 1000));
    const reused = await anonClient().auth.refreshSession({ refresh_token: first.refresh_token });
    expect(reused.data.session).toBeNull();
    expect(reused.error).toMatchObject({ status: 400, code: "refresh_token_already_used" });

    const current = await anonClient().auth.refreshSession({ refresh_token: third.refresh_token });
    expect(current.data.session).toBeNull();
    expect(current.error).toMatchObject({ status: 400, code: "refresh_token_already_used" });
    const tokens = await sql`
      select revoked from auth.refresh_tokens where session_id = ${String(decodeJwt(first.access_token).session_id)}
    `;
    expect(tokens.map((token) => token.revoked)).toEqual([true, true, true]);
  });

  it("refuses a refresh token it never issued", async () => {
    const { error } = await anonClient().auth.refreshSession({ refresh_token: "neverissued1" });
    expect(error).toMatchObject({ status: 400, code: "refresh_token_not_found" });
  });
});

describe("updating the signed-in user", () => {
  it("merges user_metadata, where null removes a key", async () => {
    const email = uniqueEmail("metadata");
    const client = anonClient();
    await client.auth.signUp({ email, password: "first-password-1", options: { data: { full_name: "Grace", team: "ops" } } });

    const { data, error } = await client.auth.updateUser({ data: { theme: "dark", team: null } });
    expect(error).toBeNull();
    expect(data.user?.user_metadata).toMatchObject({ full_name: "Grace", theme: "dark" });
    expect(data.user?.user_metadata).not.toHaveProperty("team");
    const [row] = await sql`select raw_user_meta_data from auth.users where id = ${data.user!.id}`;
    expect(row.raw_user_meta_data).toMatchObject({ full_name: "Grace", theme: "dark" });
  });

  it("changes the password: the new one signs in, the old one no longer does, other sessions end", async () => {
    const { email, password } = await signedUp("password");
    const here = await signedIn(email, password);
    const elsewhere = await signedIn(email, password);

    const same = await here.auth.updateUser({ password });
    expect(same.error).toMatchObject({ status: 422, code: "same_password" });

    const { error } = await here.auth.updateUser({ password: "second-password-2" });
    expect(error).toBeNull();
    expect((await here.auth.getUser()).error).toBeNull();
    const ended = await elsewhere.auth.getUser();
    expect(ended.data.user).toBeNull();
    expect(ended.error?.name).toBe("AuthSessionMissingError");

    expect((await anonClient().auth.signInWithPassword({ email, password })).error?.code).toBe("invalid_credentials");
    expect((await anonClient().auth.signInWithPassword({ email, password: "second-password-2" })).error).toBeNull();
  });

  it("asks for a new email address to be confirmed before using it", async () => {
    const { email, password } = await signedUp("oldaddress");
    const client = await signedIn(email, password);
    const newEmail = uniqueEmail("newaddress");
    const { data, error } = await client.auth.updateUser({ email: newEmail });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(email);
    expect(data.user?.new_email).toBe(newEmail);
    expect((await anonClient().auth.signInWithPassword({ email: newEmail, password })).error?.code).toBe("invalid_credentials");
  });
});

describe("sign-out", () => {
  it("scope others ends every other session, local ends this one, global ends all", async () => {
    const { email, password, session } = await signedUp("signout");
    const userId = session.user.id;
    const [one, two, three] = [await signedIn(email, password), await signedIn(email, password), await signedIn(email, password)];
    const twoRefreshToken = (await two.auth.getSession()).data.session!.refresh_token;
    expect(await sessionCount(userId)).toBe(4);

    expect(await one.auth.signOut({ scope: "others" })).toEqual({ error: null });
    expect(await sessionCount(userId)).toBe(1);
    expect((await one.auth.getUser()).data.user?.id).toBe(userId);
    expect((await three.auth.getUser()).error?.name).toBe("AuthSessionMissingError");
    expect((await anonClient().auth.refreshSession({ refresh_token: twoRefreshToken })).error?.code).toBe("refresh_token_not_found");

    const four = await signedIn(email, password);
    expect(await one.auth.signOut({ scope: "local" })).toEqual({ error: null });
    expect((await one.auth.getSession()).data.session).toBeNull();
    expect(await sessionCount(userId)).toBe(1);
    expect((await four.auth.getUser()).data.user?.id).toBe(userId);

    await signedIn(email, password);
    expect(await four.auth.signOut()).toEqual({ error: null });
    expect(await sessionCount(userId)).toBe(0);
  });
});

describe("admin API", () => {
  it("creates, reads, updates and deletes users with the service role key", async () => {
    const admin = serviceClient().auth.admin;
    const email = uniqueEmail("admin");
    const created = await admin.createUser({ email, password: "admin-set-1", email_confirm: true, user_metadata: { full_name: "Made By Admin" } });
    expect(created.error).toBeNull();
    const id = created.data.user!.id;
    expect(created.data.user).toMatchObject({ email, email_confirmed_at: expect.any(String), user_metadata: { full_name: "Made By Admin", email_verified: true } });

    const fetched = await admin.getUserById(id);
    expect(fetched.data.user?.email).toBe(email);

    const updated = await admin.updateUserById(id, { password: "admin-set-2", user_metadata: { plan: "team" }, app_metadata: { tenant: "t1" } });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toMatchObject({ full_name: "Made By Admin", plan: "team" });
    expect(updated.data.user?.app_metadata).toEqual({ provider: "email", providers: ["email"], tenant: "t1" });
    const signIn = await anonClient().auth.signInWithPassword({ email, password: "admin-set-2" });
    expect(signIn.error).toBeNull();
    expect(decodeJwt(signIn.data.session!.access_token).app_metadata).toMatchObject({ tenant: "t1" });

    const deleted = await admin.deleteUser(id);
    expect(deleted.error).toBeNull();
    const gone = await admin.getUserById(id);
    expect(gone.error).toMatchObject({ status: 404, code: "user_not_found" });
    expect(await sql`select 1 from auth.users where id = ${id}`).toHaveLength(0);
  });

  it("leaves a user created without email_confirm unable to sign in, and refuses a taken address", async () => {
    const admin = serviceClient().auth.admin;
    const email = uniqueEmail("unconfirmed");
    expect((await admin.createUser({ email, password: "admin-set-1" })).error).toBeNull();
    const signIn = await anonClient().auth.signInWithPassword({ email, password: "admin-set-1" });
    expect(signIn.error).toMatchObject({ status: 400, code: "email_not_confirmed" });
    const again = await admin.createUser({ email, password: "admin-set-1" });
    expect(again.error).toMatchObject({ status: 422, code: "email_exists" });
  });

  it("lists users page by page, newest first, with the total", async () => {
    const admin = serviceClient().auth.admin;
    for (let i = 0; i < 3; i++) await admin.createUser({ email: uniqueEmail("listed"), email_confirm: true });
    const [{ count }] = await sql`select count(*)::int as count from auth.users where aud = 'authenticated'`;

    const first = await admin.listUsers({ page: 1, perPage: 2 });
    expect(first.error).toBeNull();
    expect(first.data.users).toHaveLength(2);
    // (lastPage comes from the Link header, which auth-protocol.test.ts checks: the client reads only its first digit.)
    expect(first.data).toMatchObject({ aud: "authenticated", total: count, nextPage: 2 });
    const second = await admin.listUsers({ page: 2, perPage: 2 });
    expect(second.data.users).toHaveLength(2);
    const ids = [...first.data.users, ...second.data.users].map((user) => user.id);
    expect(new Set(ids).size).toBe(4);
    const createdAt = [...first.data.users, ...second.data.users].map((user) => Date.parse(user.created_at));
    expect([...createdAt].sort((a, b) => b - a)).toEqual(createdAt);
  });

  it("is refused with the anon key and with a user's access token", async () => {
    const asAnon = await anonClient().auth.admin.listUsers();
    expect(asAnon.error).toMatchObject({ status: 403, code: "not_admin" });

    const { session } = await signedUp("notadmin");
    const asUser = anonClient({ Authorization: `Bearer ${session.access_token}` }).auth.admin;
    expect((await asUser.listUsers()).error).toMatchObject({ status: 403, code: "not_admin" });
    expect((await asUser.createUser({ email: uniqueEmail("sneaky") })).error).toMatchObject({ status: 403, code: "not_admin" });
  });
});

describe("@supabase/ssr", () => {
  it("keeps the session in cookies that a second server client reads back", async () => {
    const { email, password, session } = await signedUp("ssr");
    const jar = new Map<string, string>();
    const cookies = {
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      setAll: (changes: { name: string; value: string; options?: { maxAge?: number } }[]) => {
        for (const { name, value, options } of changes) {
          if (value === "" || options?.maxAge === 0) jar.delete(name);
          else jar.set(name, value);
        }
      },
    };
    const serverClient = () => createServerClient(stackEnv.apiUrl, stackEnv.anonKey, { cookies, realtime });

    const { error } = await serverClient().auth.signInWithPassword({ email, password });
    expect(error).toBeNull();
    expect([...jar.keys()].some((name) => name.startsWith("sb-") && name.includes("auth-token"))).toBe(true);

    const { data } = await serverClient().auth.getUser();
    expect(data.user?.id).toBe(session.user.id);

    await serverClient().auth.signOut();
    expect([...jar.keys()].filter((name) => name.includes("auth-token"))).toEqual([]);
    expect((await serverClient().auth.getUser()).data.user).toBeNull();
  });
});
