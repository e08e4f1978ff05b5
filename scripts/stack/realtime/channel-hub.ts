import { encodeMessage, encodeUserBroadcast, type OutboundFrame, type PayloadEncoding, type Vsn } from "./phoenix-frames.ts";
import { PresenceRegistry } from "./presence-registry.ts";

// Realtime's PubSub for one process: joined channels subscribe to a "tenant topic", and whatever is
// published there is encoded once per serializer version and written to every subscriber (Realtime's
// fastlane). Private and public channels of the same name are different tenant topics, so a
// database broadcast sent with `private => true` reaches private channels only, and the reverse.

export type Publication =
  | { kind: "message"; topic: string; event: string; payload: unknown }
  | { kind: "user_broadcast"; topic: string; userEvent: string; encoding: PayloadEncoding; payload: Buffer };

export type DeliveryKind = "broadcast" | "presence";

export interface Subscriber {
  readonly vsn: Vsn;
  /** False when the channel's policies say it may not read this kind (private channels). */
  receives(kind: DeliveryKind): boolean;
  send(frame: OutboundFrame): void;
}

export function tenantTopic(isPrivate: boolean, subTopic: string): string {
  return `${isPrivate ? "private" : "public"}:${subTopic}`;
}

function encode(vsn: Vsn, publication: Publication): OutboundFrame | null {
  if (publication.kind === "user_broadcast") return encodeUserBroadcast(vsn, publication);
  return encodeMessage(vsn, { joinRef: null, ref: null, topic: publication.topic, event: publication.event, payload: publication.payload });
}

export class ChannelHub {
  private readonly topics = new Map<string, Set<Subscriber>>();
  readonly presence = new PresenceRegistry();

  subscribe(topic: string, subscriber: Subscriber): void {
    const subscribers = this.topics.get(topic) ?? new Set<Subscriber>();
    subscribers.add(subscriber);
    this.topics.set(topic, subscribers);
  }

  unsubscribe(topic: string, subscriber: Subscriber): void {
    const subscribers = this.topics.get(topic);
    if (!subscribers) return;
    subscribers.delete(subscriber);
    if (subscribers.size === 0) this.topics.delete(topic);
  }

  /** Writes to every subscriber of `topic` that receives `kind`, except `sender` when given. */
  publish(topic: string, kind: DeliveryKind, publication: Publication, sender?: Subscriber): number {
    const subscribers = this.topics.get(topic);
    if (!subscribers) return 0;
    const frames = new Map<Vsn, OutboundFrame | null>();
    let delivered = 0;
    for (const subscriber of subscribers) {
      if (subscriber === sender || !subscriber.receives(kind)) continue;
      if (!frames.has(subscriber.vsn)) frames.set(subscriber.vsn, encode(subscriber.vsn, publication));
      const frame = frames.get(subscriber.vsn);
      if (frame === null || frame === undefined) continue;
      subscriber.send(frame);
      delivered++;
    }
    return delivered;
  }
}
