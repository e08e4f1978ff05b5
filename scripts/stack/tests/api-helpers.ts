// Shared by the api-*.test.ts suites: people who sign up and sign in through the Auth stand-in with
// supabase-js, exactly as the web app does, and call the `api` function through the gateway with
// the session's access token, as the web app's server does.
import { request as httpRequest } from "node:http";
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import postgres from "postgres";
import WebSocket from "ws";
import { stackEnv } from "../../test/stack-env.ts";

// Node 20 has no global WebSocket, which supabase-js's realtime client wants at construction.
type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

export function testDatabase(): postgres.Sql {
  return postgres(stackEnv.dbUrl, { max: 2, prepare: false, onnotice: () => {} });
}

export interface ApiUser {
  id: string;
  email: string;
  password: string;
  /** The access token of the user's session. */
  token: string;
}

let emailCount = 0;

/** A unique address for a suite's person (`label` says who they are in the test). */
export function uniqueEmail(label: string): string {
  return `api-${label}-${process.pid}-${Date.now()}-${emailCount++}@example.com`;
}

function authClient() {
  return createClient(stackEnv.apiUrl, stackEnv.clientKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as unknown as RealtimeTransport },
  });
}

/** Signs a new person up with supabase-js; answers their session's access token. */
export async function signUp(label: string, email = uniqueEmail(label)): Promise<ApiUser> {
  const password = `pw-${label}-${crypto.randomUUID().slice(0, 8)}`;
  const { data, error } = await authClient().auth.signUp({ email, password });
  if (error || !data.session || !data.user) throw new Error(`sign-up of ${email} failed: ${error?.message}`);
  return { id: data.user.id, email, password, token: data.session.access_token };
}

/** Signs in again (a new session); updates the token. */
export async function signIn(user: ApiUser): Promise<ApiUser> {
  const { data, error } = await authClient().auth.signInWithPassword({ email: user.email, password: user.password });
  if (error || !data.session) throw new Error(`sign-in of ${user.email} failed: ${error?.message}`);
  user.token = data.session.access_token;
  return user;
}

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as it is, instead of `body` as JSON (malformed JSON, huge bodies). */
  rawBody?: string;
  tenant?: string;
  headers?: Record<string, string>;
}

/** Every response body the suites received, for the "never answered" checks. */
export const receivedBodies: string[] = [];

/** `method path` on ${FUNCTIONS_URL}/api/v1 as `who` (a user, a raw token, or nobody). */
export async function call<T = any>(
  who: ApiUser | string | null,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = typeof who === "string" ? who : who?.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.tenant) headers["x-tenant-id"] = options.tenant;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers["content-type"] ??= "application/json";
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const answer = await fetch(`${stackEnv.functionsUrl}/api/v1${path}`, { method, headers, body });
  const text = await answer.text();
  receivedBodies.push(text);
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: answer.status, headers: answer.headers, text, body: parsed as T };
}

/**
 * A request on a connection of its own, for bodies the API refuses before reading (over 1 MB): the
 * server may reset such a connection, which must not break the next request of a shared pool.
 */
export function callOnOwnConnection(who: ApiUser, method: string, path: string, body: string): Promise<ApiAnswer> {
  const url = new URL(`${stackEnv.functionsUrl}/api/v1${path}`);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, {
      method,
      agent: false,
      headers: { authorization: `Bearer ${who.token}`, "content-type": "application/json", connection: "close" },
    }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        receivedBodies.push(text);
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
        resolve({ status: incoming.statusCode ?? 0, headers, text, body: text ? JSON.parse(text) : null });
      });
    });
    // The server may answer and close before it has read everything; the answer is what counts.
    outgoing.on("error", (error) => (outgoing.writableEnded ? undefined : reject(error)));
    outgoing.end(body);
  });
}

/** Shorthands that also say, on failure, what the API answered. */
export async function expectStatus<T = any>(answer: Promise<ApiAnswer<T>>, status: number): Promise<T> {
  const settled = await answer;
  if (settled.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${settled.status}: ${settled.text.slice(0, 500)}`);
  }
  return settled.body;
}

/** A company made through the API by `owner`; answers its id. */
export async function createTenant(owner: ApiUser, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const slug = `t-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${crypto.randomUUID().slice(0, 8)}`;
  const tenant = await expectStatus(call(owner, "POST", "/tenants", { body: { name, slug, ...extra } }), 201);
  return tenant.id;
}

/** Adds a member directly (as the database's owner), for suites whose subject is not invitations. */
export async function addMember(sql: postgres.Sql, tenantId: string, user: ApiUser, role: string): Promise<void> {
  await sql`insert into public.memberships (tenant_id, user_id, role) values (${tenantId}, ${user.id}, ${role})`;
}

/** Platform admin is granted by the service side only: here, SQL as postgres. */
export async function makePlatformAdmin(sql: postgres.Sql, user: ApiUser): Promise<void> {
  await sql`update public.profiles set is_platform_admin = true where id = ${user.id}`;
}

/** Removes what a suite made: its tenants first (so no tenant is left without an owner), then its people. */
export async function cleanUp(sql: postgres.Sql, users: ApiUser[]): Promise<void> {
  const ids = users.filter(Boolean).map((user) => user.id);
  if (ids.length === 0) return;
  await sql`
    delete from public.tenants t
    where t.created_by in ${sql(ids)}
       or exists (select 1 from public.memberships m where m.tenant_id = t.id and m.user_id in ${sql(ids)} and m.role = 'owner')`;
  await sql`delete from auth.users where id in ${sql(ids)}`;
}

export const aUuid = () => crypto.randomUUID();
