import { randomUUID } from "node:crypto";
import { tenantTopic, type ChannelHub, type DeliveryKind, type Subscriber } from "./channel-hub.ts";
import type { ChannelPolicies, PolicySubject } from "./channel-policies.ts";
import { encodeMessage, encodeReply, type ChannelMessage, type OutboundFrame, type Ref, type UserBroadcastPush, type Vsn } from "./phoenix-frames.ts";
import { checkToken, nowInSeconds, type TokenClaims, type TokenKeys } from "./realtime-tokens.ts";

// One joined channel (RealtimeWeb.RealtimeChannel): join authorization, client broadcasts, presence,
// access-token refresh and expiry. Replies, pushes and error texts are the hosted server's.

export interface RealtimeServices {
  hub: ChannelHub;
  policies: ChannelPolicies;
  tokenKeys: TokenKeys;
  log: (line: string) => void;
}

/** The WebSocket connection a channel lives on. */
export interface ChannelHost {
  readonly vsn: Vsn;
  readonly apikey: string;
  readonly headers: Record<string, string>;
  readonly services: RealtimeServices;
  send(frame: OutboundFrame): void;
  forget(channel: RealtimeChannel): void;
}

interface Policies {
  broadcastRead?: boolean;
  presenceRead?: boolean;
  broadcastWrite?: boolean;
  presenceWrite?: boolean;
}

type Config = Record<string, unknown> & {
  broadcast?: { self?: unknown; ack?: unknown; replay?: unknown };
  presence?: { key?: unknown; enabled?: unknown };
  postgres_changes?: unknown;
  private?: unknown;
};

// Realtime checks the token again at least this often, and exactly when it expires.
const tokenCheckIntervalMs = 5 * 60_000;
const databaseUnavailable = "Realtime was unable to connect to the project database";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class RealtimeChannel implements Subscriber {
  readonly subTopic: string;
  readonly isPrivate: boolean;
  readonly tenantTopic: string;
  private readonly config: Config;
  private readonly selfBroadcast: boolean;
  private readonly ackBroadcast: boolean;
  private readonly presenceKey: string;
  private presenceEnabled: boolean;
  private accessToken: string;
  private claims: TokenClaims | undefined;
  private policies: Policies = {};
  private trackedMeta: string | undefined;
  private tokenTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly host: ChannelHost,
    readonly topic: string,
    readonly joinRef: Ref,
    joinPayload: Record<string, unknown>,
  ) {
    this.subTopic = topic.slice("realtime:".length);
    this.config = isObject(joinPayload.config) ? (joinPayload.config as Config) : {};
    this.isPrivate = Boolean(this.config.private);
    this.tenantTopic = tenantTopic(this.isPrivate, this.subTopic);
    const broadcast = isObject(this.config.broadcast) ? this.config.broadcast : {};
    const presence = isObject(this.config.presence) ? this.config.presence : {};
    this.selfBroadcast = Boolean(broadcast.self);
    this.ackBroadcast = Boolean(broadcast.ack);
    this.presenceKey = typeof presence.key === "string" && presence.key !== "" ? presence.key : randomUUID();
    this.presenceEnabled = typeof presence.enabled === "boolean" ? presence.enabled : true;
    // The user's token when the join carries one, else the apikey the socket connected with.
    const token = joinPayload.access_token ?? joinPayload.user_token;
    this.accessToken = typeof token === "string" && !token.startsWith("sb_") ? token : host.apikey;
  }

  get vsn(): Vsn {
    return this.host.vsn;
  }

  receives(kind: DeliveryKind): boolean {
    if (!this.isPrivate) return true;
    return kind === "broadcast" ? this.policies.broadcastRead !== false : this.policies.presenceRead !== false;
  }

  send(frame: OutboundFrame): void {
    if (!this.closed) this.host.send(frame);
  }

  /** Decides the join: null when it may go ahead, else the `reason` of the error reply. */
  async authorize(): Promise<string | null> {
    const check = await checkToken(this.accessToken, this.host.services.tokenKeys);
    if (!check.ok) return check.problem.joinReason;
    this.claims = check.claims;
    if (Array.isArray(this.config.postgres_changes) && this.config.postgres_changes.length > 0) {
      return "PostgresChangesUnavailable: the local stack's Realtime carries Broadcast and Presence only; broadcast row changes from the database with realtime.broadcast_changes() or realtime.send() instead";
    }
    if (isObject(this.config.broadcast) && this.config.broadcast.replay !== undefined) {
      return this.isPrivate
        ? "UnableToReplayMessages: the local stack's Realtime does not replay stored messages"
        : "UnableToReplayMessages: Replay is not allowed for public channels";
    }
    if (!this.isPrivate) return null;
    try {
      Object.assign(this.policies, await this.host.services.policies.read(this.policySubject()));
    } catch (error) {
      this.host.services.log(`[realtime] UnableToSetPolicies on ${this.topic}: ${error instanceof Error ? error.message : String(error)}`);
      return databaseUnavailable;
    }
    return this.policies.broadcastRead ? null : `Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`;
  }

  /** After a successful authorize(): subscribe, answer the join, then send the presence state. */
  start(join: ChannelMessage): void {
    this.host.services.hub.subscribe(this.tenantTopic, this);
    this.scheduleTokenCheck();
    this.host.send(encodeReply(this.vsn, join, "ok", { postgres_changes: [] }));
    this.syncPresence();
  }

  async handleIn(message: ChannelMessage): Promise<void> {
    switch (message.event) {
      case "broadcast":
        return this.broadcast(message, null);
      case "presence":
        return this.presence(message);
      case "access_token":
        return this.refreshToken(isObject(message.payload) ? message.payload.access_token : undefined);
      default:
        // Realtime logs unexpected events at info level and otherwise ignores them.
        return;
    }
  }

  async handleBroadcastPush(push: UserBroadcastPush): Promise<void> {
    return this.broadcast(null, push);
  }

  /** phx_leave: answer ok, then close the channel. */
  leave(message: ChannelMessage): void {
    this.reply(message, "ok", {});
    this.close();
  }

  /** Closes the channel with phx_close, as Phoenix does when a channel stops normally. */
  close(): void {
    if (this.closed) return;
    this.host.send(encodeMessage(this.vsn, { joinRef: this.joinRef, ref: this.joinRef, topic: this.topic, event: "phx_close", payload: {} }));
    this.terminate();
  }

  /** Realtime's shutdown_response: a `system` error event with the reason, then phx_close. */
  shutdown(message: string): void {
    if (this.closed) return;
    this.push("system", { extension: "system", status: "error", message, channel: this.subTopic });
    this.close();
  }

  /** Releases everything the channel holds; the connection is gone or the channel closed. */
  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.tokenTimer);
    const { hub } = this.host.services;
    hub.unsubscribe(this.tenantTopic, this);
    const diff = hub.presence.untrack(this.tenantTopic, this);
    if (diff) hub.publish(this.tenantTopic, "presence", { kind: "message", topic: this.topic, event: "presence_diff", payload: diff });
    this.host.forget(this);
  }

  private push(event: string, payload: unknown): void {
    this.send(encodeMessage(this.vsn, { joinRef: this.joinRef, ref: null, topic: this.topic, event, payload }));
  }

  private reply(to: { joinRef: Ref; ref: Ref; topic: string }, status: "ok" | "error", response: object): void {
    this.send(encodeReply(this.vsn, to, status, response));
  }

  private policySubject(): PolicySubject {
    return { topic: this.subTopic, claims: this.claims!, headers: this.host.headers };
  }

  /** Private channels learn their write permissions on first use, as Realtime does. */
  private async writePolicies(): Promise<boolean> {
    if (this.policies.broadcastWrite !== undefined && this.policies.presenceWrite !== undefined) return true;
    try {
      Object.assign(this.policies, await this.host.services.policies.write(this.policySubject()));
      return true;
    } catch (error) {
      this.host.services.log(`[realtime] UnableToSetPolicies on ${this.topic}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  private async broadcast(message: ChannelMessage | null, push: UserBroadcastPush | null): Promise<void> {
    // A private channel without the insert permission is silently ignored (no ack), as on Supabase.
    if (this.isPrivate && (!(await this.writePolicies()) || !this.policies.broadcastWrite)) return;
    if (this.closed) return;
    const { hub } = this.host.services;
    const sender = this.selfBroadcast ? undefined : this;
    if (push) {
      hub.publish(this.tenantTopic, "broadcast", { kind: "user_broadcast", topic: this.topic, userEvent: push.userEvent, encoding: push.encoding, payload: push.payload }, sender);
    } else if (message && isObject(message.payload)) {
      hub.publish(this.tenantTopic, "broadcast", { kind: "message", topic: this.topic, event: "broadcast", payload: message.payload }, sender);
    }
    if (this.ackBroadcast) this.reply(message ?? push!, "ok", {});
  }

  private async presence(message: ChannelMessage): Promise<void> {
    const payload = message.payload;
    if (!isObject(payload) || typeof payload.event !== "string") return this.reply(message, "ok", {});
    const event = payload.event.toLowerCase();
    const { hub } = this.host.services;

    if (event === "untrack") {
      const diff = hub.presence.untrack(this.tenantTopic, this);
      this.trackedMeta = undefined;
      this.reply(message, "ok", {});
      if (diff) hub.publish(this.tenantTopic, "presence", { kind: "message", topic: this.topic, event: "presence_diff", payload: diff });
      return;
    }
    if (event !== "track") return this.reply(message, "error", {});

    if (this.isPrivate && (!(await this.writePolicies()) || !this.policies.presenceWrite)) return this.reply(message, "error", {});
    const meta = "payload" in payload ? payload.payload : {};
    if (!isObject(meta)) return this.reply(message, "error", {});
    if (this.closed) return;
    const serialized = JSON.stringify(meta);
    if (serialized === this.trackedMeta) return this.reply(message, "ok", {});

    const diff = hub.presence.track(this.tenantTopic, this, this.presenceKey, meta);
    this.trackedMeta = serialized;
    this.reply(message, "ok", {});
    hub.publish(this.tenantTopic, "presence", { kind: "message", topic: this.topic, event: "presence_diff", payload: diff });
    // Tracking turns presence on for a channel joined without it; it then needs the full state.
    if (!this.presenceEnabled) {
      this.presenceEnabled = true;
      this.syncPresence();
    }
  }

  private syncPresence(): void {
    if (!this.presenceEnabled || !this.receives("presence")) return;
    this.push("presence_state", this.host.services.hub.presence.list(this.tenantTopic));
  }

  private async refreshToken(token: unknown): Promise<void> {
    if (typeof token !== "string" || token.startsWith("sb_") || token === this.accessToken) return;
    this.accessToken = token;
    this.policies = {};
    const check = await checkToken(token, this.host.services.tokenKeys);
    if (this.closed) return;
    if (!check.ok) return this.shutdown(check.problem.shutdownMessage);
    this.claims = check.claims;
    if (this.isPrivate) {
      try {
        Object.assign(this.policies, await this.host.services.policies.read(this.policySubject()));
      } catch {
        return this.shutdown(databaseUnavailable);
      }
      if (!this.policies.broadcastRead) return this.shutdown(`You do not have permissions to read from this Channel topic: ${this.subTopic}`);
    }
    this.scheduleTokenCheck();
  }

  private scheduleTokenCheck(): void {
    clearTimeout(this.tokenTimer);
    const untilExpiry = (this.claims!.exp - nowInSeconds()) * 1000;
    this.tokenTimer = setTimeout(() => void this.confirmToken(), Math.max(0, Math.min(tokenCheckIntervalMs, untilExpiry)));
  }

  private async confirmToken(): Promise<void> {
    const token = this.accessToken;
    const check = await checkToken(token, this.host.services.tokenKeys);
    if (this.closed || token !== this.accessToken) return;
    if (!check.ok) return this.shutdown(check.problem.shutdownMessage);
    this.claims = check.claims;
    this.scheduleTokenCheck();
  }
}
