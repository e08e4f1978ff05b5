// Shared by the realtime-*.test.ts suites: official clients pointed at the stack, user tokens as
// Supabase Auth issues them, and waiting for what arrives.
import { randomUUID } from "node:crypto";
import { RealtimeClient, type RealtimeChannel, type RealtimeClientOptions } from "@supabase/realtime-js";
import { SignJWT } from "jose";
import postgres from "postgres";
import WebSocket from "ws";
import { stackEnv } from "../../test/stack-env.ts";

export type Sql = ReturnType<typeof postgres>;

export function databaseConnection(): Sql {
  return postgres(stackEnv.dbUrl, { max: 4, onnotice: () => {} });
}

/** An access token with the claims Supabase Auth puts in one, signed with the project's secret. */
export async function userToken(options: { sub?: string; email?: string; expiresInSeconds?: number; role?: string; secret?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const sub = options.sub ?? randomUUID();
  return new SignJWT({
    aud: "authenticated",
    exp: now + (options.expiresInSeconds ?? 3600),
    iat: now,
    iss: `${stackEnv.apiUrl}/auth/v1`,
    sub,
    email: options.email ?? `${sub}@example.test`,
    phone: "",
    role: options.role ?? "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: randomUUID(),
    is_anonymous: false,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(options.secret ?? stackEnv.jwtSecret));
}

const openClients = new Set<RealtimeClient>();

export function realtimeUrl(base = stackEnv.apiUrl): string {
  return `${base}/realtime/v1`;
}

/** A RealtimeClient as supabase-js builds one (Node 20 has no global WebSocket, so `ws`). */
export function realtimeClient(options: Partial<RealtimeClientOptions> & { url?: string } = {}): RealtimeClient {
  const { url, ...rest } = options;
  const client = new RealtimeClient(url ?? realtimeUrl(), {
    params: { apikey: stackEnv.clientKey },
    transport: WebSocket as unknown as RealtimeClientOptions["transport"],
    ...rest,
  });
  openClients.add(client);
  return client;
}

/** For afterEach: leaves every channel and closes every client the suite opened. */
export async function closeAllClients(): Promise<void> {
  await Promise.all(
    [...openClients].map(async (client) => {
      for (const channel of client.getChannels()) channel.teardown();
      await client.disconnect();
    }),
  );
  openClients.clear();
}

export interface JoinOutcome {
  status: string;
  error?: Error;
}

/** Subscribes and resolves with the first outcome: SUBSCRIBED, CHANNEL_ERROR (with the server's reason), ... */
export function subscribe(channel: RealtimeChannel, timeoutMs = 10_000): Promise<JoinOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    channel.subscribe((status, error) => {
      if (settled) return;
      settled = true;
      resolve({ status, error });
    }, timeoutMs);
  });
}

export async function subscribed(channel: RealtimeChannel): Promise<RealtimeChannel> {
  const outcome = await subscribe(channel);
  if (outcome.status !== "SUBSCRIBED") throw new Error(`expected SUBSCRIBED, got ${outcome.status}: ${outcome.error?.message}`);
  return channel;
}

export async function eventually(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BroadcastReceived {
  type: string;
  event: string;
  payload: Record<string, unknown>;
  meta?: { id: string };
}

/** Collects every broadcast a channel receives (all events). Call before subscribing. */
export function collectBroadcasts(channel: RealtimeChannel): BroadcastReceived[] {
  const received: BroadcastReceived[] = [];
  channel.on("broadcast", { event: "*" }, (message) => received.push(message as BroadcastReceived));
  return received;
}

/** Collects the `system` events a channel receives. Call before subscribing. */
export function collectSystemEvents(channel: RealtimeChannel): { extension: string; status: string; message: string; channel: string }[] {
  const received: { extension: string; status: string; message: string; channel: string }[] = [];
  channel.on("system", {}, (payload) => received.push(payload));
  return received;
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}:${randomUUID()}`;
}
