// Watching an agent write: while a step runs, the executor sends its text so far on the run's private
// topic `execution:<id>` as `step_text` broadcasts (Realtime's REST broadcast, throttled), which the
// run's owner receives through the official supabase-js client before the step ends, growing, the
// last one equal to the step's output; a member of another company receives nothing; and the event
// log keeps only whole results (no row per piece). Providers are fake servers that stream slowly, a
// word every 50 ms, over the real wire protocols (OpenAI's and Anthropic's server-sent events).
// An agent with tools streams every round with its model, a tool call round then the answer, as one
// growing text. And when Realtime refuses broadcasts with 429 (the local Realtime's per-topic limit,
// set through its HTTP test hook), the step still succeeds with the whole answer, and the executor
// backs off instead of hammering: counted by what Realtime saw.
import { createClient, type SupabaseClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { startFakeAnthropic } from "../../scripts/fakes/fake-anthropic.ts";
import type { FakeServer } from "../../scripts/fakes/fake-http.ts";
import { startFakeOpenAi } from "../../scripts/fakes/fake-openai.ts";
import {
  type Company,
  call,
  createAgent,
  expectStatus,
  createTeam,
  engineDatabase,
  events,
  newCompany,
  removeCompanies,
  runFinished,
  stackEnv,
  startRun,
  steps,
  waitFor,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 120_000 });

const sql = engineDatabase();
let company: Company;
let outsider: Company;
const fakes: FakeServer[] = [];
const clients: SupabaseClient[] = [];

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

beforeAll(async () => {
  [company, outsider] = await Promise.all([newCompany(sql, "streamwatcher"), newCompany(sql, "streamoutsider")]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.removeAllChannels()));
});

afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  await removeCompanies(sql, [company, outsider]);
  await sql.end();
});

interface Received {
  event: string;
  payload: Record<string, unknown>;
}

/**
 * Joins the run's private topic with supabase-js as the holder of `token`: SUBSCRIBED, or the status
 * with the server's reason; and every broadcast, in arrival order.
 */
async function watch(token: string, executionId: string): Promise<{ status: string; received: Received[] }> {
  // The person's token for every join (realtime-js asks for it again on joins and heartbeats).
  const supabase = createClient(stackEnv.apiUrl, stackEnv.clientKey, {
    accessToken: async () => token,
    realtime: { transport: WebSocket as unknown as RealtimeTransport },
  });
  clients.push(supabase);
  // Ask for it now too: the first join would not wait for the callback and go as anon.
  await supabase.realtime.setAuth();
  const received: Received[] = [];
  const channel = supabase.channel(`execution:${executionId}`, { config: { private: true } });
  channel.on("broadcast", { event: "*" }, (message) => received.push({ event: message.event, payload: message.payload ?? {} }));
  const status = await new Promise<string>((resolve) => channel.subscribe((state, error) => state !== "CLOSED" && resolve(state === "SUBSCRIBED" ? state : `${state} ${error?.message}`)));
  return { status, received };
}

const longPrompt = "Write the weekly report of the sales team in about twenty words so that everyone can read it while it is being written";

async function soloRun(agentId: string, name: string) {
  const team = await createTeam(company, { name, workflow_type: "sequential", agents: [{ agent_id: agentId, execution_order: 1 }] });
  return startRun(company, team, longPrompt);
}

/** A latch a fake provider waits on: its answers start once the test is watching. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

function stepTexts(received: Received[]) {
  return received.filter((message) => message.event === "step_text").map((message) => message.payload as { step_id: string; attempt: number; seq: number; text_so_far: string });
}

async function expectStreamed(runId: string, owner: { received: Received[] }) {
  const run = await runFinished(sql, runId);
  expect(run.status).toBe("completed");
  const [step] = await steps(sql, runId);
  expect(step.output).toBeTruthy();
  // The last piece goes out beside the result, so it may land just after the step's own events.
  await waitFor(async () => stepTexts(owner.received).some((message) => message.text_so_far === step.output), "the whole text as a step_text", 10_000, 20);

  const texts = stepTexts(owner.received);
  expect(texts.length).toBeGreaterThanOrEqual(3);
  expect(new Set(texts.map((message) => message.step_id))).toEqual(new Set([step.id]));
  // One attempt, numbered in order, each message the whole text so far: every one a prefix of the next.
  expect(texts.map((message) => message.seq)).toEqual(texts.map((_, index) => index + 1));
  for (const [index, message] of texts.entries()) {
    if (index > 0) expect(message.text_so_far.startsWith(texts[index - 1].text_so_far)).toBe(true);
    expect(step.output!.startsWith(message.text_so_far)).toBe(true);
  }
  expect(texts.at(-1)!.text_so_far).toBe(step.output);

  // Text arrived while the step ran: before the broadcast of its success.
  const succeededAt = owner.received.findIndex((message) => message.event === "agent_status_update" && message.payload.status === "succeeded");
  const firstTextAt = owner.received.findIndex((message) => message.event === "step_text");
  expect(succeededAt).toBeGreaterThan(-1);
  expect(firstTextAt).toBeGreaterThan(-1);
  expect(firstTextAt).toBeLessThan(succeededAt);
  const beforeEnd = owner.received.slice(0, succeededAt).filter((message) => message.event === "step_text");
  expect(beforeEnd.length).toBeGreaterThanOrEqual(2);

  // The log keeps whole results only: the step's output once, nothing per piece.
  const log = await events(sql, runId);
  expect(log.map((event) => event.event)).not.toContain("step_text");
  const results = log.filter((event) => event.event === "result_update" && event.step_id === step.id);
  expect(results.map((event) => event.payload.output)).toEqual([step.output]);
  return step;
}

describe("an agent's text as it is written", () => {
  it("streams an OpenAI-compatible agent's text to the run's owner before the step ends, and to no other company", async () => {
    const watching = latch();
    const fake = await startFakeOpenAi({ chunkDelayMs: 50, answerAfter: watching.opened });
    fakes.push(fake);
    const agent = await createAgent(company, { name: "Slow Writer", provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: fake.url } });
    const started = await soloRun(agent, "Streamed OpenAI team");
    const [owner, other] = await Promise.all([watch(company.owner.token, started.id), watch(outsider.owner.token, started.id)]);
    expect(owner.status).toBe("SUBSCRIBED");
    expect(other.status).toBe(`CHANNEL_ERROR Unauthorized: You do not have permissions to read from this Channel topic: execution:${started.id}`);
    watching.open();

    await expectStreamed(started.id, owner);
    // The provider was asked for a stream.
    expect(fake.requests.at(-1)?.body).toMatchObject({ stream: true });
    expect(other.received).toEqual([]);
  });

  it("streams an Anthropic agent's text the same way", async () => {
    const watching = latch();
    const fake = await startFakeAnthropic({ chunkDelayMs: 50, answerAfter: watching.opened });
    fakes.push(fake);
    const agent = await createAgent(company, { name: "Slow Claude", provider: "anthropic", model: "claude-sonnet-4-5", config: { base_url: fake.url } });
    const started = await soloRun(agent, "Streamed Anthropic team");
    const owner = await watch(company.owner.token, started.id);
    expect(owner.status).toBe("SUBSCRIBED");
    watching.open();
    await expectStreamed(started.id, owner);
  });

  it("streams every round of an agent with tools: what it says before the tool call, then its answer, as one growing text", async () => {
    const watching = latch();
    const fake = await startFakeOpenAi({ chunkDelayMs: 50, answerAfter: watching.opened });
    fakes.push(fake);
    const agent = await createAgent(company, { name: "Tool Writer", provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: fake.url } });
    await expectStatus(call(company.owner, "PATCH", `/agents/${agent}`, { tenant: company.tenantId, body: { tools: ["current_time"] } }), 200);
    const team = await createTeam(company, { name: "Streamed tools team", workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });
    const started = await startRun(company, team, `${longPrompt}\n@say First I will look at the clock to date the report properly.\n@tool current_time {"timezone":"America/Sao_Paulo"}`);
    const owner = await watch(company.owner.token, started.id);
    expect(owner.status).toBe("SUBSCRIBED");
    watching.open();

    const run = await runFinished(sql, started.id);
    expect(run.status).toBe("completed");
    const [step] = await steps(sql, started.id);
    const preface = "First I will look at the clock to date the report properly.";
    const whole = `${preface}\n\n${step.output}`;
    await waitFor(async () => stepTexts(owner.received).some((message) => message.text_so_far === whole), "both rounds' text as a step_text", 10_000, 20);
    // Both rounds were asked for a stream; the first one's answer asked for the tool.
    const rounds = fake.requests.filter((request) => request.path === "/v1/chat/completions");
    expect(rounds.map((request) => (request.body as { stream?: boolean }).stream)).toEqual([true, true]);
    expect(step.output).toContain("tool result:");

    const texts = stepTexts(owner.received);
    expect(texts.map((message) => message.seq)).toEqual(texts.map((_, index) => index + 1));
    for (const [index, message] of texts.entries()) {
      if (index > 0) expect(message.text_so_far.startsWith(texts[index - 1].text_so_far)).toBe(true);
      expect(whole.startsWith(message.text_so_far)).toBe(true);
    }
    // The first round's words were shown before the tool ran, and the answer's while it was written.
    const toolAt = owner.received.findIndex((message) => message.event === "tool_call");
    const succeededAt = owner.received.findIndex((message) => message.event === "agent_status_update" && message.payload.status === "succeeded");
    expect(toolAt).toBeGreaterThan(-1);
    expect(owner.received.slice(0, toolAt).some((message) => message.event === "step_text" && (message.payload.text_so_far as string).length > 0)).toBe(true);
    const answering = owner.received.slice(toolAt, succeededAt).filter((message) => message.event === "step_text" && (message.payload.text_so_far as string).length > preface.length + 2);
    expect(answering.length).toBeGreaterThanOrEqual(2);
    // The log: one tool_call, the answer once, nothing per piece.
    const log = await events(sql, started.id);
    expect(log.filter((event) => event.event === "tool_call").map((event) => event.payload.tool)).toEqual(["current_time"]);
    expect(log.filter((event) => event.event === "result_update" && event.step_id === step.id).map((event) => event.payload.output)).toEqual([step.output]);
    expect(log.map((event) => event.event)).not.toContain("step_text");
  });
});

describe("when Realtime refuses broadcasts (429)", () => {
  const limitsUrl = (topic?: string) => `${stackEnv.apiUrl}/realtime/v1/api/limits${topic ? `?topic=${encodeURIComponent(topic)}` : ""}`;
  const serviceKey = () => process.env.SECRET_KEY || stackEnv.serviceRoleKey;
  const asService = () => ({ apikey: serviceKey(), authorization: `Bearer ${serviceKey()}`, "content-type": "application/json" });
  const limited: string[] = [];

  afterAll(async () => {
    await Promise.all(limited.map((topic) => fetch(limitsUrl(topic), { method: "DELETE", headers: asService() })));
  });

  async function limit(topic: string, max: number, retryAfterSeconds: number) {
    limited.push(topic);
    const answer = await fetch(limitsUrl(), { method: "PUT", headers: asService(), body: JSON.stringify({ topic, max_events_per_second: max, retry_after_seconds: retryAfterSeconds }) });
    expect(answer.status).toBe(204);
  }

  async function seen(topic: string) {
    const answer = await fetch(limitsUrl(topic), { headers: asService() });
    expect(answer.status).toBe(200);
    return (await answer.json()) as { requests: number; accepted: number; refused: number };
  }

  /** A run whose fake provider thinks 1.5 s before writing (time to set the run's limit) then writes a word every 50 ms. */
  async function slowRun(name: string) {
    const fake = await startFakeOpenAi({ latencyMs: 1_500, chunkDelayMs: 50 });
    fakes.push(fake);
    const agent = await createAgent(company, { name, provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: fake.url } });
    return soloRun(agent, `${name} team`);
  }

  it("the limit hook is the service's: a user's token may not set it", async () => {
    const answer = await fetch(limitsUrl(), {
      method: "PUT",
      headers: { apikey: stackEnv.clientKey, authorization: `Bearer ${company.owner.token}`, "content-type": "application/json" },
      body: JSON.stringify({ topic: "execution:anything", max_events_per_second: 0 }),
    });
    expect(answer.status).toBe(403);
  });

  it("refused every time: the step succeeds with its whole answer, and the executor stops after three tries, each after Retry-After", async () => {
    const started = await slowRun("Refused Writer");
    await limit(`execution:${started.id}`, 0, 1);
    const owner = await watch(company.owner.token, started.id);

    const run = await runFinished(sql, started.id);
    expect(run.status).toBe("completed");
    const [step] = await steps(sql, started.id);
    expect(step.output).toMatch(/^fake-openai/);
    // The durable result reached the watcher through the log's broadcast; no step_text did.
    await waitFor(async () => owner.received.some((message) => message.event === "result_update"), "the result", 10_000, 20);
    expect(stepTexts(owner.received)).toEqual([]);
    // Three tries (the first, then one after each Retry-After), and then no more: the last one may
    // come after the step ended, while its flush waits out the backoff.
    await waitFor(async () => (await seen(`execution:${started.id}`)).requests >= 3, "three tries", 10_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await seen(`execution:${started.id}`)).toMatchObject({ requests: 3, accepted: 0, refused: 3 });
  });

  it("one message a second: the text still grows and ends whole, each refusal waited out before the next try", async () => {
    const started = await slowRun("Throttled Writer");
    const topic = `execution:${started.id}`;
    await limit(topic, 1, 1);
    const owner = await watch(company.owner.token, started.id);

    const run = await runFinished(sql, started.id);
    expect(run.status).toBe("completed");
    const [step] = await steps(sql, started.id);
    await waitFor(async () => stepTexts(owner.received).some((message) => message.text_so_far === step.output), "the whole text after the backoff", 10_000, 20);
    const texts = stepTexts(owner.received);
    for (const [index, message] of texts.entries()) {
      if (index > 0) expect(message.text_so_far.startsWith(texts[index - 1].text_so_far)).toBe(true);
      expect(step.output!.startsWith(message.text_so_far)).toBe(true);
    }
    const counted = await seen(topic);
    expect(counted.refused).toBeGreaterThan(0);
    expect(counted.accepted).toBe(texts.length);
    // Never two refusals in a row: after each one the executor waited its Retry-After (a new
    // second), where a sender ignoring it would have tried every 100 ms, ~10 refusals per message.
    expect(counted.refused).toBeLessThanOrEqual(counted.accepted);
    expect(counted.requests).toBe(counted.accepted + counted.refused);
  });
});
