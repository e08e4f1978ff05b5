// Watching an agent write: from the moment the provider sends a token to the moment the run's
// watcher has it. An OpenAI-compatible agent points at a fake server in this process that waits
// --think ms, then streams its reply a word every --chunk ms (server-sent events, as OpenAI does);
// the run's owner follows `execution:<id>` with supabase-js (a private channel, their own token),
// where the executor sends `step_text` (the whole text so far, throttled to one per 100 ms) through
// Realtime's REST broadcast. Measured, each run started as the service side would:
//   first token   the fake writes the first piece of text → the first step_text arrives
//   text lag      each step_text → the moment the newest piece it carries was written
// Baseline in this process: a plain REST broadcast round trip (POST /realtime/v1/api/broadcast with
// the service key → the same watcher on a run's private topic).
// Target: first token p95 under 150 ms.
//   npx tsx scripts/bench/stream-latency.ts [--runs 30] [--think 400] [--chunk 50] [--pings 100] [--keep] [--instance bench]
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { Exchange } from "../fakes/fake-http.ts";
import { startFakeOpenAi } from "../fakes/fake-openai.ts";
import { instanceKeys, signingPrivateKey } from "../stack/instance-keys.ts";
import { isInstanceName, stackInstance } from "../stack/instances.ts";
import {
  type BenchStack,
  type Company,
  line,
  ms,
  openBenchStack,
  option,
  pause,
  say,
  seedAgents,
  seedCompany,
  seedTeam,
  startRun,
  summarize,
  waitForRuns,
  warmExecutor,
} from "./engine-bench-support.ts";

const runs = Number(option("--runs", "30"));
const thinkMs = Number(option("--think", "400"));
const chunkMs = Number(option("--chunk", "50"));
const pings = Number(option("--pings", "100"));
const warmUpRuns = 3;
const targetP95Ms = 150;

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

// When the fake wrote each piece of text, by the run's prompt (its label): the piece and the time.
const written = new Map<string, { piece: string; at: number }[]>();
const contentChunk = /"delta":\{"content":"((?:[^"\\]|\\.)*)"/;
const originalWrite = Exchange.prototype.write;
Exchange.prototype.write = function (this: Exchange, text: string) {
  const match = contentChunk.exec(text);
  if (match) {
    const body = this.record.body as { messages?: { role: string; content: string }[] } | undefined;
    const label = body?.messages?.find((message) => message.role === "user")?.content ?? "";
    const pieces = written.get(label) ?? [];
    pieces.push({ piece: JSON.parse(`"${match[1]}"`) as string, at: performance.now() });
    written.set(label, pieces);
  }
  return originalWrite.call(this, text);
};

/** The owner's access token, signed as Auth signs it on this stack's key system; and the stack's client key. */
async function ownerSession(stack: BenchStack, company: Company): Promise<{ token: string; clientKey: string }> {
  if (!isInstanceName(stack.name)) throw new Error(`no stack instance named ${stack.name}`);
  const keys = instanceKeys(stackInstance(stack.name));
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: company.ownerId, role: "authenticated", aud: "authenticated", aal: "aal1", session_id: crypto.randomUUID(), is_anonymous: false };
  const jwt = new SignJWT(claims).setIssuedAt(now).setExpirationTime(now + 3600);
  if (keys.mode === "legacy") return { token: await jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(keys.jwtSecret)), clientKey: keys.anonKey };
  return {
    token: await jwt.setProtectedHeader({ alg: "ES256", typ: "JWT", kid: keys.signingKey.kid }).sign(await signingPrivateKey(keys)),
    clientKey: keys.publishableKey,
  };
}

interface StepText {
  at: number;
  text: string;
}

const stack = await openBenchStack();
const fake = await startFakeOpenAi({ latencyMs: thinkMs, chunkDelayMs: chunkMs, reply: () => Array.from({ length: 20 }, (_, index) => `word${index + 1}`).join(" ") });
try {
  const company = await seedCompany(stack.sql, "stream");
  const [agentId] = await seedAgents(stack.sql, company, [{ name: "Streaming writer", provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: fake.url } }]);
  const teamId = await seedTeam(stack.sql, company, { name: "Streaming team", workflow: "sequential", agentIds: [agentId] });
  const session = await ownerSession(stack, company);
  // The person's token for every join (realtime-js asks for it again on joins and heartbeats).
  const supabase = createClient(stack.apiUrl, session.clientKey, {
    accessToken: async () => session.token,
    realtime: { transport: WebSocket as unknown as RealtimeTransport },
  });
  // Ask for it now too: the first join would not wait for the callback and go as anon.
  await supabase.realtime.setAuth();
  await warmExecutor(stack);

  const join = async (topic: string, onMessage: (event: string, payload: Record<string, unknown>) => void) => {
    const channel = supabase.channel(topic, { config: { private: true } });
    channel.on("broadcast", { event: "*" }, (message) => onMessage(message.event, message.payload ?? {}));
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => {
        if (status === "SUBSCRIBED") resolve();
        else if (status !== "CLOSED") reject(new Error(`${topic}: ${status} ${error?.message ?? ""}`));
      }, 30_000),
    );
    return channel;
  };

  const firstToken: number[] = [];
  const textLag: number[] = [];
  let messages = 0;
  let lateJoins = 0;
  let lastRunId = "";
  const streamingStarted = performance.now();
  for (let run = 0; run < warmUpRuns + runs; run++) {
    const label = `Write for bench run ${run} ${crypto.randomUUID()}`;
    const started = await startRun(stack.sql, teamId, label);
    lastRunId = started.id;
    const texts: StepText[] = [];
    const channel = await join(`execution:${started.id}`, (event, payload) => {
      if (event === "step_text") texts.push({ at: performance.now(), text: String(payload.text_so_far) });
    });
    const joinedAt = performance.now();
    const [finished] = await waitForRuns(stack.sql, [started.id], 60_000, 10);
    if (finished.status !== "completed") throw new Error(`run ${run} ended ${finished.status}`);
    const pieces = written.get(label) ?? [];
    const whole = pieces.map((piece) => piece.piece).join("");
    const deadline = Date.now() + 5_000;
    while (texts.at(-1)?.text !== whole && Date.now() < deadline) await pause(10);
    await supabase.removeChannel(channel);
    if (run < warmUpRuns) continue;
    if (pieces.length === 0 || texts.length === 0) throw new Error(`run ${run}: ${pieces.length} pieces written, ${texts.length} step_text received`);
    // A watcher that joined after the first piece was written could not have had it live.
    if (joinedAt > pieces[0].at) {
      lateJoins++;
      continue;
    }
    firstToken.push(texts[0].at - pieces[0].at);
    for (const text of texts) {
      messages++;
      // The newest piece this message carries: the last one whose running total fits in its text.
      let length = 0;
      let newest = pieces[0];
      for (const piece of pieces) {
        if (length + piece.piece.length > text.text.length) break;
        length += piece.piece.length;
        newest = piece;
      }
      textLag.push(text.at - newest.at);
    }
  }
  const streamingSeconds = (performance.now() - streamingStarted) / 1000;

  // Baseline: the REST broadcast alone, service key → the same watcher on a run's private topic.
  const pingSent = new Map<number, number>();
  const pingLatency: number[] = [];
  const pingChannel = await join(`execution:${lastRunId}`, (event, payload) => {
    if (event === "bench_ping") pingLatency.push(performance.now() - pingSent.get(Number(payload.n))!);
  });
  const ping = async (n: number) => {
    pingSent.set(n, performance.now());
    const answer = await fetch(`${stack.apiUrl}/realtime/v1/api/broadcast`, {
      method: "POST",
      headers: { apikey: stack.serviceKey, authorization: `Bearer ${stack.serviceKey}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ topic: `execution:${lastRunId}`, event: "bench_ping", payload: { n }, private: true }] }),
    });
    await answer.text();
    if (answer.status !== 202) throw new Error(`the broadcast answered ${answer.status}`);
  };
  for (let n = 0; n < 10; n++) await ping(-1 - n);
  await pause(200);
  pingLatency.length = 0;
  for (let n = 0; n < pings; n++) {
    await ping(n);
    await pause(20);
  }
  const pingDeadline = Date.now() + 5_000;
  while (pingLatency.length < pings && Date.now() < pingDeadline) await pause(10);
  await supabase.removeChannel(pingChannel);

  const first = summarize(firstToken);
  const lag = summarize(textLag);
  const baseline = summarize(pingLatency);
  say(`${runs} runs (after ${warmUpRuns} warm-up), the fake thinking ${thinkMs} ms then writing a word every ${chunkMs} ms; stack ${stack.apiUrl}`);
  console.log(line("first token → watcher", first));
  console.log(line("step_text lag (newest piece → watcher)", lag));
  console.log(line("baseline: REST broadcast → watcher", baseline));
  console.log(`ratios: first token p50 ${(first.p50 / baseline.p50).toFixed(1)}× baseline, p95 ${(first.p95 / baseline.p95).toFixed(1)}× baseline`);
  console.log(`throughput: ${messages} step_text messages received in ${streamingSeconds.toFixed(1)} s of runs (${(messages / streamingSeconds).toFixed(1)}/s, one run at a time); ${pingLatency.length}/${pings} pings delivered; ${lateJoins} runs left out (joined after the first piece)`);
  console.log(`target first token p95 < ${targetP95Ms} ms: ${first.p95 < targetP95Ms ? "met" : "missed"} (${ms(first.p95)})`);
  await supabase.removeAllChannels();
} finally {
  await fake.close();
  await stack.close();
}
