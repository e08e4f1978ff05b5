// Following a run live in the browser: the private Realtime channel `execution:<id>` (joined with
// the session's access token, shared with the rest of the tab through ./execution-channel), and the
// run's event log (this app's /executions/<id>/events, which asks the API with the session) to fill
// what the channel missed: everything before the join, whatever passed while the connection was
// down, and any gap the monitor notices. The monitor state decides what is new, so overlaps cost
// nothing.
//
// Losing the network: realtime-js notices the socket closed (or its heartbeat unanswered),
// reconnects by itself with a backoff and rejoins the channel, which reports SUBSCRIBED again; the
// log is read then. A read of the log that fails is tried again, sooner when the browser says it is
// back online. Meanwhile the page says "offline" (the browser knows it has no network) or
// "reconnecting" (the channel is not joined, or the log cannot be read).
import type { RealtimeLoader } from "$lib/realtime/client";
import type { ExecutionLogPage } from "$schemas/executions.ts";
import { listenToExecution } from "./execution-channel";
import { fromBroadcast, type MonitorEvent } from "./monitor-state";

export type Connection = "connecting" | "live" | "reconnecting" | "offline";

export interface FollowOptions {
  realtime: RealtimeLoader;
  executionId: string;
  /** The seq of the newest event applied. */
  lastSeq: () => number;
  /** True when an event arrived ahead of one still missing. */
  hasGap: () => boolean;
  /** True once nothing more can happen (the run finished): the log is no longer polled. */
  finished: () => boolean;
  apply: (events: MonitorEvent[]) => void;
  /** A running step's text so far (a `step_text` broadcast: not an event of the log). */
  onStepText?: (payload: Record<string, unknown>) => void;
  onConnection: (connection: Connection) => void;
  /** One page of the log after a seq; by default this app's /executions/<id>/events. */
  readLog?: (afterSeq: number) => Promise<ExecutionLogPage>;
  /** How often to read the log anyway while nothing arrives (a lost broadcast is never waited for long). */
  quietCheckMs?: number;
  /** The wait before a failed read of the log is tried again; it doubles up to 16 times that. */
  retryMs?: number;
}

/** This app's events endpoint for the run; throws when it does not answer with a page. */
export function readLogFromApp(executionId: string): (afterSeq: number) => Promise<ExecutionLogPage> {
  return async (afterSeq) => {
    const response = await fetch(`/executions/${executionId}/events?after_seq=${afterSeq}`, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`the run's events answered ${response.status}`);
    return (await response.json()) as ExecutionLogPage;
  };
}

function browserOffline(): boolean {
  return typeof navigator !== "undefined" && navigator.onLine === false;
}

/** Starts following; answers the function that stops. */
export function followExecution(options: FollowOptions): () => void {
  const readLog = options.readLog ?? readLogFromApp(options.executionId);
  const retryMs = options.retryMs ?? 1000;
  let stopped = false;
  let subscribed = false;
  let readFailing = false;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let lastActivity = Date.now();
  let reported: Connection | null = null;

  function report(): void {
    if (stopped) return;
    const connection: Connection = browserOffline() ? "offline" : !subscribed ? (reported === null || reported === "connecting" ? "connecting" : "reconnecting") : readFailing ? "reconnecting" : "live";
    if (connection === reported) return;
    reported = connection;
    options.onConnection(connection);
  }

  /** Reads pages of the log after the newest applied event until it has them all; false when a read failed. */
  async function readToEnd(): Promise<boolean> {
    for (;;) {
      if (stopped) return true;
      let page: ExecutionLogPage;
      try {
        page = await readLog(options.lastSeq());
      } catch {
        return false;
      }
      if (stopped) return true;
      if (page.items.length > 0) options.apply(page.items);
      if (page.items.length === 0 || page.items.length >= page.total) return true;
    }
  }

  async function readWhileAsked(): Promise<void> {
    do {
      again = false;
      const complete = await readToEnd();
      if (stopped) return;
      readFailing = !complete;
      report();
      if (!complete) {
        if (!options.finished()) scheduleRetry();
        return;
      }
      failures = 0;
    } while (again);
  }

  function scheduleRetry(): void {
    clearTimeout(retryTimer);
    // Offline, the "online" event asks again; a timer still runs in case that event never comes.
    const wait = retryMs * 2 ** Math.min(failures++, 4);
    retryTimer = setTimeout(catchUp, wait);
  }

  function catchUp(): void {
    if (stopped) return;
    lastActivity = Date.now();
    clearTimeout(retryTimer);
    if (running) {
      again = true;
      return;
    }
    running = readWhileAsked().finally(() => (running = null));
  }

  report();
  const stopListening = listenToExecution(options.realtime, options.executionId, {
    onStepText: (payload) => options.onStepText?.(payload),
    onBroadcast(name, payload) {
      const event = fromBroadcast(name, payload);
      if (!event) return;
      lastActivity = Date.now();
      options.apply([event]);
      if (options.hasGap()) catchUp();
    },
    // SUBSCRIBED again after every rejoin (a dropped connection that came back): read what passed.
    onStatus(status) {
      subscribed = status === "SUBSCRIBED";
      report();
      if (subscribed) catchUp();
    },
  });

  const quietCheckMs = options.quietCheckMs ?? 10_000;
  const timer = setInterval(() => {
    if (!options.finished() && Date.now() - lastActivity >= quietCheckMs) catchUp();
  }, 1000);
  const onOnline = () => {
    report();
    failures = 0;
    catchUp();
  };
  const onOffline = () => report();
  if (typeof window !== "undefined") {
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
  }

  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(retryTimer);
    if (typeof window !== "undefined") {
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
    }
    stopListening();
  };
}
