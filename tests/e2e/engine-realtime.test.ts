// Watching a run live, as the web monitor does: a member subscribes with realtime-js to the private
// topic `execution:<id>` right after starting the run, fetches what it missed from the event log,
// and ends with every event exactly once, numbered 1..N in order; a member of another company is
// refused the channel with the hosted server's reason. And money: a company whose monthly budget
// is spent cannot start another run.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  call,
  closeAllClients,
  collectBroadcasts,
  type Company,
  createTeam,
  demoAgent,
  engineDatabase,
  type EventRow,
  execution,
  newCompany,
  readRun,
  realtimeClient,
  removeCompanies,
  runFinished,
  startRun,
  subscribe,
  subscribed,
  waitFor,
} from "../fixtures/index.ts";

// Generous: a run whose worker is restarted under the suite (a file change reloads the function)
// finishes only after its lease expires and the scheduled kick wakes a new worker.
vi.setConfig({ testTimeout: 180_000 });

const sql = engineDatabase();
let company: Company;
let outsider: Company;

beforeAll(async () => {
  [company, outsider] = await Promise.all([newCompany(sql, "watcher"), newCompany(sql, "outsider")]);
});

afterEach(closeAllClients);

afterAll(async () => {
  await removeCompanies(sql, [company, outsider]);
  await sql.end();
});

async function channelAs(token: string, topic: string) {
  const client = realtimeClient();
  await client.setAuth(token);
  return client.channel(topic, { config: { private: true } });
}

/**
 * A broadcast's payload without what was added to the event's own payload: seq, execution_id and
 * step_id by the database, the message's id by Realtime (the log stores the payload alone).
 */
function withoutEnvelope(payload: Record<string, unknown>): Record<string, unknown> {
  const { seq: _seq, execution_id: _execution, step_id: _step, id: _id, ...rest } = payload;
  return rest;
}

describe("the live channel of a run", () => {
  it("delivers every event after the join once and in order, and with the log fills the start: seq 1..N, no gaps", async () => {
    const agents = await Promise.all(
      ["Live One", "Live Two", "Live Three"].map((name) => demoAgent(company, name, { latency_ms: 400, reply: "{agent}: {input}" })),
    );
    const team = await createTeam(company, {
      name: "Watched team",
      workflow_type: "sequential",
      agents: agents.map((agent_id, index) => ({ agent_id, execution_order: index + 1 })),
    });

    const started = await startRun(company, team, "Show me everything");
    const topic = `execution:${started.id}`;
    const channel = await channelAs(company.owner.token, topic);
    // The events of the log; the topic also carries the agents' text as they write it (step_text,
    // tests/e2e/step-text-stream.test.ts), which is not an event of the log.
    const broadcasts = collectBroadcasts(channel);
    const logEvents = () => broadcasts.filter((message) => message.event !== "step_text");
    await subscribed(channel);

    const run = await runFinished(sql, started.id);
    expect(run.status).toBe("completed");
    const last = run.last_event_seq;
    await waitFor(async () => logEvents().some((message) => message.payload.seq === last), `the broadcast of event ${last}`, 10_000, 20);
    const received = logEvents();

    // What the monitor fetches after subscribing: the log from the start (GET /logs?after_seq=0).
    const page = await readRun<{ items: Omit<EventRow, "created_at">[]; total: number; last_event_seq: number }>(company, started.id, "logs?after_seq=0&limit=1000");
    const log = page.items;
    expect(page).toMatchObject({ total: last, last_event_seq: last });
    expect(log.map((event) => event.seq)).toEqual(Array.from({ length: last }, (_, index) => index + 1));

    const seqs = received.map((message) => Number(message.payload.seq));
    const first = seqs[0];
    // Once joined, nothing is missed, repeated or reordered: the broadcasts are first..N exactly.
    expect(seqs).toEqual(Array.from({ length: last - first + 1 }, (_, index) => first + index));
    expect(new Set(received.map((message) => message.event))).toEqual(
      new Set(["status_update", "agent_status_update", "progress_update", "result_update"]),
    );
    for (const message of received) {
      const logged = log[Number(message.payload.seq) - 1];
      expect(message.event).toBe(logged.event);
      expect(message.payload.execution_id).toBe(started.id);
      expect(message.payload.step_id ?? null).toBe(logged.step_id);
      expect(withoutEnvelope(message.payload)).toEqual(logged.payload);
    }
    // The merge the monitor makes: the log for what came before the join, the channel after it.
    const merged = [...log.filter((event) => event.seq < first).map((event) => event.seq), ...seqs];
    expect(merged).toEqual(Array.from({ length: last }, (_, index) => index + 1));
    expect(received.at(-1)).toMatchObject({ event: "status_update", payload: { status: "completed" } });
  });

  it("refuses a member of another company the run's channel with the hosted server's reason", async () => {
    const agent = await demoAgent(company, "Private Agent", { latency_ms: 0 });
    const team = await createTeam(company, { name: "Private team", workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });
    const started = await startRun(company, team, "Not for them");
    const topic = `execution:${started.id}`;

    const [own, theirs] = await Promise.all([
      subscribe(await channelAs(company.owner.token, topic)),
      subscribe(await channelAs(outsider.owner.token, topic)),
    ]);

    expect(own.status).toBe("SUBSCRIBED");
    expect(theirs.status).toBe("CHANNEL_ERROR");
    expect(theirs.error?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`);
    await runFinished(sql, started.id);
  });
});

describe("the monthly budget", () => {
  it("lets a run start while budget remains, and refuses the next one once the spend reaches it", async () => {
    const budgeted = await newCompany(sql, "budget");
    try {
      await sql`update public.tenants set monthly_budget_usd = 0.01 where id = ${budgeted.tenantId}`;
      // demo-large costs US$ 4.00 per 1M output tokens: 50,000 tokens are US$ 0.20.
      const agent = await demoAgent(budgeted, "Expensive Agent", { latency_ms: 0, tokens_per_reply: 50_000 }, "demo-large");
      const team = await createTeam(budgeted, { name: "Costly team", workflow_type: "sequential", agents: [{ agent_id: agent, execution_order: 1 }] });

      const first = await startRun(budgeted, team, "Spend it");
      const run = await runFinished(sql, first.id);
      expect(run.status).toBe("completed");
      const [ledger] = await sql<{ cost_usd: string; output_tokens: string }[]>`
        select cost_usd::text, output_tokens::text from public.usage_ledger where execution_id = ${first.id}`;
      expect(ledger.output_tokens).toBe("50000");
      expect(Number(ledger.cost_usd)).toBeGreaterThanOrEqual(0.2);
      expect(Number((await execution(sql, first.id)).cost_usd)).toBe(Number(ledger.cost_usd));
      const result = await readRun(budgeted, first.id, "result");
      expect(result.cost.total_usd).toBe(Number(ledger.cost_usd));
      expect(result.cost.per_agent).toEqual([expect.objectContaining({ name: "Expensive Agent", model: "demo-large", output_tokens: 50_000, cost_usd: Number(ledger.cost_usd) })]);

      const refusal = await call(budgeted.owner, "POST", `/teams/${team}/execute`, {
        tenant: budgeted.tenantId,
        body: { initial_prompt: "Spend more" },
      });
      expect(refusal.status).toBe(402);
      expect(refusal.body.error.code).toBe("budget_exhausted");
      expect(refusal.body.error.message).toContain("the monthly budget of US$ 0.01 is spent");
      const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from public.executions where tenant_id = ${budgeted.tenantId}`;
      expect(count).toBe(1);
    } finally {
      await removeCompanies(sql, [budgeted]);
    }
  });
});
