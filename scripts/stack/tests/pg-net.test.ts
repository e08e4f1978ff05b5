// pg_net's queue performed for real: net.http_* calls from SQL become HTTP requests, and their
// outcomes land in net._http_response, as on Supabase. A call made by a pg_cron job is the
// heartbeat's kick of the executor (private.heartbeat), which tests/e2e/engine-durability.test.ts
// relies on when a killed worker's run completes: no minute is waited for here.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../test/stack-env.ts";

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const sql = postgres(stackEnv.dbUrl, { max: 2, onnotice: () => {} });
const seen: SeenRequest[] = [];
let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      if (request.url?.startsWith("/slow")) {
        setTimeout(() => response.end("too late"), 2_000);
        return;
      }
      response.writeHead(201, { "content-type": "application/json", "x-receiver": "renum-test" });
      response.end(JSON.stringify({ received: true }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sql.end();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

interface StoredResponse {
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean | null;
  error_msg: string | null;
}

async function responseFor(requestId: string, timeoutMs = 45_000): Promise<StoredResponse> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rows = await sql<StoredResponse[]>`
      select status_code, content_type, headers, content, timed_out, error_msg from net._http_response where id = ${requestId}`;
    if (rows.length > 0) return rows[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  const [queued] = await sql`select 1 from net.http_request_queue where id = ${requestId}`;
  throw new Error(`no response recorded for pg_net request ${requestId}: ${queued ? "still queued, never claimed" : "claimed, and its response lost"}`);
}

describe("pg_net worker", () => {
  it("performs net.http_post with its body, params and headers, and records the response", async () => {
    const [{ id }] = await sql`
      select net.http_post(
        url := ${`${receiverUrl}/hook`},
        body := '{"execution_id": "e-1", "attempt": 2}'::jsonb,
        params := '{"source": "cron job", "n": "1"}'::jsonb,
        headers := '{"Content-Type": "application/json", "Authorization": "Bearer from-sql"}'::jsonb
      ) as id`;
    const stored = await responseFor(id);
    expect(stored).toMatchObject({ status_code: 201, content_type: "application/json", content: '{"received":true}', timed_out: false, error_msg: null });
    expect(stored.headers?.["x-receiver"]).toBe("renum-test");

    const request = seen.find((candidate) => candidate.url.startsWith("/hook"))!;
    expect(request.method).toBe("POST");
    expect(new URL(request.url, receiverUrl).searchParams.get("source")).toBe("cron job");
    expect(request.headers.authorization).toBe("Bearer from-sql");
    expect(JSON.parse(request.body)).toEqual({ execution_id: "e-1", attempt: 2 });
    // Like pg_net, a performed request leaves the queue.
    const queued = await sql`select 1 from net.http_request_queue where id = ${id}`;
    expect(queued).toHaveLength(0);
  });

  it("calls an edge function through the gateway with net.http_get and records its answer", async () => {
    const [{ id }] = await sql`select net.http_get(${`${stackEnv.functionsUrl}/health`}) as id`;
    const stored = await responseFor(id);
    expect(stored.status_code).toBe(200);
    expect(JSON.parse(stored.content!)).toMatchObject({ status: "ok" });
  });

  it("performs net.http_delete", async () => {
    const [{ id }] = await sql`select net.http_delete(${`${receiverUrl}/things/7`}) as id`;
    expect((await responseFor(id)).status_code).toBe(201);
    expect(seen.some((request) => request.method === "DELETE" && request.url === "/things/7")).toBe(true);
  });

  it("records a timeout when the server answers later than the call's timeout", async () => {
    const [{ id }] = await sql`select net.http_get(${`${receiverUrl}/slow`}, timeout_milliseconds := 200) as id`;
    const stored = await responseFor(id);
    expect(stored.timed_out).toBe(true);
    expect(stored.status_code).toBeNull();
    expect(stored.error_msg).toMatch(/Timeout of 200 ms reached/);
  });

  it("records an error when nothing listens at the URL, and keeps serving later requests", async () => {
    const [{ id: refusedId }] = await sql`select net.http_get('http://127.0.0.1:9/nothing') as id`;
    const refused = await responseFor(refusedId);
    expect(refused.status_code).toBeNull();
    expect(refused.timed_out).toBe(false);
    expect(refused.error_msg).toMatch(/Couldn't connect to server/);

    const [{ id }] = await sql`select net.http_get(${`${receiverUrl}/after-error`}) as id`;
    expect((await responseFor(id)).status_code).toBe(201);
  });

  it("performs a burst of queued requests, each recorded once", async () => {
    const ids = await sql.begin(async (transaction) => {
      const rows = [];
      for (let n = 0; n < 40; n++) rows.push((await transaction`select net.http_get(${`${receiverUrl}/burst/${n}`}) as id`)[0].id);
      return rows as string[];
    });
    for (const id of ids) expect((await responseFor(id)).status_code).toBe(201);
    const [{ count }] = await sql`select count(*)::int as count from net._http_response where id = any(${ids}::bigint[])`;
    expect(count).toBe(40);
  });

  it("records a response whose first write was cut off, once", async () => {
    // The response table is held locked so that the worker's write waits, and that write's
    // connection is then terminated, as a Postgres restart would: the request has already left the
    // queue, so only a second write keeps its outcome.
    let lockTaken!: () => void;
    let releaseLock!: () => void;
    const taken = new Promise<void>((resolve) => (lockTaken = resolve));
    const released = new Promise<void>((resolve) => (releaseLock = resolve));
    const holding = sql.begin(async (transaction) => {
      await transaction`lock table net._http_response in access exclusive mode`;
      lockTaken();
      await released;
    });
    await taken;
    try {
      const [{ id }] = await sql`select net.http_get(${`${receiverUrl}/cut-off`}) as id`;
      const deadline = Date.now() + 20_000;
      let terminated = 0;
      while (terminated === 0 && Date.now() < deadline) {
        const rows = await sql`
          select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'renum-pg-net-worker' and wait_event_type = 'Lock' and query like '%insert into net._http_response%'`;
        terminated = rows.length;
        if (terminated === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(terminated).toBe(1);
      releaseLock();
      await holding;
      expect((await responseFor(id)).status_code).toBe(201);
      const [{ count }] = await sql`select count(*)::int as count from net._http_response where id = ${id}`;
      expect(count).toBe(1);
    } finally {
      releaseLock();
      await holding;
    }
  });
});
