// Realtime Broadcast through the gateway, spoken by the official client: client to client (with the
// `self` and `ack` options), and from the database with realtime.send() / realtime.broadcast_changes().
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
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

let sql: Sql;
const testSchema = `realtime_broadcast_test_${process.pid}`;

beforeAll(async () => {
  sql = databaseConnection();
  await sql.unsafe(`
    create schema ${testSchema};
    create table ${testSchema}.runs (id int primary key, status text not null);
    create function ${testSchema}.broadcast_run_changes() returns trigger language plpgsql as $$
    begin
      perform realtime.broadcast_changes('run:' || coalesce(new.id, old.id), tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
      return null;
    end $$;
    create trigger broadcast_run_changes after insert or update or delete on ${testSchema}.runs
      for each row execute function ${testSchema}.broadcast_run_changes();`);
});

afterEach(closeAllClients);

afterAll(async () => {
  await sql.unsafe(`drop schema if exists ${testSchema} cascade`);
  await sql.end();
});

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

describe("broadcast between clients", () => {
  it("works through supabase-js, as the web app uses it", async () => {
    const supabase = createClient(stackEnv.apiUrl, stackEnv.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as unknown as RealtimeTransport },
    });
    const topic = uniqueTopic("room");
    const channel = supabase.channel(topic, { config: { broadcast: { self: true, ack: true } } });
    const received = collectBroadcasts(channel);
    try {
      await subscribed(channel);
      expect(await channel.send({ type: "broadcast", event: "hello", payload: { from: "supabase-js" } })).toBe("ok");
      await sql`select realtime.send('{"from": "sql"}'::jsonb, 'hello', ${topic}, false)`;
      await eventually(() => received.length === 2, 5_000, "both broadcasts");
      expect(received.map((message) => message.payload.from)).toEqual(["supabase-js", "sql"]);
    } finally {
      await supabase.removeAllChannels();
    }
  });

  it("reaches the other subscribers of the topic, and acknowledges the send when asked to", async () => {
    const topic = uniqueTopic("room");
    const sender = realtimeClient().channel(topic, { config: { broadcast: { ack: true } } });
    const senderReceived = collectBroadcasts(sender);
    const listener = realtimeClient().channel(topic);
    const listenerReceived = collectBroadcasts(listener);
    await Promise.all([subscribed(sender), subscribed(listener)]);

    const answer = await sender.send({ type: "broadcast", event: "cursor", payload: { x: 3, y: 4 } });

    expect(answer).toBe("ok");
    await eventually(() => listenerReceived.length === 1, 5_000, "the broadcast");
    expect(listenerReceived[0]).toEqual({ type: "broadcast", event: "cursor", payload: { x: 3, y: 4 } });
    await pause(200);
    expect(senderReceived).toEqual([]);
  });

  it("comes back to the sender too with `self`", async () => {
    const topic = uniqueTopic("room");
    const channel = realtimeClient().channel(topic, { config: { broadcast: { self: true } } });
    const received = collectBroadcasts(channel);
    await subscribed(channel);

    expect(await channel.send({ type: "broadcast", event: "echo", payload: { text: "olá 👋" } })).toBe("ok");

    await eventually(() => received.length === 1, 5_000, "the echo");
    expect(received[0]).toEqual({ type: "broadcast", event: "echo", payload: { text: "olá 👋" } });
  });

  it("does not cross between a public and a private channel of the same name", async () => {
    const topic = uniqueTopic("room");
    const publicChannel = realtimeClient().channel(topic, { config: { broadcast: { self: true } } });
    const serviceClient = realtimeClient();
    await serviceClient.setAuth(stackEnv.serviceRoleKey);
    const privateChannel = serviceClient.channel(topic, { config: { private: true } });
    const privateReceived = collectBroadcasts(privateChannel);
    const publicReceived = collectBroadcasts(publicChannel);
    await Promise.all([subscribed(publicChannel), subscribed(privateChannel)]);

    await publicChannel.send({ type: "broadcast", event: "public-only", payload: {} });

    await eventually(() => publicReceived.length === 1, 5_000, "the public echo");
    await pause(200);
    expect(privateReceived).toEqual([]);
  });

  it("works with the 1.0.0 serializer, and between 1.0.0 and 2.0.0 clients", async () => {
    const topic = uniqueTopic("room");
    const oldClient = realtimeClient({ vsn: "1.0.0" }).channel(topic);
    const oldReceived = collectBroadcasts(oldClient);
    const newClient = realtimeClient().channel(topic);
    const newReceived = collectBroadcasts(newClient);
    await Promise.all([subscribed(oldClient), subscribed(newClient)]);

    await oldClient.send({ type: "broadcast", event: "from-v1", payload: { n: 1 } });
    await newClient.send({ type: "broadcast", event: "from-v2", payload: { n: 2 } });
    await sql`select realtime.send('{"n": 3}'::jsonb, 'from-db', ${topic}, false)`;

    await eventually(() => oldReceived.length === 2 && newReceived.length === 2, 5_000, "both broadcasts");
    expect(newReceived[0]).toEqual({ type: "broadcast", event: "from-v1", payload: { n: 1 } });
    expect(oldReceived[0]).toEqual({ type: "broadcast", event: "from-v2", payload: { n: 2 } });
    expect(oldReceived[1]).toMatchObject({ type: "broadcast", event: "from-db", payload: { n: 3 } });
    expect(newReceived[1]).toMatchObject({ type: "broadcast", event: "from-db", payload: { n: 3 } });
  });
});

describe("broadcast from the database", () => {
  it("delivers realtime.send() as the hosted server does: {type, event, payload with its id, meta.id}", async () => {
    const topic = uniqueTopic("execution");
    const channel = realtimeClient().channel(topic);
    const received = collectBroadcasts(channel);
    await subscribed(channel);

    await sql`select realtime.send('{"step": "planning"}'::jsonb, 'progress', ${topic}, false)`;

    await eventually(() => received.length === 1, 5_000, "the database broadcast");
    const [stored] = await sql<{ id: string }[]>`select id from realtime.messages where topic = ${topic}`;
    expect(received[0]).toEqual({
      type: "broadcast",
      event: "progress",
      payload: { step: "planning", id: stored.id },
      meta: { id: stored.id },
    });
  });

  it("delivers realtime.broadcast_changes() with {old_record, record, operation, table, schema}", async () => {
    const client = realtimeClient();
    await client.setAuth(stackEnv.serviceRoleKey);
    const channel = client.channel("run:41", { config: { private: true } });
    const received = collectBroadcasts(channel);
    await subscribed(channel);

    await sql.unsafe(`insert into ${testSchema}.runs values (41, 'queued')`);
    await sql.unsafe(`update ${testSchema}.runs set status = 'running' where id = 41`);
    await sql.unsafe(`delete from ${testSchema}.runs where id = 41`);

    await eventually(() => received.length === 3, 5_000, "three row changes");
    expect(received.map((message) => message.event)).toEqual(["INSERT", "UPDATE", "DELETE"]);
    expect(received[1]).toEqual({
      type: "broadcast",
      event: "UPDATE",
      payload: {
        id: received[1].meta!.id,
        operation: "UPDATE",
        schema: testSchema,
        table: "runs",
        record: { id: 41, status: "running" },
        old_record: { id: 41, status: "queued" },
      },
      meta: { id: received[1].meta!.id },
    });
    expect(received[0].payload).toMatchObject({ operation: "INSERT", old_record: null, record: { id: 41, status: "queued" } });
    expect(received[2].payload).toMatchObject({ operation: "DELETE", record: null, old_record: { id: 41, status: "running" } });
  });

  it("keeps the order of a topic: 50 sends in one transaction, 50 in separate ones, and a large one among them", async () => {
    const topic = uniqueTopic("ordered");
    const channel = realtimeClient().channel(topic);
    const received = collectBroadcasts(channel);
    await subscribed(channel);

    await sql`select realtime.send(jsonb_build_object('n', n), 'tick', ${topic}, false) from generate_series(1, 50) as n`;
    // Far past a NOTIFY payload's 8000 bytes, so it is read back from the table in its turn.
    const large = "x".repeat(20_000);
    // Pipelined on one connection: 50 transactions, committed one after another.
    const connection = await sql.reserve();
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => {
        const n = 51 + index;
        const payload = n === 75 ? { n, large } : { n };
        return connection`select realtime.send(${connection.json(payload)}::jsonb, 'tick', ${topic}, false)`;
      }),
    );
    connection.release();

    await eventually(() => received.length === 100, 10_000, "100 broadcasts");
    expect(received.map((message) => message.payload.n)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(received[74].payload.large).toBe(large);
  });

  it("reaches 200 concurrent subscribers, each once", async () => {
    const topic = uniqueTopic("fanout");
    const channels = Array.from({ length: 200 }, () => realtimeClient().channel(topic));
    const receivedBy = channels.map((channel) => collectBroadcasts(channel));
    await Promise.all(channels.map((channel) => subscribed(channel)));

    await sql`select realtime.send('{"hello": "everyone"}'::jsonb, 'announcement', ${topic}, false)`;

    await eventually(() => receivedBy.every((received) => received.length === 1), 10_000, "all 200 subscribers");
    await pause(200);
    expect(receivedBy.every((received) => received.length === 1 && received[0].payload.hello === "everyone")).toBe(true);
  });

  it("sends nothing for rows that are not broadcasts, nor for rolled-back sends", async () => {
    const topic = uniqueTopic("quiet");
    const channel = realtimeClient().channel(topic);
    const received = collectBroadcasts(channel);
    await subscribed(channel);

    await sql`insert into realtime.messages (topic, extension) values (${topic}, 'broadcast')`;
    await sql
      .begin(async (tx) => {
        await tx`select realtime.send('{"n": 1}'::jsonb, 'never', ${topic}, false)`;
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await sql`select realtime.send('{"n": 2}'::jsonb, 'marker', ${topic}, false)`;

    await eventually(() => received.length === 1, 5_000, "the marker");
    await pause(200);
    expect(received.map((message) => message.event)).toEqual(["marker"]);
  });
});
