import postgres from "postgres";
import { dbUrl } from "../instances.ts";
import type { BackgroundWorker, ServiceContext } from "../gateway/gateway-service.ts";

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string> | null;
  body: Buffer | null;
  timeout_milliseconds: number;
}

interface RecordedResponse {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
}

// pg_net hands up to pg_net.batch_size (200) queued requests to curl at once; a lower bound here
// would hold a burst behind a few slow requests (the callers' timeouts run up to 10 s).
const maxInFlight = 200;
// A claimed request has left the queue, so its outcome is the only trace of it: a failed write
// (a connection lost to a Postgres restart) is tried again rather than dropped.
const recordAttempts = 8;
const recordRetryMs = 250;
// pg_net's defaults: responses are kept for 6 hours, then deleted.
const responseTtl = "6 hours";
const sweepIntervalMs = 5 * 60_000;
// Notifications wake the worker at once; the poll only catches what arrived while it was down.
const pollIntervalMs = 1_000;

/**
 * pg_net performed for real: `net.http_get/post/delete` queue rows in net.http_request_queue (the
 * bootstrap's SQL surface); this worker claims them, performs them with bounded concurrency and the
 * call's timeout, and records each outcome in net._http_response, as pg_net's background worker does.
 * Like pg_net, delivery is at most once: a claimed request is removed from the queue.
 */
export function pgNetWorker({ instance, log }: ServiceContext): BackgroundWorker {
  const sql = postgres(dbUrl(instance), { max: 4, onnotice: () => {}, connection: { application_name: "renum-pg-net-worker" } });
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let draining: Promise<void> | null = null;
  let pollTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;

  async function claim(limit: number): Promise<QueuedRequest[]> {
    return sql<QueuedRequest[]>`
      delete from net.http_request_queue
      where id in (select id from net.http_request_queue order by id limit ${limit} for update skip locked)
      returning id, method, url, headers, body, timeout_milliseconds`;
  }

  async function perform(request: QueuedRequest): Promise<RecordedResponse> {
    const outcome: RecordedResponse = { id: request.id, status_code: null, content_type: null, headers: null, content: null, timed_out: false, error_msg: null };
    try {
      const answer = await fetch(request.url, {
        method: request.method,
        headers: request.headers ?? {},
        body: request.method === "GET" || !request.body ? undefined : new Uint8Array(request.body),
        signal: AbortSignal.timeout(request.timeout_milliseconds),
        redirect: "follow",
      });
      outcome.status_code = answer.status;
      outcome.content_type = answer.headers.get("content-type");
      outcome.headers = Object.fromEntries(answer.headers.entries());
      outcome.content = await answer.text();
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      outcome.timed_out = timedOut;
      outcome.error_msg = timedOut
        ? `Timeout of ${request.timeout_milliseconds} ms reached`
        : `Couldn't connect to server: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
    }
    return outcome;
  }

  async function record(outcome: RecordedResponse): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await insertResponse(outcome, attempt > 1);
        return;
      } catch (error) {
        if (stopped || attempt >= recordAttempts) throw error;
        log(`[pg_net] request ${outcome.id}: recording its response failed (${error instanceof Error ? error.message : String(error)}), trying again`);
        await new Promise((resolve) => setTimeout(resolve, recordRetryMs * attempt));
      }
    }
  }

  async function insertResponse(outcome: RecordedResponse, retrying: boolean): Promise<void> {
    // Only a retry can find its response written already (the write landed, its answer was lost).
    // The check reads the whole table (pg_net's has no index on id), so a first write skips it.
    const unlessWritten = retrying ? sql`where not exists (select from net._http_response r where r.id = ${outcome.id})` : sql``;
    await sql`
      insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
      select ${outcome.id}, ${outcome.status_code}, ${outcome.content_type}, ${outcome.headers ? sql.json(outcome.headers) : null},
             ${outcome.content}, ${outcome.timed_out}, ${outcome.error_msg}
      ${unlessWritten}`;
  }

  async function drainQueue(): Promise<void> {
    while (!stopped) {
      const room = maxInFlight - inFlight.size;
      if (room <= 0) {
        await Promise.race(inFlight);
        continue;
      }
      const requests = await claim(room);
      if (requests.length === 0) return;
      for (const request of requests) {
        const task = perform(request)
          .then(record)
          .catch((error) => log(`[pg_net] request ${request.id} could not be recorded: ${error instanceof Error ? error.message : String(error)}`))
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    }
  }

  // One drain at a time; a wake-up during a drain runs another right after it.
  let wakeRequested = false;
  function wake(): void {
    if (stopped) return;
    if (draining) {
      wakeRequested = true;
      return;
    }
    draining = drainQueue()
      .catch((error) => log(`[pg_net] queue drain failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        draining = null;
        if (wakeRequested) {
          wakeRequested = false;
          wake();
        }
      });
  }

  return {
    name: "pg_net",
    async start() {
      await sql.listen("net_request_queued", wake);
      pollTimer = setInterval(wake, pollIntervalMs);
      sweepTimer = setInterval(() => {
        sql`delete from net._http_response where created < now() - ${responseTtl}::interval`.catch(() => undefined);
      }, sweepIntervalMs);
      wake();
    },
    async stop() {
      stopped = true;
      clearInterval(pollTimer);
      clearInterval(sweepTimer);
      await draining;
      await Promise.allSettled([...inFlight]);
      await sql.end({ timeout: 5 });
    },
  };
}
