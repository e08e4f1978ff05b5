// Watching an agent write: while a step runs, the executor sends its text so far on the run's private
// topic `execution:<id>` as `step_text` broadcasts (Realtime's REST broadcast, throttled), which the
// run's owner receives through the official supabase-js client before the step ends, growing, the
// last one equal to the step's output; a member of another company receives nothing; and the event
// log keeps only whole results (no row per piece). Providers are fake servers that stream slowly, a
// word every 50 ms, over the real wire protocols (OpenAI's and Anthropic's server-sent events).
import { createClient, type SupabaseClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { startFakeAnthropic } from "../../scripts/fakes/fake-anthropic.ts";
import type { FakeServer } from "../../scripts/fakes/fake-http.ts";
import { startFakeOpenAi } from "../../scripts/fakes/fake-openai.ts";
import {
  type Company,
  createAgent,
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
    const fake = await startFakeOpenAi({ chunkDelayMs: 50 });
    fakes.push(fake);
    const agent = await createAgent(company, { name: "Slow Writer", provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: fake.url } });
    const started = await soloRun(agent, "Streamed OpenAI team");
    const [owner, other] = await Promise.all([watch(company.owner.token, started.id), watch(outsider.owner.token, started.id)]);
    expect(owner.status).toBe("SUBSCRIBED");
    expect(other.status).toBe(`CHANNEL_ERROR Unauthorized: You do not have permissions to read from this Channel topic: execution:${started.id}`);

    await expectStreamed(started.id, owner);
    // The provider was asked for a stream.
    expect(fake.requests.at(-1)?.body).toMatchObject({ stream: true });
    expect(other.received).toEqual([]);
  });

  it("streams an Anthropic agent's text the same way", async () => {
    const fake = await startFakeAnthropic({ chunkDelayMs: 50 });
    fakes.push(fake);
    const agent = await createAgent(company, { name: "Slow Claude", provider: "anthropic", model: "claude-sonnet-4-5", config: { base_url: fake.url } });
    const started = await soloRun(agent, "Streamed Anthropic team");
    const owner = await watch(company.owner.token, started.id);
    expect(owner.status).toBe("SUBSCRIBED");
    await expectStreamed(started.id, owner);
  });
});
