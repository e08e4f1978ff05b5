import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../gateway/responses.ts";
import type { BroadcastLimits } from "./broadcast-limits.ts";
import { tenantTopic, type ChannelHub } from "./channel-hub.ts";
import type { ChannelPolicies } from "./channel-policies.ts";
import { checkToken, type TokenKeys } from "./realtime-tokens.ts";

// POST /realtime/v1/api/broadcast: Realtime's REST broadcast (RealtimeWeb.BroadcastController, the
// batch that realtime-js's `send()` falls back to and servers call), with the hosted server's rules:
//   - Kong's key-auth first: an `apikey` of the project (anon or service_role, or their sb_ keys);
//   - the caller is the `Authorization: Bearer` token, else the apikey (RealtimeWeb.AuthTenant), a
//     JWT checked as a channel join checks it; a refused token answers 401;
//   - the body is BatchBroadcast: `messages`, each with `topic`, `event`, an object `payload`, and
//     `private` (default false); an invalid one answers 422 with Ecto's errors and sends nothing;
//   - public messages go out to public channels; private ones are grouped by topic and go out only
//     when the caller's role may insert a broadcast for that topic under the RLS policies on
//     realtime.messages (service_role bypasses RLS), and are dropped silently otherwise;
//   - past the events-per-second limit, 429 `{message}` and nothing sent (broadcast-limits.ts:
//     set per topic by tests, none by default);
//   - 202 with an empty body, whatever was dropped.
// Delivered as Realtime delivers them: `{type: "broadcast", event, payload}` on `realtime:<topic>`
// to every joined channel of that privacy, the same way as a broadcast from the database (which
// also carries `meta.id`, the stored row's id: these are not stored).

// Phoenix's Plug.Parsers default length (8 MB).
const bodyLimitBytes = 8_000_000;

export interface BroadcastApiServices {
  hub: ChannelHub;
  policies: ChannelPolicies;
  tokenKeys: () => TokenKeys;
  log: (line: string) => void;
  limits: BroadcastLimits;
}

interface BatchMessage {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  private: boolean;
}

type FieldErrors = Record<string, string[]>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** BatchBroadcast.changeset: the messages, or Ecto's errors as the FallbackController renders them. */
export function batchMessages(body: unknown): { ok: true; messages: BatchMessage[] } | { ok: false; errors: Record<string, unknown> } {
  if (!isObject(body) || body.messages === undefined || body.messages === null) return { ok: false, errors: { messages: ["can't be blank"] } };
  if (!Array.isArray(body.messages)) return { ok: false, errors: { messages: ["is invalid"] } };
  if (body.messages.length === 0) return { ok: false, errors: { messages: ["can't be blank"] } };
  const messages: BatchMessage[] = [];
  const errors: FieldErrors[] = [];
  let invalid = false;
  for (const item of body.messages) {
    const fieldErrors: FieldErrors = {};
    if (!isObject(item)) {
      invalid = true;
      errors.push({});
      continue;
    }
    for (const field of ["topic", "event"] as const) {
      const value = item[field];
      if (value === undefined || value === null || value === "") fieldErrors[field] = ["can't be blank"];
      else if (typeof value !== "string") fieldErrors[field] = ["is invalid"];
    }
    if (item.payload === undefined || item.payload === null) fieldErrors.payload = ["can't be blank"];
    else if (!isObject(item.payload)) fieldErrors.payload = ["is invalid"];
    if (item.private !== undefined && item.private !== null && typeof item.private !== "boolean") fieldErrors.private = ["is invalid"];
    errors.push(fieldErrors);
    if (Object.keys(fieldErrors).length > 0) {
      invalid = true;
      continue;
    }
    messages.push({ topic: item.topic as string, event: item.event as string, payload: item.payload as Record<string, unknown>, private: item.private === true });
  }
  if (invalid) return { ok: false, errors: { messages: errors } };
  return { ok: true, messages };
}

async function readJson(incoming: IncomingMessage): Promise<{ ok: true; body: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of incoming) {
    length += (chunk as Buffer).length;
    if (length > bodyLimitBytes) {
      incoming.resume();
      return { ok: false, status: 413, message: "Request Entity Too Large" };
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, message: "Bad Request" };
  }
}

/** The request's `x-` headers, which policies see as `request.headers` (as for a channel join). */
function forwardedHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (name.startsWith("x-") && typeof value === "string") headers[name] = value;
  }
  return headers;
}

/** Kong's key-auth, then AuthTenant: the caller's claims, or the refusal already answered. */
async function authenticate(incoming: IncomingMessage, outgoing: ServerResponse, services: BroadcastApiServices) {
  const keys = services.tokenKeys();
  // Kong's key-auth, as for the WebSocket upgrade.
  const apikey = header(incoming, "apikey");
  if (!apikey) return sendJson(outgoing, 401, { message: "No API key found in request" });
  const keyCheck = await checkToken(apikey, keys);
  if (!keyCheck.ok || !["anon", "service_role"].includes(keyCheck.claims.role)) return sendJson(outgoing, 401, { message: "Invalid authentication credentials" });
  // AuthTenant: the bearer token when there is one (an sb_ key there is Kong's to swap for its JWT).
  const bearer = /^bearer\s+(\S+)$/i.exec(header(incoming, "authorization") ?? "")?.[1];
  const token = bearer && !bearer.startsWith("sb_") ? bearer : apikey;
  const caller = await checkToken(token, keys);
  if (!caller.ok) return sendJson(outgoing, 401, { message: "Unauthorized" });
  return caller;
}

export async function handleBroadcastApi(incoming: IncomingMessage, outgoing: ServerResponse, services: BroadcastApiServices): Promise<void> {
  if (incoming.method !== "POST") return sendJson(outgoing, 404, { message: "Not found" });
  const caller = await authenticate(incoming, outgoing, services);
  if (!caller) return;

  const read = await readJson(incoming);
  if (!read.ok) return sendJson(outgoing, read.status, { message: read.message });
  const batch = batchMessages(read.body);
  if (!batch.ok) return sendJson(outgoing, 422, { errors: batch.errors });
  const perTopic = new Map<string, number>();
  for (const message of batch.messages) perTopic.set(message.topic, (perTopic.get(message.topic) ?? 0) + 1);
  const admission = services.limits.admit(perTopic);
  if (!admission.ok) {
    const text = JSON.stringify({ message: admission.message });
    outgoing.writeHead(429, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...(admission.retryAfterSeconds !== undefined ? { "retry-after": String(admission.retryAfterSeconds) } : {}),
    });
    return void outgoing.end(text);
  }

  const deliver = (message: BatchMessage) =>
    services.hub.publish(tenantTopic(message.private, message.topic), "broadcast", {
      kind: "message",
      topic: `realtime:${message.topic}`,
      event: "broadcast",
      payload: { type: "broadcast", event: message.event, payload: message.payload },
    });

  for (const message of batch.messages) if (!message.private) deliver(message);

  const privateByTopic = new Map<string, BatchMessage[]>();
  for (const message of batch.messages) {
    if (!message.private) continue;
    privateByTopic.set(message.topic, [...(privateByTopic.get(message.topic) ?? []), message]);
  }
  const headers = forwardedHeaders(incoming);
  for (const [topic, messages] of privateByTopic) {
    let allowed = false;
    try {
      // A role that bypasses RLS (service_role) passes every probe: the server's own sends cost no transaction.
      allowed = (await services.policies.bypassesRls(caller.claims.role)) || (await services.policies.write({ topic, claims: caller.claims, headers })).broadcastWrite;
    } catch (error) {
      services.log(`[realtime] UnableToSetPolicies on ${topic}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (allowed) for (const message of messages) deliver(message);
  }
  outgoing.writeHead(202, { "content-length": "0" });
  outgoing.end();
}

/** The per-topic limits' test hook (broadcast-limits.ts): PUT, GET and DELETE, with the service key only. */
export async function handleBroadcastLimits(incoming: IncomingMessage, outgoing: ServerResponse, services: BroadcastApiServices): Promise<void> {
  const caller = await authenticate(incoming, outgoing, services);
  if (!caller) return;
  if (caller.claims.role !== "service_role") return sendJson(outgoing, 403, { message: "Forbidden: the service key sets limits" });
  const topicParam = new URL(incoming.url ?? "/", "http://local").searchParams.get("topic");
  if (incoming.method === "PUT") {
    const read = await readJson(incoming);
    if (!read.ok) return sendJson(outgoing, read.status, { message: read.message });
    const body = isObject(read.body) ? read.body : {};
    const max = body.max_events_per_second;
    const retryAfter = body.retry_after_seconds;
    if (typeof body.topic !== "string" || body.topic === "" || !Number.isInteger(max) || (max as number) < 0 ||
      (retryAfter !== undefined && (!Number.isInteger(retryAfter) || (retryAfter as number) < 0))) {
      return sendJson(outgoing, 422, { message: "topic, max_events_per_second (integer ≥ 0) and retry_after_seconds (integer ≥ 0, optional)" });
    }
    services.limits.set(body.topic, { maxEventsPerSecond: max as number, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter as number } : {}) });
    outgoing.writeHead(204);
    return void outgoing.end();
  }
  if (!topicParam) return sendJson(outgoing, 422, { message: "?topic= is required" });
  if (incoming.method === "GET") {
    const stats = services.limits.stats(topicParam);
    return stats ? sendJson(outgoing, 200, stats) : sendJson(outgoing, 404, { message: "no limit on this topic" });
  }
  if (incoming.method === "DELETE") {
    services.limits.clear(topicParam);
    outgoing.writeHead(204);
    return void outgoing.end();
  }
  sendJson(outgoing, 404, { message: "Not found" });
}
