// Private channels: RLS policies on realtime.messages decide who may join (select), send (insert)
// and keep listening when the token changes or expires, with the hosted server's error texts.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  accessToken,
  closeAllClients,
  collectBroadcasts,
  collectSystemEvents,
  databaseConnection,
  eventually,
  pause,
  realtimeClient,
  type Sql,
  subscribe,
  subscribed,
} from "../../../tests/fixtures/index.ts";

let sql: Sql;
// Policies live on the shared realtime.messages; each gets a name unique to this run and is dropped after.
const readPolicy = `realtime test ${process.pid}: users read their own room`;
const writePolicy = `realtime test ${process.pid}: users send to their own room`;

beforeAll(async () => {
  sql = databaseConnection();
  await sql.unsafe(`
    create policy "${readPolicy}" on realtime.messages for select to authenticated
      using ((select realtime.topic()) = 'room:' || (select auth.uid())::text and extension in ('broadcast', 'presence'));
    create policy "${writePolicy}" on realtime.messages for insert to authenticated
      with check ((select realtime.topic()) = 'room:' || (select auth.uid())::text and extension in ('broadcast', 'presence'));`);
});

afterEach(closeAllClients);

afterAll(async () => {
  await sql.unsafe(`drop policy if exists "${readPolicy}" on realtime.messages; drop policy if exists "${writePolicy}" on realtime.messages;`);
  await sql.end();
});

async function clientAs(token: string) {
  const client = realtimeClient();
  await client.setAuth(token);
  return client;
}

const denied = (topic: string) => `You do not have permissions to read from this Channel topic: ${topic}`;

describe("joining a private channel", () => {
  it("admits the user the select policy admits and refuses the other with the hosted server's reason", async () => {
    const ana = randomUUID();
    const room = `room:${ana}`;
    const anaChannel = (await clientAs(await accessToken({ sub: ana }))).channel(room, { config: { private: true } });
    const brunoChannel = (await clientAs(await accessToken())).channel(room, { config: { private: true } });

    const [anaJoin, brunoJoin] = await Promise.all([subscribe(anaChannel), subscribe(brunoChannel)]);

    expect(anaJoin.status).toBe("SUBSCRIBED");
    expect(brunoJoin.status).toBe("CHANNEL_ERROR");
    expect(brunoJoin.error?.message).toBe(`Unauthorized: ${denied(room)}`);
  });

  it("refuses anon, which no policy admits", async () => {
    const room = `room:${randomUUID()}`;
    const outcome = await subscribe(realtimeClient().channel(room, { config: { private: true } }));
    expect(outcome).toMatchObject({ status: "CHANNEL_ERROR" });
    expect(outcome.error?.message).toBe(`Unauthorized: ${denied(room)}`);
  });

  it("delivers a private database broadcast only to the admitted user, not to a public channel of that name", async () => {
    const ana = randomUUID();
    const room = `room:${ana}`;
    const anaChannel = (await clientAs(await accessToken({ sub: ana }))).channel(room, { config: { private: true } });
    const anaReceived = collectBroadcasts(anaChannel);
    const outsider = (await clientAs(await accessToken())).channel(room);
    const outsiderReceived = collectBroadcasts(outsider);
    await Promise.all([subscribed(anaChannel), subscribed(outsider)]);

    await sql`select realtime.send('{"secret": "for ana"}'::jsonb, 'note', ${room})`;

    await eventually(() => anaReceived.length === 1, 5_000, "ana's broadcast");
    expect(anaReceived[0]).toMatchObject({ event: "note", payload: { secret: "for ana" } });
    await pause(200);
    expect(outsiderReceived).toEqual([]);
  });
});

describe("sending on a private channel", () => {
  it("relays and acknowledges a broadcast the insert policy allows", async () => {
    const ana = randomUUID();
    const room = `room:${ana}`;
    const token = await accessToken({ sub: ana });
    const sender = (await clientAs(token)).channel(room, { config: { private: true, broadcast: { ack: true } } });
    const listener = (await clientAs(token)).channel(room, { config: { private: true } });
    const received = collectBroadcasts(listener);
    await Promise.all([subscribed(sender), subscribed(listener)]);

    expect(await sender.send({ type: "broadcast", event: "typing", payload: { on: true } })).toBe("ok");
    await eventually(() => received.length === 1, 5_000, "the relayed broadcast");
    expect(received[0]).toEqual({ type: "broadcast", event: "typing", payload: { on: true } });
  });

  it("drops, without an ack, a broadcast from a user who may read but not insert", async () => {
    const ana = randomUUID();
    const room = `room:${ana}`;
    const readOnly = `realtime test ${process.pid}: anon reads every room`;
    await sql.unsafe(`create policy "${readOnly}" on realtime.messages for select to anon using (true)`);
    try {
      const sender = realtimeClient().channel(room, { config: { private: true, broadcast: { ack: true } } });
      const listener = (await clientAs(await accessToken({ sub: ana }))).channel(room, { config: { private: true } });
      const received = collectBroadcasts(listener);
      await Promise.all([subscribed(sender), subscribed(listener)]);

      expect(await sender.send({ type: "broadcast", event: "spoof", payload: {} }, { timeout: 1_000 })).toBe("timed out");
      expect(received).toEqual([]);
    } finally {
      await sql.unsafe(`drop policy "${readOnly}" on realtime.messages`);
    }
  });
});

describe("the channel's token", () => {
  it("can be refreshed with setAuth before it expires, and the channel keeps receiving", async () => {
    const ana = randomUUID();
    const room = `room:${ana}`;
    const client = await clientAs(await accessToken({ sub: ana, expiresInSeconds: 2 }));
    const channel = client.channel(room, { config: { private: true } });
    const received = collectBroadcasts(channel);
    const system = collectSystemEvents(channel);
    await subscribed(channel);

    await client.setAuth(await accessToken({ sub: ana, expiresInSeconds: 3600 }));
    await pause(3_000);
    await sql`select realtime.send('{"still": "here"}'::jsonb, 'after-refresh', ${room})`;

    await eventually(() => received.length === 1, 5_000, "the broadcast after the refresh");
    expect(channel.state).toBe("joined");
    expect(system).toEqual([]);
  });

  it("closes the channel when setAuth hands it a user the policies refuse", async () => {
    const ana = randomUUID();
    const room = `room:${ana}`;
    const client = await clientAs(await accessToken({ sub: ana }));
    const channel = client.channel(room, { config: { private: true } });
    const system = collectSystemEvents(channel);
    const statuses: string[] = [];
    await new Promise<void>((resolve) =>
      channel.subscribe((status) => {
        statuses.push(status);
        if (status === "SUBSCRIBED") resolve();
      }),
    );

    await client.setAuth(await accessToken());

    await eventually(() => statuses.includes("CLOSED"), 5_000, "the channel to close");
    expect(system).toEqual([{ extension: "system", status: "error", message: denied(room), channel: room }]);
  });

  it("closes the channel with the hosted server's message when the token expires", async () => {
    const ana = randomUUID();
    const room = `room:${ana}`;
    const client = await clientAs(await accessToken({ sub: ana, expiresInSeconds: 2 }));
    const channel = client.channel(room, { config: { private: true } });
    const system = collectSystemEvents(channel);
    const statuses: string[] = [];
    await new Promise<void>((resolve) =>
      channel.subscribe((status) => {
        statuses.push(status);
        if (status === "SUBSCRIBED") resolve();
      }),
    );

    await eventually(() => statuses.includes("CLOSED"), 6_000, "the channel to close at expiry");
    expect(system).toHaveLength(1);
    expect(system[0]).toMatchObject({ extension: "system", status: "error", channel: room });
    expect(system[0].message).toMatch(/^Token has expired \d+ seconds ago$/);
  });
});
