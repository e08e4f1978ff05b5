// The execution engine end to end, one strategy at a time: a person starts a team's run, the
// database wakes the `executor` function through pg_net, and the run ends with each agent's
// result where the strategy says: one after another (sequential), side by side with a leader
// summarising (parallel), each output feeding the next (pipeline), and agents that run or are
// skipped by their conditions (conditional). Agents use the demo provider, whose replies are
// templates of their input, so what each agent received can be read back from what it answered.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type Company,
  createTeam,
  demoAgent,
  engineDatabase,
  events,
  newCompany,
  readRun,
  removeCompanies,
  runFinished,
  startRun,
  steps,
} from "../fixtures/index.ts";

// Generous: a run whose worker is restarted under the suite (a file change reloads the function)
// finishes only after its lease expires and the scheduled kick wakes a new worker.
vi.setConfig({ testTimeout: 180_000 });

const sql = engineDatabase();
let company: Company;

beforeAll(async () => {
  company = await newCompany(sql, "strategies");
});

afterAll(async () => {
  await removeCompanies(sql, [company]);
  await sql.end();
});

const time = (moment: Date | null) => {
  if (!moment) throw new Error("expected a time");
  return moment.getTime();
};

describe("a sequential team", () => {
  it("runs its agents one after another, in order, each on the prompt, and answers with the last one's output", async () => {
    const agents = await Promise.all(
      ["Seq One", "Seq Two", "Seq Three"].map((name) => demoAgent(company, name, { latency_ms: 100, reply: "{agent} read: {input}" })),
    );
    const team = await createTeam(company, {
      name: "Sequential team",
      workflow_type: "sequential",
      agents: agents.map((agent_id, index) => ({ agent_id, execution_order: index + 1 })),
    });

    const started = await startRun(company, team, "Plan the launch");
    expect(started.status).toBe("running");
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("completed");
    expect(run.error_message).toBeNull();
    const done = await steps(sql, started.id);
    expect(done.map((step) => [step.name, step.status, step.attempt_count, step.resolved_input, step.output])).toEqual([
      ["Seq One", "succeeded", 1, "Plan the launch", "Seq One read: Plan the launch"],
      ["Seq Two", "succeeded", 1, "Plan the launch", "Seq Two read: Plan the launch"],
      ["Seq Three", "succeeded", 1, "Plan the launch", "Seq Three read: Plan the launch"],
    ]);
    for (let index = 1; index < done.length; index++) {
      expect(time(done[index].started_at)).toBeGreaterThanOrEqual(time(done[index - 1].finished_at));
    }
    // The log tells the same story: each agent starts only after the one before it succeeded.
    const log = await events(sql, started.id);
    const moments = (status: string) =>
      done.map((step) => log.find((event) => event.step_id === step.id && event.event === "agent_status_update" && event.payload.status === status)!.seq);
    const running = moments("running");
    const succeeded = moments("succeeded");
    expect(running[1]).toBeGreaterThan(succeeded[0]);
    expect(running[2]).toBeGreaterThan(succeeded[1]);
    expect(run.final_result?.summary).toBe("Seq Three read: Plan the launch");
    expect(run.final_result?.details.map((detail) => detail.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(run).toMatchObject({ total_steps: 3, finished_steps: 3 });
    // The API tells the same: progress, each agent's step, the answer and what each agent cost.
    const status = await readRun(company, started.id, "status");
    expect(status).toMatchObject({ status: "completed", progress: 1, current_step: null, finished_steps: 3, last_event_seq: run.last_event_seq });
    expect(status.agents.map((agent: { name: string; status: string }) => [agent.name, agent.status])).toEqual([
      ["Seq One", "succeeded"],
      ["Seq Two", "succeeded"],
      ["Seq Three", "succeeded"],
    ]);
    const result = await readRun(company, started.id, "result");
    expect(result.final_result.summary).toBe("Seq Three read: Plan the launch");
    const perAgent = result.cost.per_agent as { name: string; cost_usd: number }[];
    expect(perAgent.map((agent) => agent.name)).toEqual(["Seq One", "Seq Two", "Seq Three"]);
    expect(perAgent.every((agent) => agent.cost_usd > 0)).toBe(true);
    expect(perAgent.reduce((sum, agent) => sum + agent.cost_usd, 0)).toBeCloseTo(result.cost.total_usd, 6);
  });
});

describe("a parallel team with a leader", () => {
  it("runs the members side by side, then the leader on everything they said, whose summary is the answer", async () => {
    const members = await Promise.all(
      ["Par Alpha", "Par Beta", "Par Gamma"].map((name) => demoAgent(company, name, { latency_ms: 1_000, reply: "{agent} found: {input}" })),
    );
    const leader = await demoAgent(company, "Par Leader", { latency_ms: 50, reply: "SUMMARY<{input}>" });
    const team = await createTeam(company, {
      name: "Parallel team",
      workflow_type: "parallel",
      agents: [
        ...members.map((agent_id) => ({ agent_id, execution_order: 1 })),
        { agent_id: leader, role: "leader" as const, execution_order: 2 },
      ],
    });

    const started = await startRun(company, team, "Research the market");
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("completed");
    const done = await steps(sql, started.id);
    expect(done.map((step) => step.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    const [first, second, third, lead] = done;
    expect(lead).toMatchObject({ name: "Par Leader", role: "leader" });
    // Side by side: every member had started before any of them finished.
    const lastMemberStart = Math.max(...[first, second, third].map((step) => time(step.started_at)));
    const firstMemberFinish = Math.min(...[first, second, third].map((step) => time(step.finished_at)));
    expect(lastMemberStart).toBeLessThan(firstMemberFinish);
    // The leader waits for all of them and reads the prompt and each member's output under its name.
    expect(time(lead.started_at)).toBeGreaterThanOrEqual(Math.max(...[first, second, third].map((step) => time(step.finished_at))));
    const expectedLeaderInput = [
      "Research the market",
      ...[first, second, third].map((step) => `## ${step.name}\n${step.name} found: Research the market`),
    ].join("\n\n");
    expect(lead.resolved_input).toBe(expectedLeaderInput);
    expect(lead.output).toBe(`SUMMARY<${expectedLeaderInput}>`);
    expect(run.final_result?.summary).toBe(`SUMMARY<${expectedLeaderInput}>`);
  });
});

describe("a pipeline team", () => {
  it("feeds each agent's output forward: by default the previous one's, or as its input names, and answers with the last", async () => {
    const first = await demoAgent(company, "Pipe Drafter", { latency_ms: 50, reply: "draft<{input}>" });
    const second = await demoAgent(company, "Pipe Editor", { latency_ms: 50, reply: "edited<{input}>" });
    const third = await demoAgent(company, "Pipe Translator", { latency_ms: 50, reply: "translated<{input}>" });
    const fourth = await demoAgent(company, "Pipe Publisher", { latency_ms: 50, reply: "published<{input}>" });
    const team = await createTeam(company, {
      name: "Pipeline team",
      workflow_type: "pipeline",
      agents: [
        { agent_id: first, execution_order: 1 },
        { agent_id: second, execution_order: 2 },
        {
          agent_id: third,
          execution_order: 3,
          input: {
            source: "combined",
            sources: [{ type: "initial_prompt" }, { type: "agent_result", agent_id: first }, { type: "variable", name: "lang" }],
            template: `Brief: {{initial_prompt}} | First draft: {{agent:${first}}} | Language: {{variables.lang}}`,
          },
        },
        { agent_id: fourth, execution_order: 4, input: { source: "agent_result", agent_id: second } },
      ],
    });

    const started = await startRun(company, team, "Write a post", { lang: "pt-BR" });
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("completed");
    const done = await steps(sql, started.id);
    expect(done.map((step) => [step.name, step.status, step.resolved_input, step.output])).toEqual([
      ["Pipe Drafter", "succeeded", "Write a post", "draft<Write a post>"],
      ["Pipe Editor", "succeeded", "draft<Write a post>", "edited<draft<Write a post>>"],
      [
        "Pipe Translator",
        "succeeded",
        "Brief: Write a post | First draft: draft<Write a post> | Language: pt-BR",
        "translated<Brief: Write a post | First draft: draft<Write a post> | Language: pt-BR>",
      ],
      ["Pipe Publisher", "succeeded", "edited<draft<Write a post>>", "published<edited<draft<Write a post>>>"],
    ]);
    expect(run.final_result?.summary).toBe("published<edited<draft<Write a post>>>");
  });
});

describe("a conditional team", () => {
  it("runs an agent whose condition holds, skips one whose condition fails with the reason, and goes on", async () => {
    const triage = await demoAgent(company, "Cond Triage", { latency_ms: 50, reply: "URGENT: {input}" });
    const escalate = await demoAgent(company, "Cond Escalate", { latency_ms: 50, reply: "escalated {input}" });
    const upsell = await demoAgent(company, "Cond Upsell", { latency_ms: 50, reply: "upsold {input}" });
    const closer = await demoAgent(company, "Cond Closer", { latency_ms: 50, reply: "closed {input}" });
    const team = await createTeam(company, {
      name: "Conditional team",
      workflow_type: "conditional",
      agents: [
        { agent_id: triage, execution_order: 1 },
        { agent_id: escalate, execution_order: 2, conditions: [{ field: `agents.${triage}.output`, operator: "contains", value: "urgent" }] },
        { agent_id: upsell, execution_order: 3, conditions: [{ field: "variables.score", operator: "greater_than", value: 5 }] },
        { agent_id: closer, execution_order: 4, conditions: [{ field: `agents.${upsell}.status`, operator: "equals", value: "skipped" }] },
      ],
    });

    const started = await startRun(company, team, "Customer is angry", { score: 2 });
    const run = await runFinished(sql, started.id);

    expect(run.status).toBe("completed");
    const done = await steps(sql, started.id);
    expect(done.map((step) => [step.name, step.status, step.skip_reason, step.output])).toEqual([
      ["Cond Triage", "succeeded", null, "URGENT: Customer is angry"],
      ["Cond Escalate", "succeeded", null, "escalated Customer is angry"],
      ["Cond Upsell", "skipped", "condition variables.score greater_than 5 was not met (value: 2)", null],
      ["Cond Closer", "succeeded", null, "closed Customer is angry"],
    ]);
    expect(done[2].started_at).toBeNull();
    const log = await events(sql, started.id);
    expect(log.filter((event) => event.step_id === done[2].id).map((event) => event.payload)).toEqual([
      { agent_id: upsell, status: "skipped", reason: "condition variables.score greater_than 5 was not met (value: 2)" },
    ]);
    expect(run.final_result?.summary).toBe("closed Customer is angry");
    expect(run.final_result?.details[2]).toMatchObject({
      status: "skipped",
      skip_reason: "condition variables.score greater_than 5 was not met (value: 2)",
    });
  });
});
