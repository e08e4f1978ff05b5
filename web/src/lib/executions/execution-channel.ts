// One Realtime channel per run for the whole tab. realtime-js hands out the same channel object for
// the same topic (and a channel may be subscribed only once), so everything in the app that follows
// a run (its live monitor, the toast for a run started here) adds a listener here instead: the
// first listener joins `execution:<id>`, the last one to leave leaves it. A channel being left is
// finished leaving before the topic is joined again, or realtime-js would answer the old one.
import type { RealtimeChannel } from "@supabase/realtime-js";
import type { RealtimeLoader } from "$lib/realtime/client";

/** What realtime-js reports about a channel: joined (again after every reconnect), or not. */
export type ChannelStatus = "SUBSCRIBED" | "TIMED_OUT" | "CLOSED" | "CHANNEL_ERROR";

export interface ExecutionChannelListener {
  /** An event of the run's log as broadcast: the event's name and its payload (with `seq`). */
  onBroadcast(event: string, payload: Record<string, unknown>): void;
  /**
   * A running step's text so far (`step_text`, sent by the executor while the agent writes): not an
   * event of the log, so it never reaches onBroadcast.
   */
  onStepText?(payload: Record<string, unknown>): void;
  onStatus(status: ChannelStatus): void;
}

interface SharedChannel {
  listeners: Set<ExecutionChannelListener>;
  status: ChannelStatus | null;
  /** Resolves to the channel once joined is asked for. */
  channel: Promise<RealtimeChannel | null>;
}

const channelsByClient = new WeakMap<RealtimeLoader, Map<string, SharedChannel>>();
const leavingByClient = new WeakMap<RealtimeLoader, Map<string, Promise<unknown>>>();

function registry<T>(map: WeakMap<RealtimeLoader, Map<string, T>>, realtime: RealtimeLoader): Map<string, T> {
  let topics = map.get(realtime);
  if (!topics) map.set(realtime, (topics = new Map()));
  return topics;
}

/** Listens to the run's channel until the answered function is called. */
export function listenToExecution(realtime: RealtimeLoader, executionId: string, listener: ExecutionChannelListener): () => void {
  const topic = `execution:${executionId}`;
  const channels = registry(channelsByClient, realtime);
  let shared = channels.get(topic);
  if (!shared) {
    shared = join(realtime, topic);
    channels.set(topic, shared);
  }
  const joined = shared;
  joined.listeners.add(listener);
  if (joined.status) listener.onStatus(joined.status);
  return () => {
    joined.listeners.delete(listener);
    if (joined.listeners.size > 0 || channels.get(topic) !== joined) return;
    channels.delete(topic);
    const leaving = registry(leavingByClient, realtime);
    const left = joined.channel.then(async (channel) => channel && (await realtime()).removeChannel(channel)).catch(() => undefined);
    leaving.set(topic, left);
    void left.finally(() => {
      if (leaving.get(topic) === left) leaving.delete(topic);
    });
  };
}

function join(realtime: RealtimeLoader, topic: string): SharedChannel {
  const shared: SharedChannel = { listeners: new Set(), status: null, channel: Promise.resolve(null) };
  const previous = registry(leavingByClient, realtime).get(topic);
  shared.channel = (async () => {
    await previous;
    const client = await realtime();
    // The client's current token (its accessToken callback), so the private channel is joined as the person.
    await client.setAuth();
    const channel = client.channel(topic, { config: { private: true } });
    channel.on("broadcast", { event: "*" }, (message) => {
      const payload = (message.payload ?? {}) as Record<string, unknown>;
      if (message.event === "step_text") {
        for (const listener of [...shared.listeners]) listener.onStepText?.(payload);
        return;
      }
      for (const listener of [...shared.listeners]) listener.onBroadcast(String(message.event), payload);
    });
    channel.subscribe((status) => {
      shared.status = status as ChannelStatus;
      for (const listener of [...shared.listeners]) listener.onStatus(shared.status);
    });
    return channel;
  })();
  return shared;
}
