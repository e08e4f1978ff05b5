import { WebSocket, type RawData } from "ws";
import { decodeFrame, encodeReply, FrameError, type ChannelMessage, type InboundFrame, type OutboundFrame, type Vsn } from "./phoenix-frames.ts";
import { RealtimeChannel, type ChannelHost, type RealtimeServices } from "./realtime-channel.ts";

// One WebSocket (Phoenix.Socket): heartbeats, joins and leaves, routing to the joined channels, and
// the limits that keep one client from hurting the others. Frames are handled one after another,
// in arrival order, as Phoenix's socket process does.

/** Realtime's default max_events_per_second; counted per socket here (Supabase counts per project). */
export const maxMessagesPerSecond = 100;
// A socket that keeps sending far past the limit is closed outright.
const floodFactor = 5;
// Phoenix closes a socket that has sent nothing (not even a heartbeat) for this long.
const idleTimeoutMs = 60_000;

// WebSocket close codes: what Phoenix/Cowboy send when decoding a frame crashes the socket, for a
// policy violation, and when the server goes away.
export const closeCodes = { normal: 1000, goingAway: 1001, policyViolation: 1008, internalError: 1011 } as const;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export class RealtimeConnection implements ChannelHost {
  private readonly channels = new Map<string, RealtimeChannel>();
  private inOrder: Promise<void> = Promise.resolve();
  private windowStartedAt = 0;
  private messagesInWindow = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    readonly apikey: string,
    readonly headers: Record<string, string>,
    readonly services: RealtimeServices,
  ) {
    ws.on("message", (data, isBinary) => this.received(toBuffer(data), isBinary));
    ws.on("close", () => this.connectionClosed());
    ws.on("error", (error) => services.log(`[realtime] socket error: ${error.message}`));
    this.resetIdleTimer();
  }

  send(frame: OutboundFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  forget(channel: RealtimeChannel): void {
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
    this.connectionClosed();
  }

  private received(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.resetIdleTimer();
    if (!this.withinRateLimit()) return;
    let frame: InboundFrame;
    try {
      frame = decodeFrame(this.vsn, data, isBinary);
    } catch (error) {
      const reason = error instanceof FrameError ? error.message : String(error);
      this.services.log(`[realtime] closing a socket that sent an invalid frame: ${reason}`);
      return this.close(closeCodes.internalError, "invalid frame");
    }
    this.inOrder = this.inOrder
      .then(() => this.handle(frame))
      .catch((error) => this.services.log(`[realtime] frame handling failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
  }

  /**
   * Over the limit within one second, every channel of the socket is shut down with Realtime's
   * "Too many messages per second" and further frames of that second are dropped; far over it,
   * the socket is closed.
   */
  private withinRateLimit(): boolean {
    const now = Date.now();
    if (now - this.windowStartedAt >= 1000) {
      this.windowStartedAt = now;
      this.messagesInWindow = 0;
    }
    this.messagesInWindow++;
    if (this.messagesInWindow <= maxMessagesPerSecond) return true;
    if (this.messagesInWindow === maxMessagesPerSecond + 1) {
      this.services.log(`[realtime] a socket sent more than ${maxMessagesPerSecond} messages in a second; shutting its channels down`);
      for (const channel of [...this.channels.values()]) channel.shutdown("Too many messages per second");
    }
    if (this.messagesInWindow > maxMessagesPerSecond * floodFactor) this.close(closeCodes.policyViolation, "Too many messages per second");
    return false;
  }

  private async handle(frame: InboundFrame): Promise<void> {
    if (this.closed) return;
    if (frame.kind === "user_broadcast_push") {
      const { push } = frame;
      const channel = this.channelFor(push);
      if (channel) await channel.handleBroadcastPush(push);
      return;
    }
    const { message } = frame;
    if (message.topic === "phoenix" && message.event === "heartbeat") return this.reply(message, "ok", {});
    if (message.event === "phx_join") return this.join(message);
    if (message.event === "phx_leave" && !this.channels.has(message.topic)) return this.reply(message, "ok", {});
    const channel = this.channelFor(message);
    if (!channel) return;
    if (message.event === "phx_leave") return channel.leave(message);
    await channel.handleIn(message);
  }

  /** The joined channel a message is for; otherwise Phoenix's "unmatched topic" error reply. */
  private channelFor(message: Pick<ChannelMessage, "joinRef" | "ref" | "topic">): RealtimeChannel | undefined {
    const channel = this.channels.get(message.topic);
    if (channel && (channel.joinRef === null || message.joinRef === channel.joinRef)) return channel;
    this.send(encodeReply(this.vsn, { joinRef: null, ref: message.ref, topic: message.topic }, "error", { reason: "unmatched topic" }));
    return undefined;
  }

  private async join(message: ChannelMessage): Promise<void> {
    if (!message.topic.startsWith("realtime:")) return this.reply(message, "error", { reason: "unmatched topic" });
    // A second join of a topic replaces the first, which is closed (Phoenix: duplicate join).
    this.channels.get(message.topic)?.close();
    if (message.topic === "realtime:") return this.reply(message, "error", { reason: "TopicNameRequired: You must provide a topic name" });
    if (typeof message.payload !== "object" || message.payload === null || Array.isArray(message.payload)) {
      return this.reply(message, "error", { reason: "join crashed" });
    }
    const channel = new RealtimeChannel(this, message.topic, message.joinRef, message.payload as Record<string, unknown>);
    const refusal = await channel.authorize();
    if (this.closed) return;
    if (refusal) return this.reply(message, "error", { reason: refusal });
    this.channels.set(message.topic, channel);
    channel.start(message);
  }

  private reply(to: ChannelMessage, status: "ok" | "error", response: object): void {
    this.send(encodeReply(this.vsn, to, status, response));
  }

  private resetIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(closeCodes.normal, "idle"), idleTimeoutMs);
  }

  private connectionClosed(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const channel of [...this.channels.values()]) channel.terminate();
    this.channels.clear();
  }
}
