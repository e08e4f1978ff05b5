// Realtime's REST broadcast, POST /realtime/v1/api/broadcast, with the hosted server's rules: the
// service key sends to any topic, a user's token to private topics only where an RLS insert policy
// on realtime.messages lets it, anon to public topics; what arrives is what a subscribed channel
// gets from any other broadcast. Spoken by the official client where it speaks it (realtime-js's
// send() before the channel is joined falls back to this endpoint) and by plain fetch for the rest.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../test/stack-env.ts";
import {
  accessToken,
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
const readPolicy = `realtime api test ${process.pid}: users read their own room`;
const writePolicy = `realtime api test ${process.pid}: users send to their own room`;
const endpoint = () => `${stackEnv.apiUrl}/realtime/v1/api/broadcast`;
const serviceKey = () => process.env.SECRET_KEY || stackEnv.serviceRoleKey;

beforeAll(async () => {
  sql = databaseConnection();
  await sql.unsafe(`
    create policy "${readPolicy}" on realtime.messages for select to authenticated
      using ((select realtime.topic()) = 'apiroom:' || (select auth.uid())::text and extension = 'broadcast');
    create policy "${writePolicy}" on realtime.messages for insert to authenticated
      with check ((select realtime.topic()) = 'apiroom:' || (select auth.uid())::text and extension = 'broadcast');`);
});

afterEach(closeAllClients);

afterAll(async () => {
  await sql.unsafe(`drop policy if exists "${readPolicy}" on realtime.messages; drop policy if exists "${writePolicy}" on realtime.messages;`);
  await sql.end();
});

interface Message {
  topic: string;
  event: string;
  payload: unknown;
  private?: boolean;
}

function post(body: unknown, { apikey = stackEnv.clientKey, token }: { apikey?: string | null; token?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apikey) headers.apikey = apikey;
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(endpoint(), { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

const batch = (...messages: Message[]) => ({ messages });

/** A private channel of `topic` joined as `sub` (whom the read policy admits to apiroom:<sub>). */
async function privateListener(sub: string, topic: string) {
  const client = realtimeClient();
  await client.setAuth(await accessToken({ sub }));
  const channel = client.channel(topic, { config: { private: true } });
  const received = collectBroadcasts(channel);
  await subscribed(channel);
  return received;
}

async function publicListener(topic: string) {
  const channel = realtimeClient().channel(topic);
  const received = collectBroadcasts(channel);
  await subscribed(channel);
  return received;
}

describe("POST /realtime/v1/api/broadcast", () => {
  it("is where realtime-js's send() goes before the channel is joined, and reaches the topic's subscribers", async () => {
    const topic = uniqueTopic("room");
    const received = await publicListener(topic);
    const sender = realtimeClient().channel(topic);

    expect(await sender.send({ type: "broadcast", event: "hello", payload: { from: "rest" } })).toBe("ok");

    await eventually(() => received.length === 1, 5_000, "the REST broadcast");
    expect(received[0]).toEqual({ type: "broadcast", event: "hello", payload: { from: "rest" } });
  });

  it("answers 202 with no body, and delivers each message of the batch in order", async () => {
    const topic = uniqueTopic("room");
    const received = await publicListener(topic);
    const answer = await post(batch({ topic, event: "n", payload: { n: 1 } }, { topic, event: "n", payload: { n: 2 } }));
    expect(answer.status).toBe(202);
    expect(await answer.text()).toBe("");
    await eventually(() => received.length === 2, 5_000, "both messages");
    expect(received.map((message) => message.payload.n)).toEqual([1, 2]);
  });

  it("sends to a private topic with the service key, only to private channels of that topic", async () => {
    const ana = randomUUID();
    const topic = `apiroom:${ana}`;
    const privateReceived = await privateListener(ana, topic);
    const publicReceived = await publicListener(topic);

    const answer = await post(batch({ topic, event: "step_text", payload: { text_so_far: "Olá" }, private: true }), { apikey: serviceKey(), token: serviceKey() });

    expect(answer.status).toBe(202);
    await eventually(() => privateReceived.length === 1, 5_000, "the private broadcast");
    expect(privateReceived[0]).toEqual({ type: "broadcast", event: "step_text", payload: { text_so_far: "Olá" } });
    await pause(200);
    expect(publicReceived).toEqual([]);
  });

  it("lets a user send to a private topic where an insert policy allows it, and drops the rest silently", async () => {
    const ana = randomUUID();
    const bruno = randomUUID();
    const anaRoom = `apiroom:${ana}`;
    const brunoRoom = `apiroom:${bruno}`;
    const anaReceived = await privateListener(ana, anaRoom);
    const brunoReceived = await privateListener(bruno, brunoRoom);
    const anaToken = await accessToken({ sub: ana });

    // Ana may send to her room, not to Bruno's; anon to neither. Each answers 202, as hosted does.
    const answers = await Promise.all([
      post(batch({ topic: anaRoom, event: "note", payload: { by: "ana" }, private: true }), { token: anaToken }),
      post(batch({ topic: brunoRoom, event: "note", payload: { by: "ana" }, private: true }), { token: anaToken }),
      post(batch({ topic: brunoRoom, event: "note", payload: { by: "anon" }, private: true })),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    await eventually(() => anaReceived.length === 1, 5_000, "ana's own broadcast");
    expect(anaReceived[0].payload).toEqual({ by: "ana" });
    await pause(300);
    expect(brunoReceived).toEqual([]);
  });

  it("lets anon send to public topics only, never into a private channel of that name", async () => {
    const ana = randomUUID();
    const topic = `apiroom:${ana}`;
    const privateReceived = await privateListener(ana, topic);
    const publicReceived = await publicListener(topic);

    expect((await post(batch({ topic, event: "wave", payload: {} }))).status).toBe(202);

    await eventually(() => publicReceived.length === 1, 5_000, "the public broadcast");
    await pause(200);
    expect(privateReceived).toEqual([]);
  });

  describe("refusals", () => {
    it("answers 401 without a project key, or with one that is not the project's, as the gateway does", async () => {
      const body = batch({ topic: "room:x", event: "e", payload: {} });
      const missing = await post(body, { apikey: null });
      expect(missing.status).toBe(401);
      expect(await missing.json()).toEqual({ message: "No API key found in request" });
      const foreign = await post(body, { apikey: await accessToken({ secret: "another-secret-another-secret-another-secret" }) });
      expect(foreign.status).toBe(401);
      expect(await foreign.json()).toEqual({ message: "Invalid authentication credentials" });
    });

    it("answers 401 for a bearer token that is expired or not signed by the project", async () => {
      const topic = uniqueTopic("room");
      const received = await publicListener(topic);
      const body = batch({ topic, event: "e", payload: {} });
      const expired = await post(body, { token: await accessToken({ expiresInSeconds: -10 }) });
      const forged = await post(body, { token: await accessToken({ secret: "another-secret-another-secret-another-secret" }) });
      expect([expired.status, forged.status]).toEqual([401, 401]);
      await pause(200);
      expect(received).toEqual([]);
    });

    it("answers 400 for a body that is not JSON and 422 for a batch that is not one, sending nothing of it", async () => {
      const topic = uniqueTopic("room");
      const received = await publicListener(topic);

      expect((await post("{not json")).status).toBe(400);
      const noMessages = await post({});
      expect(noMessages.status).toBe(422);
      expect(await noMessages.json()).toEqual({ errors: { messages: ["can't be blank"] } });
      const halfValid = await post(batch({ topic, event: "ok", payload: { n: 1 } }, { topic, event: "", payload: "text" }));
      expect(halfValid.status).toBe(422);
      expect(await halfValid.json()).toEqual({ errors: { messages: [{}, { event: ["can't be blank"], payload: ["is invalid"] }] } });
      expect((await post({ messages: "all" })).status).toBe(422);

      await pause(200);
      expect(received).toEqual([]);
    });
  });
});
