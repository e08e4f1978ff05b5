// Phoenix channel frames as Supabase Realtime reads and writes them, for the two serializer versions
// @supabase/realtime-js can ask for with `?vsn=`:
//   1.0.0  JSON objects {topic, event, payload, ref[, join_ref]}; the server answers
//          {topic, event, payload, ref} (Phoenix.Socket.V1.JSONSerializer).
//   2.0.0  JSON arrays [join_ref, ref, topic, event, payload], plus Realtime's binary broadcast
//          frames (RealtimeWeb.Socket.V2Serializer): the client pushes a broadcast as kind 3
//          ("user broadcast push") and receives other clients' broadcasts as kind 4 ("user broadcast").
// Anything else is not a frame: the caller closes the socket, as Phoenix does when decoding crashes.

export type Vsn = "1.0.0" | "2.0.0";

export function vsnFromParam(value: string | null): Vsn | null {
  // Phoenix defaults to 1.0.0 and matches the client's version with "~> 1.0.0" / "~> 2.0.0".
  if (value === null || /^1\.0\.\d+$/.test(value)) return "1.0.0";
  if (/^2\.0\.\d+$/.test(value)) return "2.0.0";
  return null;
}

export type Ref = string | null;

export interface ChannelMessage {
  joinRef: Ref;
  ref: Ref;
  topic: string;
  event: string;
  payload: unknown;
}

export type PayloadEncoding = "json" | "binary";

/** A broadcast pushed in the binary frame: the user's event and payload, never parsed into a message. */
export interface UserBroadcastPush {
  joinRef: Ref;
  ref: Ref;
  topic: string;
  userEvent: string;
  encoding: PayloadEncoding;
  payload: Buffer;
}

export type InboundFrame = { kind: "message"; message: ChannelMessage } | { kind: "user_broadcast_push"; push: UserBroadcastPush };

/** What a WebSocket sends: text frames as strings, binary frames as buffers. */
export type OutboundFrame = string | Buffer;

export class FrameError extends Error {}

const userBroadcastPushKind = 3;
const userBroadcastKind = 4;
const binaryEncoding = 0;
const jsonEncoding = 1;
const userBroadcastPushHeaderLength = 7;

export function decodeFrame(vsn: Vsn, data: Buffer, isBinary: boolean): InboundFrame {
  if (vsn === "2.0.0" && isBinary) return { kind: "user_broadcast_push", push: decodeUserBroadcastPush(data) };
  const parsed = parseJson(data.toString("utf8"));
  return { kind: "message", message: vsn === "2.0.0" ? fromArray(parsed) : fromObject(parsed) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FrameError("frame is not JSON");
  }
}

function ref(value: unknown): Ref {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new FrameError("ref must be a string");
}

function named(value: unknown, what: string): string {
  if (typeof value !== "string") throw new FrameError(`${what} must be a string`);
  return value;
}

function fromArray(parsed: unknown): ChannelMessage {
  if (!Array.isArray(parsed) || parsed.length < 5) throw new FrameError("expected V2 array");
  const [joinRef, messageRef, topic, event, payload] = parsed;
  return { joinRef: ref(joinRef), ref: ref(messageRef), topic: named(topic, "topic"), event: named(event, "event"), payload };
}

function fromObject(parsed: unknown): ChannelMessage {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new FrameError("expected V1 object");
  const fields = parsed as Record<string, unknown>;
  for (const key of ["topic", "event", "payload", "ref"]) if (!(key in fields)) throw new FrameError(`missing ${key}`);
  return { joinRef: ref(fields.join_ref), ref: ref(fields.ref), topic: named(fields.topic, "topic"), event: named(fields.event, "event"), payload: fields.payload };
}

function decodeUserBroadcastPush(data: Buffer): UserBroadcastPush {
  if (data.length < userBroadcastPushHeaderLength || data[0] !== userBroadcastPushKind) throw new FrameError("unknown binary frame");
  const sizes = [data[1], data[2], data[3], data[4], data[5]];
  const encoding: PayloadEncoding = data[6] === binaryEncoding ? "binary" : "json";
  let offset = userBroadcastPushHeaderLength;
  const [joinRef, messageRef, topic, userEvent, metadata] = sizes.map((size) => {
    if (offset + size > data.length) throw new FrameError("binary frame shorter than its header says");
    const field = data.subarray(offset, offset + size).toString("utf8");
    offset += size;
    return field;
  });
  if (metadata) parseJson(metadata);
  const payload = data.subarray(offset);
  // Realtime forwards the bytes as they came; checked here so one client cannot hand others a
  // payload their decoder throws on.
  if (encoding === "json") parseJson(payload.toString("utf8"));
  return { joinRef: joinRef || null, ref: messageRef || null, topic, userEvent, encoding, payload: Buffer.from(payload) };
}

export function encodeMessage(vsn: Vsn, message: ChannelMessage): string {
  if (vsn === "2.0.0") return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
  return JSON.stringify({ topic: message.topic, event: message.event, payload: message.payload, ref: message.ref });
}

export function encodeReply(vsn: Vsn, to: { joinRef: Ref; ref: Ref; topic: string }, status: "ok" | "error", response: object): string {
  return encodeMessage(vsn, { joinRef: to.joinRef, ref: to.ref, topic: to.topic, event: "phx_reply", payload: { status, response } });
}

/**
 * Another client's broadcast: the binary kind-4 frame for 2.0.0; for 1.0.0, which has no binary
 * frames, the JSON broadcast Realtime converts it to (null when the payload is binary).
 */
export function encodeUserBroadcast(vsn: Vsn, broadcast: { topic: string; userEvent: string; encoding: PayloadEncoding; payload: Buffer }): OutboundFrame | null {
  if (vsn === "1.0.0") {
    if (broadcast.encoding === "binary") return null;
    const payload = { type: "broadcast", event: broadcast.userEvent, payload: JSON.parse(broadcast.payload.toString("utf8")) };
    return encodeMessage(vsn, { joinRef: null, ref: null, topic: broadcast.topic, event: "broadcast", payload });
  }
  const topic = Buffer.from(broadcast.topic, "utf8");
  const userEvent = Buffer.from(broadcast.userEvent, "utf8");
  if (topic.length > 255 || userEvent.length > 255) return null;
  const header = Buffer.from([userBroadcastKind, topic.length, userEvent.length, 0, broadcast.encoding === "binary" ? binaryEncoding : jsonEncoding]);
  return Buffer.concat([header, topic, userEvent, broadcast.payload]);
}
