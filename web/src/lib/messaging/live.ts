// Following the inbox live in the browser: the private Realtime topics `inbox:<id>` (a new message
// or a conversation changed in one of the company's numbers) and `conversation:<id>` (a message or
// its delivery status in the open thread), joined with the session's access token. Broadcasts carry
// ids, never bodies: on each one the page reloads what it shows through the API (invalidate), so
// RLS decides what is read. Bursts are folded into one reload, and a quiet reload every
// `quietCheckMs` covers a broadcast lost while the connection was down.
import type { RealtimeChannel, RealtimeClient } from "@supabase/realtime-js";
import type { RealtimeLoader } from "$lib/realtime/client";

export type LiveState = "connecting" | "live" | "reconnecting";

export interface FollowTopicsOptions {
  realtime: RealtimeLoader;
  topics: string[];
  /** Called (at most once per `foldMs`) after broadcasts arrived, and after every (re)join. */
  refresh: () => void;
  onState?: (state: LiveState) => void;
  /**
   * True while a reload must wait (a navigation in flight: SvelteKit's invalidate would replace it
   * with a reload of the page being left); the reload is tried again a moment later.
   */
  isBusy?: () => boolean;
  /** Each broadcast as it arrives (its event and payload: ids and reasons, never bodies), before the folded reload. */
  onBroadcast?: (event: string, payload: Record<string, unknown>) => void;
  foldMs?: number;
  quietCheckMs?: number;
}

/** Starts listening; answers the function that stops. */
export function followTopics(options: FollowTopicsOptions): () => void {
  const foldMs = options.foldMs ?? 150;
  const channels: RealtimeChannel[] = [];
  const joined = new Set<string>();
  let stopped = false;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let everJoined = false;
  let client: RealtimeClient | undefined;

  function refreshSoon(): void {
    if (stopped || pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      if (stopped) return;
      if (options.isBusy?.()) refreshSoon();
      else options.refresh();
    }, foldMs);
  }

  function report(): void {
    if (stopped) return;
    const all = joined.size === options.topics.length;
    options.onState?.(all ? "live" : everJoined ? "reconnecting" : "connecting");
  }

  void (async () => {
    const realtime = await options.realtime();
    if (stopped) return;
    client = realtime;
    // The client's current token (its accessToken callback), so the private channels are joined as the person.
    await realtime.setAuth();
    if (stopped) return;
    for (const topic of options.topics) {
      const channel = realtime.channel(topic, { config: { private: true } });
      channel.on("broadcast", { event: "*" }, (message) => {
        options.onBroadcast?.(String(message.event), (message.payload ?? {}) as Record<string, unknown>);
        refreshSoon();
      });
      channel.subscribe((status) => {
        if (status === "SUBSCRIBED") {
          // A rejoin after a dropped connection: what passed meanwhile is read again.
          if (everJoined || joined.size > 0) refreshSoon();
          joined.add(topic);
          if (joined.size === options.topics.length) everJoined = true;
        } else {
          joined.delete(topic);
        }
        report();
      });
      channels.push(channel);
    }
    report();
  })();

  const quiet = setInterval(refreshSoon, options.quietCheckMs ?? 20_000);
  return () => {
    stopped = true;
    clearTimeout(pending);
    clearInterval(quiet);
    for (const channel of channels) void client?.removeChannel(channel);
  };
}
