// What the engine does when a provider fails, end to end: agents call a fake OpenAI-compatible
// server (a real HTTP server in this process, named by the agent's config.base_url) that answers
// as scripted. A rate limit is retried no sooner than its Retry-After, a server error is retried,
// a refused key is not retried (the run fails, or goes on when the team continues on errors), and
// a provider that never answers is cut off at the run's time limit: the run fails saying so and
// the provider sees its connection closed.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeServer } from "../../scripts/fakes/fake-http.ts";
import { startFakeOpenAi } from "../../scripts/fakes/fake-openai.ts";
import {
  type Company,
  createTeam,
  demoAgent,
  engineDatabase,
  events,
  newCompany,
  openAiAgent,
  removeCompanies,
  runFinished,
  startRun,
  steps,
  waitFor,
} from "../fixtures/index.ts";

// Generous: a run whose worker is restarted under the suite (a file change reloads the function)
// finishes only after its lease expires and the scheduled kick wakes a new worker.
vi.setConfig({ testTimeout: 180_000 });

const sql = engineDatabase();
let company: Company;
const fakes: FakeServer[] = [];

beforeAll(async () => {
  company = await newCompany(sql, "failures");
});

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

afterAll(async () => {
  await removeCompanies(sql, [company]);
  await sql.end();
});

/** A fake OpenAI server that also notes when each request arrived (performance.now()). */
async function fakeOpenAi(): Promise<FakeServer & { arrivals: number[] }> {
  const fake = await startFakeOpenAi();
  fakes.push(fake);
  const arrivals: number[] = [];
  const push = fake.requests.push.bind(fake.requests);
  fake.requests.push = (...requests) => {
    for (const _ of requests) arrivals.push(performance.now());
    return push(...requests);
  };
  return Object.assign(fake, { arrivals });
}

async function usageRows(stepId: string): Promise<number> {
  const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from public.usage_ledger where step_id = ${stepId}`;
  return count;
}

async function soloTeam(name: string, agentId: string, extra: { continue_on_error?: boolean; timeout_seconds?: number; then?: string } = {}) {
  return createTeam(company, {
    name,
    workflow_type: "sequential",
    continue_on_error: extra.continue_on_error,
    timeout_seconds: extra.timeout_seconds,
    agents: [
      { agent_id: agentId, execution_order: 1 },
      ...(extra.then ? [{ agent_id: extra.then, execution_order: 2 }] : []),
    ],
  });
}

describe("retries", () => {
  it("retries a rate limit no sooner than its Retry-After, and the second attempt's result is recorded once", async () => {
    const fake = await fakeOpenAi();
    fake.script({ status: 429, retryAfter: 1 }, "ok");
    const agent = await openAiAgent(company, "Rate Limited", fake.url);
    const team = await soloTeam("Rate limit team", agent);

    const started = await startRun(company, team, "Qualify this lead");
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("completed");
    const [step] = await steps(sql, started.id);
    expect(step).toMatchObject({ status: "succeeded", attempt_count: 2 });
    expect(step.output).toContain("fake-openai reply");
    expect(fake.requests).toHaveLength(2);
    expect(fake.arrivals[1] - fake.arrivals[0]).toBeGreaterThanOrEqual(1_000);
    const failure = (await events(sql, started.id)).find((event) => event.event === "error_update");
    expect(failure?.payload).toMatchObject({ attempt: 1, will_retry: true });
    expect(Number(failure?.payload.retry_in_ms)).toBeGreaterThanOrEqual(1_000);
    expect(await usageRows(step.id)).toBe(1);
  });

  it("retries a server error and succeeds on the second attempt", async () => {
    const fake = await fakeOpenAi();
    fake.script({ status: 500 }, "ok");
    const agent = await openAiAgent(company, "Flaky Server", fake.url);
    const team = await soloTeam("Server error team", agent);

    const started = await startRun(company, team, "Draft a reply");
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("completed");
    const [step] = await steps(sql, started.id);
    expect(step).toMatchObject({ status: "succeeded", attempt_count: 2, error_message: null });
    expect(fake.requests.map((request) => request.behaviour)).toEqual([{ status: 500 }, "ok"]);
    expect(await usageRows(step.id)).toBe(1);
  });

  it("does not retry a refused key: the step fails at once and the run fails with it", async () => {
    const fake = await fakeOpenAi();
    fake.script({ status: 401 });
    const agent = await openAiAgent(company, "Bad Key", fake.url);
    const next = await demoAgent(company, "After Bad Key", { reply: "should not run" });
    const team = await soloTeam("Refused key team", agent, { then: next });

    const started = await startRun(company, team, "Say hi");
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("failed");
    expect(run.error_message).toMatch(/^agent "Bad Key" failed: /);
    const [failed, skipped] = await steps(sql, started.id);
    expect(failed).toMatchObject({ status: "failed", attempt_count: 1 });
    expect(failed.error_message).toMatch(/401|key|auth/i);
    expect(skipped).toMatchObject({ status: "cancelled", skip_reason: "an earlier agent failed and the team stops on errors", started_at: null });
    expect(fake.requests).toHaveLength(1);
    expect(await usageRows(failed.id)).toBe(0);
  });

  it("goes on after a refused key when the team continues on errors", async () => {
    const fake = await fakeOpenAi();
    fake.script({ status: 401 });
    const agent = await openAiAgent(company, "Bad Key Tolerated", fake.url);
    const next = await demoAgent(company, "After Tolerated Key", { reply: "still here: {input}" });
    const team = await soloTeam("Tolerant team", agent, { then: next, continue_on_error: true });

    const started = await startRun(company, team, "Say hi");
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("completed");
    expect(run.error_message).toBeNull();
    const [failed, succeeded] = await steps(sql, started.id);
    expect(failed).toMatchObject({ status: "failed", attempt_count: 1 });
    expect(succeeded).toMatchObject({ status: "succeeded", output: "still here: Say hi" });
    expect(fake.requests).toHaveLength(1);
    expect(run.final_result?.summary).toBe("still here: Say hi");
  });
});

describe("the run's time limit", () => {
  it("fails a run whose provider never answers when its time limit passes, and really aborts the call", async () => {
    const fake = await fakeOpenAi();
    fake.script("slow", "slow", "slow");
    const agent = await openAiAgent(company, "Never Answers", fake.url);
    const team = await soloTeam("Ten second team", agent, { timeout_seconds: 10 });

    const started = await startRun(company, team, "Think forever");
    await waitFor(async () => fake.requests.length > 0, "the provider call", 30_000);
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("failed");
    expect(run.error_message).toBe("the run passed its time limit of 10 s");
    const [step] = await steps(sql, started.id);
    expect(step).toMatchObject({ status: "cancelled", skip_reason: "the run passed its time limit" });
    expect((await events(sql, started.id)).some((event) => event.event === "error_update" && event.payload.message === "the run passed its time limit"))
      .toBe(true);
    // The provider saw the request go away before it answered: the call was aborted, not left hanging.
    await Promise.race([
      Promise.all(fake.requests.map((request) => request.closed)),
      new Promise((_, reject) => setTimeout(() => reject(new Error("a provider connection stayed open")), 15_000)),
    ]);
    expect(fake.requests.every((request) => request.clientClosedEarly)).toBe(true);
    // Nothing was tried again past the limit.
    expect(fake.requests).toHaveLength(1);
    expect(await usageRows(step.id)).toBe(0);
  });
});
