// Database-to-client latency of the local Realtime: from `select realtime.send(...)` to the broadcast
// arriving in each of N realtime-js clients (one WebSocket each, as N browsers), for N = 1, 50 and
// 200, against a bare LISTEN/NOTIFY round trip through postgres.js in the same process as the baseline.
//   tsx scripts/bench/realtime-latency.ts [--instance dev|test|work1..] [--messages 100] [--interval 20]
// URLs and keys come from API_URL / ANON_KEY / DB_URL when set, else from
// `tsx scripts/stack/cli.ts status --instance <name> -o json` (the stack must be running).
// Target: p95 under 50 ms with 200 clients.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { RealtimeClient, type RealtimeClientOptions } from "@supabase/realtime-js";
import postgres from "postgres";
import WebSocket from "ws";
import { repoRoot } from "../stack/instances.ts";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const messages = Number(option("--messages", "100"));
const intervalMs = Number(option("--interval", "20"));
const instance = option("--instance", process.env.RENUM_STACK ?? "dev");
const clientCounts = [1, 50, 200];
const targetP95Ms = 50;

function stackVariables(): { apiUrl: string; anonKey: string; dbUrl: string } {
  // A stack on signing keys has a publishable key instead of the anon JWT.
  const clientKey = process.env.PUBLISHABLE_KEY || process.env.ANON_KEY;
  if (process.env.API_URL && clientKey && process.env.DB_URL) {
    return { apiUrl: process.env.API_URL, anonKey: clientKey, dbUrl: process.env.DB_URL };
  }
  const output = execFileSync(join(repoRoot, "node_modules/.bin/tsx"), [join(repoRoot, "scripts/stack/cli.ts"), "status", "--instance", instance, "-o", "json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const variables = JSON.parse(output) as Record<string, string>;
  return { apiUrl: variables.API_URL, anonKey: variables.PUBLISHABLE_KEY ?? variables.ANON_KEY, dbUrl: variables.DB_URL };
}

const { apiUrl, anonKey, dbUrl } = stackVariables();
const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Result {
  p50: number;
  p95: number;
  delivered: number;
  expected: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function summarize(latencies: number[], expected: number): Result {
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), delivered: latencies.length, expected };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await pause(10);
}

/** `messages` sends, `intervalMs` apart; `send(seq)` returns once the sending statement committed. */
async function paced(send: (seq: number) => Promise<unknown>, sentAt: number[]): Promise<void> {
  for (let seq = 0; seq < messages; seq++) {
    sentAt[seq] = performance.now();
    await send(seq);
    await pause(intervalMs);
  }
}

async function measureRealtime(clientCount: number): Promise<Result> {
  const topic = `bench:${process.pid}:${clientCount}:${Date.now()}`;
  const sentAt: number[] = [];
  const latencies: number[] = [];
  let warmups = 0;
  const clients = Array.from(
    { length: clientCount },
    () => new RealtimeClient(`${apiUrl}/realtime/v1`, { params: { apikey: anonKey }, transport: WebSocket as unknown as RealtimeClientOptions["transport"] }),
  );
  const channels = clients.map((client) =>
    client.channel(topic).on("broadcast", { event: "*" }, ({ event, payload }) => {
      const receivedAt = performance.now();
      if (event === "warmup") warmups++;
      else latencies.push(receivedAt - sentAt[payload.seq as number]);
    }),
  );
  await Promise.all(
    channels.map(
      (channel) =>
        new Promise<void>((resolve, reject) =>
          channel.subscribe((status, error) => {
            if (status === "SUBSCRIBED") resolve();
            else reject(new Error(`subscribe: ${status} ${error?.message ?? ""}`));
          }, 30_000),
        ),
    ),
  );

  const send = (event: string, seq: number) => sql`select realtime.send(jsonb_build_object('seq', ${seq}::int), ${event}, ${topic}, false)`;
  for (let n = 0; n < 5; n++) await send("warmup", n);
  await waitUntil(() => warmups === 5 * clientCount, 10_000);

  await paced((seq) => send("tick", seq), sentAt);
  await waitUntil(() => latencies.length === messages * clientCount, 10_000);

  await Promise.all(clients.map((client) => client.disconnect()));
  return summarize(latencies, messages * clientCount);
}

async function measureListenNotify(): Promise<Result> {
  const channel = `renum_bench_baseline_${process.pid}`;
  const listener = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const sentAt: number[] = [];
  const latencies: number[] = [];
  const { unlisten } = await listener.listen(channel, (seq) => {
    const receivedAt = performance.now();
    if (Number(seq) >= 0) latencies.push(receivedAt - sentAt[Number(seq)]);
  });
  for (let n = 0; n < 5; n++) await sql`select pg_notify(${channel}, '-1')`;
  await pause(100);
  await paced((seq) => sql`select pg_notify(${channel}, ${String(seq)})`, sentAt);
  await waitUntil(() => latencies.length === messages, 10_000);
  await unlisten();
  await listener.end();
  return summarize(latencies, messages);
}

const format = (ms: number) => ms.toFixed(1).padStart(8);

const baseline = await measureListenNotify();
const results = new Map<number, Result>();
for (const clientCount of clientCounts) results.set(clientCount, await measureRealtime(clientCount));
await sql.end();

console.log(`realtime.send → broadcast received by every client (${messages} messages, ${intervalMs} ms apart, stack ${apiUrl})`);
console.log("clients    p50 ms    p95 ms   delivered      p50÷base  p95÷base");
for (const [clientCount, result] of results) {
  console.log(
    `${String(clientCount).padStart(7)}${format(result.p50)}  ${format(result.p95)}  ${`${result.delivered}/${result.expected}`.padStart(10)}  ${(result.p50 / baseline.p50).toFixed(1).padStart(8)}×${(result.p95 / baseline.p95).toFixed(1).padStart(8)}×`,
  );
}
console.log(`baseline: LISTEN/NOTIFY through postgres.js, pg_notify → notification: p50 ${baseline.p50.toFixed(1)} ms, p95 ${baseline.p95.toFixed(1)} ms`);
const atTarget = results.get(200)!;
console.log(`target p95 < ${targetP95Ms} ms at 200 clients: ${atTarget.p95 < targetP95Ms && atTarget.delivered === atTarget.expected ? "met" : "missed"} (${atTarget.p95.toFixed(1)} ms)`);
