// A restarted Realtime carries on from "now": subscribers reconnect and get new broadcasts, and no
// message stored before the restart (delivered or not) is sent again. The service runs in this
// process on its own port against the stack's database, so the shared gateway is left alone.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pathUnder, type GatewayService } from "../gateway/gateway-service.ts";
import { isInstanceName, stackInstance } from "../instances.ts";
import { realtimeService } from "../realtime/realtime-service.ts";
import {
  closeAllClients,
  collectBroadcasts,
  databaseConnection,
  eventually,
  pause,
  realtimeClient,
  type Sql,
  subscribed,
  uniqueTopic,
} from "../../../tests/fixtures/index.ts";

const stackName = process.env.RENUM_STACK ?? "test";
if (!isInstanceName(stackName)) throw new Error(`unknown stack ${stackName}`);
const instance = stackInstance(stackName);

interface RunningRealtime {
  port: number;
  stop(): Promise<void>;
}

async function startRealtime(port = 0): Promise<RunningRealtime> {
  const service: GatewayService = realtimeService({ instance, log: () => {} });
  await service.start?.();
  const server: Server = createServer((incoming, outgoing) => service.handle(incoming, outgoing, pathUnder(service.prefix, incoming.url ?? "/") ?? "/"));
  server.on("upgrade", (incoming, socket, head) => {
    const path = pathUnder(service.prefix, incoming.url ?? "/");
    if (path === null) return socket.destroy();
    service.upgrade!(incoming, socket, head, path);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      await service.stop?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let sql: Sql;
beforeAll(() => {
  sql = databaseConnection();
});
afterEach(closeAllClients);
afterAll(() => sql.end());

describe("restarting Realtime", () => {
  it("does not re-send messages stored before the restart, and delivers the ones after it", async () => {
    const topic = uniqueTopic("restart");
    const send = (label: string) => sql`select realtime.send(jsonb_build_object('label', ${label}::text), 'note', ${topic}, false)`;
    let realtime = await startRealtime();
    const port = realtime.port;
    try {
      const channel = realtimeClient({ url: `http://127.0.0.1:${port}/realtime/v1`, reconnectAfterMs: () => 200 }).channel(topic);
      const received = collectBroadcasts(channel);
      await subscribed(channel);

      await send("before");
      await eventually(() => received.length === 1, 5_000, "the message before the restart");

      await realtime.stop();
      await eventually(() => !channel.socket.isConnected(), 5_000, "the client to notice");
      await send("while-down");
      realtime = await startRealtime(port);

      // The client reconnects and rejoins by itself; a broadcast round-trip shows it is back.
      await eventually(() => channel.state === "joined" && channel.socket.isConnected(), 10_000, "the client to rejoin");
      await pause(300);
      await send("after");
      await eventually(() => received.length >= 2, 5_000, "the message after the restart");
      await pause(300);

      expect(received.map((message) => message.payload.label)).toEqual(["before", "after"]);
    } finally {
      await closeAllClients();
      await realtime.stop();
    }
  });
});
