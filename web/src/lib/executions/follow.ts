// Following a run live in the browser: the private Realtime channel `execution:<id>` (joined with
// the session's access token), and the run's event log through this app's
// /executions/<id>/events (which asks the API with the session) to fill what the channel missed:
// everything before the join, whatever passed while the connection was down, and any gap the
// monitor notices. The monitor state decides what is new, so overlaps cost nothing.
import type { RealtimeChannel, SupabaseClient } from "@supabase/supabase-js";
import type { ExecutionLogPage } from "$schemas/executions.ts";
import { fromBroadcast, type MonitorEvent } from "./monitor-state";

export type Connection = "connecting" | "live" | "reconnecting";

export interface FollowOptions {
  supabase: SupabaseClient;
  accessToken: string;
  executionId: string;
  /** The seq of the newest event applied. */
  lastSeq: () => number;
  /** True when an event arrived ahead of one still missing. */
  hasGap: () => boolean;
  /** True once nothing more can happen (the run finished): the log is no longer polled. */
  finished: () => boolean;
  apply: (events: MonitorEvent[]) => void;
  onConnection: (connection: Connection) => void;
  /** How often to read the log anyway while nothing arrives (a lost broadcast is never waited for long). */
  quietCheckMs?: number;
}

/** Starts following; answers the function that stops. */
export function followExecution(options: FollowOptions): () => void {
  let stopped = false;
  let channel: RealtimeChannel | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let lastActivity = Date.now();

  async function readLog(): Promise<void> {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const response = await fetch(`/executions/${options.executionId}/events?after_seq=${options.lastSeq()}`, {
          headers: { accept: "application/json" },
        }).catch(() => null);
        if (!response?.ok) return;
        const page = (await response.json()) as ExecutionLogPage;
        if (stopped) return;
        if (page.items.length > 0) options.apply(page.items);
        if (page.items.length === 0 || page.items.length >= page.total) break;
      }
    } while (again && !stopped);
  }

  function catchUp(): void {
    lastActivity = Date.now();
    if (running) {
      again = true;
      return;
    }
    running = readLog().finally(() => (running = null));
  }

  void (async () => {
    options.onConnection("connecting");
    await options.supabase.realtime.setAuth(options.accessToken);
    if (stopped) return;
    channel = options.supabase.channel(`execution:${options.executionId}`, { config: { private: true } });
    channel.on("broadcast", { event: "*" }, (message) => {
      const event = fromBroadcast(String(message.event), (message.payload ?? {}) as Record<string, unknown>);
      if (!event) return;
      lastActivity = Date.now();
      options.apply([event]);
      if (options.hasGap()) catchUp();
    });
    // SUBSCRIBED again after every rejoin (a dropped connection that came back): read what passed.
    channel.subscribe((status) => {
      if (stopped) return;
      if (status === "SUBSCRIBED") {
        options.onConnection("live");
        catchUp();
      } else {
        options.onConnection("reconnecting");
      }
    });
  })();

  const quietCheckMs = options.quietCheckMs ?? 10_000;
  const timer = setInterval(() => {
    if (!options.finished() && Date.now() - lastActivity >= quietCheckMs) catchUp();
  }, 1000);
  const onOnline = () => catchUp();
  window.addEventListener("online", onOnline);

  return () => {
    stopped = true;
    clearInterval(timer);
    window.removeEventListener("online", onOnline);
    if (channel) void options.supabase.removeChannel(channel);
  };
}
