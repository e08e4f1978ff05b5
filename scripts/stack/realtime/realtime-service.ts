import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import postgres from "postgres";
import { WebSocketServer } from "ws";
import { dbUrl } from "../instances.ts";
import { activeKeys, type InstanceKeys, signingPublicKey } from "../instance-keys.ts";
import type { GatewayService, ServiceContext } from "../gateway/gateway-service.ts";
import { sendJson } from "../gateway/responses.ts";
import { ChannelHub, tenantTopic } from "./channel-hub.ts";
import { ChannelPolicies } from "./channel-policies.ts";
import { handleBroadcastApi, handleBroadcastLimits } from "./broadcast-api.ts";
import { BroadcastLimits } from "./broadcast-limits.ts";
import { databaseBroadcasts, type DatabaseMessage } from "./database-broadcasts.ts";
import { vsnFromParam } from "./phoenix-frames.ts";
import { closeCodes, RealtimeConnection } from "./realtime-connection.ts";
import type { RealtimeServices } from "./realtime-channel.ts";
import { checkToken, type TokenKeys } from "./realtime-tokens.ts";

// /realtime/v1: the local stand-in for Supabase Realtime, Broadcast and Presence over the Phoenix
// protocol @supabase/realtime-js speaks, at /realtime/v1/websocket?apikey=...&vsn=2.0.0.
// postgres_changes is not provided: joins asking for it get an error reply saying so. The REST
// broadcast (POST /realtime/v1/api/broadcast) is broadcast-api.ts.

// Realtime's default max_payload_size_in_kb; larger frames close the socket (1009).
const maxFrameBytes = 3_000 * 1024;
// Realtime's janitor runs every 4 h (JANITOR_SCHEDULE_TIMER_IN_MS); it keeps partitions 3 days ahead.
const partitionUpkeepMs = 4 * 60 * 60_000;
const apiKeyRoles = new Set(["anon", "service_role"]);

function refuseUpgrade(socket: Duplex, status: string, body: object): void {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/** The request's `x-` headers, which Realtime hands to policies as `request.headers`. */
function forwardedHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (name.startsWith("x-") && typeof value === "string") headers[name] = value;
  }
  return headers;
}

function databaseBroadcast(message: DatabaseMessage) {
  // What Realtime's BatchBroadcast sends for a row of realtime.messages.
  return {
    kind: "message" as const,
    topic: `realtime:${message.topic}`,
    event: "broadcast",
    payload: { type: "broadcast", event: message.event, payload: message.payload, meta: { id: message.id } },
  };
}

export function realtimeService({ instance, log }: ServiceContext): GatewayService {
  const sql = postgres(dbUrl(instance), { max: 8, onnotice: () => {}, connection: { application_name: "renum-realtime" } });
  const hub = new ChannelHub();
  const keys = activeKeys();
  const services: RealtimeServices = { hub, policies: new ChannelPolicies(sql), tokenKeys: {}, log };
  const broadcasts = databaseBroadcasts(sql, (message) => hub.publish(tenantTopic(message.private, message.topic), "broadcast", databaseBroadcast(message)), log);
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  const connections = new Set<RealtimeConnection>();
  const limits = new BroadcastLimits();
  let partitionTimer: NodeJS.Timeout | undefined;

  // As Supabase's Realtime: realtime.messages' daily partitions from yesterday to today+3 when it
  // connects to the database, and every 4 h its janitor drops days older than 72 h and creates them
  // again. There is no DEFAULT partition: a send on a day without one is lost, as on Supabase.
  async function upkeepPartitions(dropOld: boolean): Promise<void> {
    try {
      if (dropOld) await sql`select realtime.drop_old_message_partitions()`;
      await sql`select realtime.ensure_message_partitions()`;
    } catch (error) {
      log(`[realtime] PartitionCreationFailed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function admit(incoming: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const vsn = vsnFromParam(url.searchParams.get("vsn"));
    if (!vsn) return refuseUpgrade(socket, "403 Forbidden", { message: "The client's requested transport version is not supported" });
    const header = incoming.headers.apikey ?? incoming.headers["x-api-key"];
    const apikey = url.searchParams.get("apikey") ?? (typeof header === "string" ? header : null);
    // Kong's key-auth in front of Realtime: only the project's anon and service_role keys (or
    // their successors, the publishable and secret keys) get in.
    if (!apikey) return refuseUpgrade(socket, "401 Unauthorized", { message: "No API key found in request" });
    const check = await checkToken(apikey, services.tokenKeys);
    if (!check.ok || !apiKeyRoles.has(check.claims.role)) return refuseUpgrade(socket, "401 Unauthorized", { message: "Invalid authentication credentials" });
    webSockets.handleUpgrade(incoming, socket, head, (ws) => {
      const connection = new RealtimeConnection(ws, vsn, apikey, forwardedHeaders(incoming), services);
      connections.add(connection);
      ws.on("close", () => connections.delete(connection));
    });
  }

  return {
    prefix: "/realtime/v1",
    handle(incoming, outgoing, pathAfterPrefix) {
      const path = new URL(pathAfterPrefix, "http://local").pathname;
      if (path === "/websocket") return sendJson(outgoing, 400, { message: "This endpoint only accepts WebSocket upgrades" });
      if (path === "/api/broadcast") return handleBroadcastApi(incoming, outgoing, { ...services, tokenKeys: () => services.tokenKeys, limits });
      if (path === "/api/limits") return handleBroadcastLimits(incoming, outgoing, { ...services, tokenKeys: () => services.tokenKeys, limits });
      sendJson(outgoing, 404, { message: "Not found: the local Realtime serves /realtime/v1/websocket and /realtime/v1/api/broadcast only" });
    },
    upgrade(incoming, socket, head, pathAfterPrefix) {
      socket.on("error", () => socket.destroy());
      const url = new URL(pathAfterPrefix, "http://local");
      if (url.pathname !== "/websocket") return refuseUpgrade(socket, "404 Not Found", { message: "no Route matched with those values" });
      admit(incoming, socket, head, url).catch((error) => {
        log(`[realtime] upgrade failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        socket.destroy();
      });
    },
    async start() {
      services.tokenKeys = await tokenKeysOf(keys);
      await upkeepPartitions(false);
      partitionTimer = setInterval(() => void upkeepPartitions(true), partitionUpkeepMs);
      partitionTimer.unref();
      await broadcasts.start();
    },
    async stop() {
      clearInterval(partitionTimer);
      for (const connection of connections) connection.close(closeCodes.goingAway, "server shutting down");
      webSockets.close();
      await broadcasts.stop();
      await sql.end({ timeout: 5 });
    },
  };
}

async function tokenKeysOf(keys: InstanceKeys): Promise<TokenKeys> {
  if (keys.mode === "legacy") return { secret: new TextEncoder().encode(keys.jwtSecret) };
  return {
    publicKey: { kid: keys.signingKey.kid, key: await signingPublicKey(keys) },
    apiKeys: { [keys.publishableKey]: "anon", [keys.secretKey]: "service_role" },
  };
}
