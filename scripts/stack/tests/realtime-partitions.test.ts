// realtime.messages as hosted Supabase keeps it: daily partitions and no DEFAULT one, so a send on
// a day without a partition is lost with Realtime's warning; the stack's Realtime keeps partitions
// ahead as hosted Realtime does (yesterday to today+3, at start and every 4 h), so a broadcast
// just after midnight is delivered; and a database broadcast over hosted's payload limit is stored
// but not broadcast.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathUnder } from "../gateway/gateway-service.ts";
import { isInstanceName, stackInstance } from "../instances.ts";
import { maxDatabasePayloadBytes } from "../realtime/database-broadcasts.ts";
import { realtimeService } from "../realtime/realtime-service.ts";
import { stackEnv } from "../../test/stack-env.ts";
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

let sql: Sql;
beforeAll(() => {
  sql = databaseConnection();
});
afterEach(closeAllClients);
afterAll(() => sql.end());

class RolledBack extends Error {}

const partitionName = (daysFromToday: number) => {
  const day = new Date(Date.now() + daysFromToday * 86_400_000).toISOString().slice(0, 10);
  return `messages_${day.replaceAll("-", "_")}`;
};

async function partitionExists(name: string): Promise<boolean> {
  const [row] = await sql<{ found: boolean }[]>`select to_regclass(${`realtime.${name}`}) is not null as found`;
  return row.found;
}

describe("realtime.messages partitions", () => {
  it("has none by default, so a send on a day without its partition is lost with hosted Realtime's warning", async () => {
    const notices: postgres.Notice[] = [];
    const session = postgres(stackEnv.dbUrl, { max: 1, prepare: false, onnotice: (notice) => notices.push(notice) });
    const topic = uniqueTopic("no-partition");
    try {
      // Today's partition goes away inside a transaction that is rolled back: as on a day the upkeep missed.
      await session.begin(async (tx) => {
        await tx.unsafe(`alter table realtime.messages detach partition realtime.${partitionName(0)}`);
        await tx`select realtime.send('{"lost": true}'::jsonb, 'probe', ${topic}, false)`;
        const [stored] = await tx<{ count: number }[]>`select count(*)::int from realtime.messages where topic = ${topic}`;
        expect(stored.count).toBe(0);
        throw new RolledBack();
      }).catch((error) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    } finally {
      await session.end();
    }
    expect(notices.map((notice) => [notice.severity, notice.message])).toContainEqual([
      "WARNING",
      'WarnSendingBroadcastMessage: no partition of relation "messages" found for row',
    ]);
  });

  it("are kept from yesterday to today+3 by the stack's Realtime, so a broadcast just after midnight is delivered", async () => {
    // Made at start and every 4 h up to that day's +3: in the hours after a midnight the stack ran
    // through, the newest is today+2 until the next upkeep (as on hosted), so +3 is not asked for.
    for (const day of [-1, 0, 1, 2]) expect(await partitionExists(partitionName(day)), partitionName(day)).toBe(true);
    const topic = uniqueTopic("midnight");
    const channel = realtimeClient().channel(topic);
    const received = collectBroadcasts(channel);
    await subscribed(channel);
    // What realtime.send() stores a quarter of a second after the next midnight (UTC).
    await sql`
      insert into realtime.messages (topic, extension, event, private, payload, inserted_at)
      values (${topic}, 'broadcast', 'after-midnight', false, '{"n": 1}', (current_date + 1)::timestamp + interval '250 milliseconds')`;
    await eventually(() => received.length === 1, 10_000, "the broadcast stored after midnight");
    expect(received[0]).toMatchObject({ event: "after-midnight", payload: { n: 1 } });
    const [row] = await sql<{ partition: string }[]>`select tableoid::regclass::text as partition from realtime.messages where topic = ${topic}`;
    expect(row.partition).toBe(`realtime.${partitionName(1)}`);
  });

  it("are created again by Realtime when it starts, as hosted Realtime does when it connects", async () => {
    // Today+2: there at any hour (see above), and empty.
    const dropped = partitionName(2);
    const [{ rows }] = await sql<{ rows: number }[]>`select count(*)::int as rows from realtime.messages where tableoid = ${`realtime.${dropped}`}::regclass`;
    expect(rows, "the day's partition is still empty").toBe(0);
    await sql.unsafe(`drop table realtime.${dropped}`);
    expect(await partitionExists(dropped)).toBe(false);

    const instance = stackInstance(stackName);
    const service = realtimeService({ instance, log: () => {} });
    await service.start?.();
    await service.stop?.();
    expect(await partitionExists(dropped)).toBe(true);
  });
});

describe("hosted Realtime's payload limit on database broadcasts", () => {
  let server: Server;
  let stopService: () => Promise<void>;
  const logged: string[] = [];

  // A Realtime of its own, in this process, so its log can be read.
  beforeAll(async () => {
    const service = realtimeService({ instance: stackInstance(stackName), log: (line) => logged.push(line) });
    await service.start?.();
    server = createServer((incoming, outgoing) => service.handle(incoming, outgoing, pathUnder(service.prefix, incoming.url ?? "/") ?? "/"));
    server.on("upgrade", (incoming, socket, head) => {
      const path = pathUnder(service.prefix, incoming.url ?? "/");
      if (path === null) return socket.destroy();
      service.upgrade!(incoming, socket, head, path);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    stopService = async () => {
      await service.stop?.();
      await new Promise((resolve) => server.close(resolve));
    };
  });
  afterAll(() => stopService());

  /** A payload {"text": "xxx…"} whose JSON text is exactly `bytes` long. */
  const payloadOfBytes = (bytes: number) => ({ text: "x".repeat(bytes - '{"text": ""}'.length) });

  it("broadcasts a payload at the limit, and stores but does not broadcast one a byte over it", async () => {
    const topic = uniqueTopic("payload-limit");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realtime/v1`;
    const channel = realtimeClient({ url }).channel(topic);
    const received = collectBroadcasts(channel);
    await subscribed(channel);

    // Stored as realtime.send() stores a broadcast, with payloads of known size.
    for (const [event, bytes] of [["too-big", maxDatabasePayloadBytes + 1], ["at-limit", maxDatabasePayloadBytes]] as const) {
      await sql`
        insert into realtime.messages (topic, extension, event, private, payload)
        values (${topic}, 'broadcast', ${event}, false, ${sql.json(payloadOfBytes(bytes))})`;
    }
    await eventually(() => received.length >= 1, 20_000, "the broadcast at the limit");
    await pause(500);
    expect(received.map((message) => message.event)).toEqual(["at-limit"]);

    const stored = await sql<{ event: string; bytes: number }[]>`
      select event, octet_length(payload::text) as bytes from realtime.messages where topic = ${topic} order by event`;
    expect(stored).toEqual([
      { event: "at-limit", bytes: maxDatabasePayloadBytes },
      { event: "too-big", bytes: maxDatabasePayloadBytes + 1 },
    ]);
    expect(logged.filter((line) => line.includes("UnableToBroadcastChanges: :payload_size_exceeded"))).toHaveLength(1);
  });
});
