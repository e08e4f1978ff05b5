// What a bad or hostile client gets: refused upgrades, refused joins with the hosted server's
// reasons, Phoenix's replies to stray messages, a closed socket for garbage and floods, and a
// stack that keeps serving everyone else throughout.
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { stackEnv } from "../../test/stack-env.ts";
import {
  accessToken,
  closeAllClients,
  collectBroadcasts,
  eventually,
  realtimeClient,
  subscribe,
  subscribed,
  uniqueTopic,
} from "../../../tests/fixtures/index.ts";

afterEach(closeAllClients);

function socketUrl(query: string): string {
  return `${stackEnv.apiUrl.replace(/^http/, "ws")}/realtime/v1/websocket?${query}`;
}

function upgradeAnswer(query: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(socketUrl(query));
    ws.on("open", () => {
      ws.close();
      resolve({ status: 101, body: "" });
    });
    ws.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.on("error", (error) => reject(error));
  });
}

/** A bare WebSocket speaking vsn 2.0.0 by hand, recording every frame and the close. */
async function rawSocket() {
  const ws = new WebSocket(socketUrl(`apikey=${stackEnv.anonKey}&vsn=2.0.0`));
  const frames: unknown[][] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => {
    ws.on("open", resolve);
    ws.on("error", reject);
  });
  const send = (frame: unknown) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  const replyTo = async (ref: string) => {
    await eventually(() => frames.some((frame) => frame[1] === ref && frame[3] === "phx_reply"), 5_000, `the reply to ${ref}`);
    return frames.find((frame) => frame[1] === ref && frame[3] === "phx_reply")![4];
  };
  return { ws, frames, closed, send, replyTo };
}

/** A subscriber that proves the stack still serves others: a broadcast goes round. */
async function othersAreStillServed(): Promise<void> {
  const topic = uniqueTopic("health");
  const channel = realtimeClient().channel(topic, { config: { broadcast: { self: true } } });
  const received = collectBroadcasts(channel);
  await subscribed(channel);
  await channel.send({ type: "broadcast", event: "ping", payload: {} });
  await eventually(() => received.length === 1, 5_000, "the healthy client's echo");
}

describe("the WebSocket upgrade", () => {
  it("is refused without an apikey, with a key that is not the project's anon or service_role key, and for an unknown protocol version", async () => {
    expect(await upgradeAnswer("vsn=2.0.0")).toEqual({ status: 401, body: JSON.stringify({ message: "No API key found in request" }) });
    const forged = await accessToken({ role: "anon", secret: "another-secret-that-is-at-least-32-characters-long" });
    expect(await upgradeAnswer(`apikey=${forged}&vsn=2.0.0`)).toMatchObject({ status: 401 });
    expect(await upgradeAnswer(`apikey=${await accessToken()}&vsn=2.0.0`)).toMatchObject({ status: 401 });
    expect(await upgradeAnswer(`apikey=${stackEnv.anonKey}&vsn=3.0.0`)).toMatchObject({ status: 403 });
    expect(await upgradeAnswer(`apikey=${stackEnv.serviceRoleKey}&vsn=1.0.0`)).toMatchObject({ status: 101 });
  });
});

describe("joins with a bad token", () => {
  async function joinWith(token: string) {
    const client = realtimeClient();
    await client.setAuth(token);
    const channel = client.channel(uniqueTopic("room"));
    const outcome = await subscribe(channel);
    channel.teardown();
    return outcome;
  }

  it("are refused with the hosted server's reasons", async () => {
    const expired = await joinWith(await accessToken({ expiresInSeconds: -30 }));
    expect(expired.status).toBe("CHANNEL_ERROR");
    expect(expired.error?.message).toMatch(/^InvalidJWTToken: Token has expired (30|31) seconds ago$/);

    const forged = await joinWith(await accessToken({ secret: "another-secret-that-is-at-least-32-characters-long" }));
    expect(forged.error?.message).toBe("JwtSignatureError: Failed to validate JWT signature");

    const garbage = await joinWith("not-a-jwt");
    expect(garbage.error?.message).toBe("MalformedJWT: The token provided is not a valid JWT");

    const withoutRole = await new SignJWT({ sub: "someone" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(stackEnv.jwtSecret));
    const roleless = await joinWith(withoutRole);
    expect(roleless.error?.message).toBe("InvalidJWTToken: Fields `role` and `exp` are required in JWT");
  });
});

describe("postgres_changes", () => {
  it("is refused with a reason that says what to use instead", async () => {
    const channel = realtimeClient()
      .channel(uniqueTopic("table"))
      .on("postgres_changes", { event: "*", schema: "public", table: "agents" }, () => undefined);
    const outcome = await subscribe(channel);
    channel.teardown();
    expect(outcome.status).toBe("CHANNEL_ERROR");
    expect(outcome.error?.message).toMatch(/^PostgresChangesUnavailable: .*realtime\.broadcast_changes\(\)/);
  });
});

describe("stray messages", () => {
  it("get Phoenix's answers: heartbeat ok, unmatched topic, join crashed, topic name required; unknown events are ignored", async () => {
    const socket = await rawSocket();
    const topic = `realtime:${uniqueTopic("raw")}`;

    socket.send([null, "1", "phoenix", "heartbeat", {}]);
    expect(await socket.replyTo("1")).toEqual({ status: "ok", response: {} });

    socket.send([null, "2", topic, "broadcast", { type: "broadcast", event: "x", payload: {} }]);
    expect(await socket.replyTo("2")).toEqual({ status: "error", response: { reason: "unmatched topic" } });

    socket.send(["3", "3", "not-realtime:x", "phx_join", {}]);
    expect(await socket.replyTo("3")).toEqual({ status: "error", response: { reason: "unmatched topic" } });

    socket.send(["4", "4", "realtime:", "phx_join", {}]);
    expect(await socket.replyTo("4")).toEqual({ status: "error", response: { reason: "TopicNameRequired: You must provide a topic name" } });

    socket.send(["5", "5", topic, "phx_join", "not an object"]);
    expect(await socket.replyTo("5")).toEqual({ status: "error", response: { reason: "join crashed" } });

    socket.send(["6", "6", topic, "phx_join", { config: { broadcast: { self: true } } }]);
    expect(await socket.replyTo("6")).toEqual({ status: "ok", response: { postgres_changes: [] } });
    socket.send(["6", "7", topic, "no_such_event", {}]);
    socket.send(["6", "8", topic, "broadcast", { type: "broadcast", event: "after", payload: { ok: true } }]);
    await eventually(() => socket.frames.some((frame) => frame[3] === "broadcast"), 5_000, "the echo");
    expect(socket.frames.find((frame) => frame[3] === "broadcast")).toEqual([null, null, topic, "broadcast", { type: "broadcast", event: "after", payload: { ok: true } }]);
    expect(socket.frames.some((frame) => frame[1] === "7")).toBe(false);

    socket.send(["6", "9", topic, "phx_leave", {}]);
    expect(await socket.replyTo("9")).toEqual({ status: "ok", response: {} });
    await eventually(() => socket.frames.some((frame) => frame[3] === "phx_close"), 5_000, "phx_close");
    expect(socket.frames.find((frame) => frame[3] === "phx_close")).toEqual(["6", "6", topic, "phx_close", {}]);
    socket.ws.close();
  });
});

describe("garbage and floods", () => {
  it("close the socket that sends a frame that is not a Phoenix message, and nobody else's", async () => {
    await othersAreStillServed();
    for (const garbage of ["{not json", JSON.stringify({ an: "object" }), JSON.stringify([1, 2])]) {
      const socket = await rawSocket();
      socket.send(garbage);
      expect((await socket.closed).code).toBe(1011);
    }
    const binary = await rawSocket();
    binary.ws.send(Buffer.from([9, 9, 9]));
    expect((await binary.closed).code).toBe(1011);
    await othersAreStillServed();
  });

  it("shut a flooding socket's channels with 'Too many messages per second', then close it", async () => {
    const socket = await rawSocket();
    const topic = `realtime:${uniqueTopic("flood")}`;
    socket.send(["1", "1", topic, "phx_join", { config: {} }]);
    await socket.replyTo("1");

    for (let n = 0; n < 600; n++) socket.send(["1", String(n + 2), topic, "broadcast", { type: "broadcast", event: "spam", payload: { n } }]);

    expect(await socket.closed).toEqual({ code: 1008, reason: "Too many messages per second" });
    const system = socket.frames.find((frame) => frame[3] === "system");
    expect(system).toEqual(["1", null, topic, "system", { extension: "system", status: "error", message: "Too many messages per second", channel: topic.slice("realtime:".length) }]);
    expect(socket.frames.some((frame) => frame[3] === "phx_close")).toBe(true);
    await othersAreStillServed();
  });
});
