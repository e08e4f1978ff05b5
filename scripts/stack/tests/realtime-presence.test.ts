// Presence (who is watching a run), through RealtimePresence of the official client: track, untrack,
// the state a late joiner receives, and leaving by disconnecting.
import { randomUUID } from "node:crypto";
import type { RealtimeChannel } from "@supabase/realtime-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  accessToken,
  closeAllClients,
  databaseConnection,
  eventually,
  realtimeClient,
  type Sql,
  subscribed,
  uniqueTopic,
} from "../../../tests/fixtures/index.ts";

let sql: Sql;
const presencePolicy = `realtime test ${process.pid}: users see who watches their run`;

beforeAll(async () => {
  sql = databaseConnection();
  await sql.unsafe(`
    create policy "${presencePolicy}" on realtime.messages for select to authenticated
      using ((select realtime.topic()) = 'watch:' || (select auth.uid())::text and extension = 'broadcast');`);
});

afterEach(closeAllClients);

afterAll(async () => {
  await sql.unsafe(`drop policy if exists "${presencePolicy}" on realtime.messages`);
  await sql.end();
});

function watcher(topic: string, key: string): { channel: RealtimeChannel; events: { event: string; key: string }[] } {
  const events: { event: string; key: string }[] = [];
  const channel = realtimeClient()
    .channel(topic, { config: { presence: { key } } })
    .on("presence", { event: "join" }, ({ key }) => events.push({ event: "join", key }))
    .on("presence", { event: "leave" }, ({ key }) => events.push({ event: "leave", key }));
  return { channel, events };
}

const keysOf = (channel: RealtimeChannel) => Object.keys(channel.presenceState()).sort();

describe("presence", () => {
  it("syncs two clients that track themselves, and shows an untrack as a leave", async () => {
    const topic = uniqueTopic("run");
    const alice = watcher(topic, "alice");
    const bob = watcher(topic, "bob");
    await Promise.all([subscribed(alice.channel), subscribed(bob.channel)]);

    expect(await alice.channel.track({ name: "Alice", watching_since: "09:00" })).toBe("ok");
    expect(await bob.channel.track({ name: "Bob" })).toBe("ok");

    await eventually(() => keysOf(alice.channel).length === 2 && keysOf(bob.channel).length === 2, 5_000, "both to see both");
    expect(keysOf(alice.channel)).toEqual(["alice", "bob"]);
    const [aliceAsBobSeesHer] = bob.channel.presenceState<{ name: string; watching_since: string }>().alice;
    expect(aliceAsBobSeesHer).toMatchObject({ name: "Alice", watching_since: "09:00" });
    expect(aliceAsBobSeesHer.presence_ref).toEqual(expect.any(String));

    expect(await bob.channel.untrack()).toBe("ok");

    await eventually(() => keysOf(alice.channel).length === 1, 5_000, "bob to leave");
    expect(keysOf(alice.channel)).toEqual(["alice"]);
    expect(alice.events).toContainEqual({ event: "leave", key: "bob" });
  });

  it("gives a late joiner the current state, replaces metadata on a second track, and drops a client that disconnects", async () => {
    const topic = uniqueTopic("run");
    const first = watcher(topic, "first");
    await subscribed(first.channel);
    await first.channel.track({ status: "reading" });

    const late = watcher(topic, "late");
    await subscribed(late.channel);
    await eventually(() => keysOf(late.channel).includes("first"), 5_000, "the late joiner to see the first");

    await first.channel.track({ status: "typing" });
    await eventually(
      () => (late.channel.presenceState<{ status: string }>().first ?? []).map((meta) => meta.status).join() === "typing",
      5_000,
      "the new metadata",
    );

    await first.channel.socket.disconnect();
    await eventually(() => keysOf(late.channel).length === 0, 5_000, "the disconnected client to leave");
    expect(late.events).toContainEqual({ event: "leave", key: "first" });
  });

  it("on a private channel, is shared only among users the policies admit", async () => {
    const owner = randomUUID();
    const topic = `watch:${owner}`;
    const client = realtimeClient();
    await client.setAuth(await accessToken({ sub: owner }));
    const channel = client.channel(topic, { config: { private: true, presence: { key: "owner" } } });
    let synced = 0;
    channel.on("presence", { event: "sync" }, () => synced++);
    await subscribed(channel);

    // The select policy admits the owner (broadcast) but grants no presence read or insert.
    expect(await channel.track({ here: true })).toBe("error");
    expect(synced).toBe(0);
    expect(channel.presenceState()).toEqual({});
  });
});
