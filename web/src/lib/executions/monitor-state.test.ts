import { describe, expect, it } from "vitest";
import type { ExecutionStatusResponse } from "$schemas/executions.ts";
import {
  applyEvent,
  applyEvents,
  earlierEventCount,
  fromBroadcast,
  hasGap,
  initialState,
  isFinished,
  timelinePageSize,
  decisionsFor,
  withApprovals,
  withCitations,
  callsForStatusRead,
  eventsBeyondStatus,
  withEarlierEvents,
  withStepText,
  type MonitorEvent,
} from "./monitor-state";

const runId = "00000000-0000-4000-8000-000000000001";
const steps = ["00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2"];
const agentIds = ["00000000-0000-4000-8000-0000000000b1", "00000000-0000-4000-8000-0000000000b2"];

function status(): ExecutionStatusResponse {
  return {
    execution_id: runId,
    team_id: "00000000-0000-4000-8000-0000000000c1",
    team_name: "Vendas",
    workflow_type: "sequential",
    status: "pending",
    initial_prompt: "Planeje a semana",
    variables: {},
    current_step: 1,
    total_steps: 2,
    finished_steps: 0,
    progress: 0,
    agents: steps.map((step_id, index) => ({
      step_id,
      agent_id: agentIds[index],
      name: `Agente ${index + 1}`,
      position: index + 1,
      role: "member" as const,
      status: "pending" as const,
      attempt_count: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      latency_ms: null,
      skip_reason: null,
      error: null,
      started_at: null,
      finished_at: null,
      approval: null,
      citations: [],
    })),
    cost_usd: 0,
    input_tokens: 0,
    output_tokens: 0,
    error_message: null,
    created_at: "2026-11-22T10:00:00Z",
    started_at: null,
    finished_at: null,
    deadline_at: null,
    last_event_seq: 1,
  };
}

const at = "2026-11-22T10:00:05Z";
const event = (seq: number, name: MonitorEvent["event"], payload: Record<string, unknown>, step_id: string | null = null): MonitorEvent => ({
  seq,
  event: name,
  step_id,
  payload,
  created_at: at,
});

// A whole run of two agents one after another, as the engine logs it (seq 1 is the start).
const run: MonitorEvent[] = [
  event(1, "status_update", { status: "pending", total_steps: 2 }),
  event(2, "status_update", { status: "running" }),
  event(3, "agent_status_update", { agent_id: agentIds[0], status: "ready" }, steps[0]),
  event(4, "progress_update", { finished_steps: 0, total_steps: 2, progress: 0 }),
  event(5, "agent_status_update", { agent_id: agentIds[0], status: "running", attempt: 1 }, steps[0]),
  event(6, "agent_status_update", { agent_id: agentIds[0], status: "succeeded", input_tokens: 10, output_tokens: 20, cost_usd: 0.0002, latency_ms: 1500 }, steps[0]),
  event(7, "result_update", { agent_id: agentIds[0], output: "Primeira parte" }, steps[0]),
  event(8, "agent_status_update", { agent_id: agentIds[1], status: "ready" }, steps[1]),
  event(9, "progress_update", { finished_steps: 1, total_steps: 2, progress: 0.5 }),
  event(10, "agent_status_update", { agent_id: agentIds[1], status: "running", attempt: 1 }, steps[1]),
  event(11, "agent_status_update", { agent_id: agentIds[1], status: "succeeded", input_tokens: 30, output_tokens: 40, cost_usd: 0.0004, latency_ms: 1500 }, steps[1]),
  event(12, "result_update", { agent_id: agentIds[1], output: "Segunda parte" }, steps[1]),
  event(13, "progress_update", { finished_steps: 2, total_steps: 2, progress: 1 }),
  event(14, "result_update", { final_result: { summary: "Segunda parte", details: [] } }),
  event(15, "status_update", { status: "completed", error_message: null, cost_usd: 0.0006, input_tokens: 40, output_tokens: 60 }),
];

const start = () => initialState(status(), null, run.slice(0, 1));

describe("the live monitor's state", () => {
  it("follows a run from start to finish: agents, progress, tokens, cost and result", () => {
    const halfway = applyEvents(start(), run.slice(1, 7));
    expect(halfway.run.status).toBe("running");
    expect(halfway.agents.map((agent) => agent.status)).toEqual(["succeeded", "pending"]);
    expect(halfway.agents[0]).toMatchObject({ input_tokens: 10, output_tokens: 20, cost_usd: 0.0002, latency_ms: 1500, started_at: at });
    expect(halfway.run.cost_usd).toBe(0.0002);
    expect(halfway.outputs[agentIds[0]]).toBe("Primeira parte");

    const done = applyEvents(halfway, run.slice(7));
    expect(isFinished(done)).toBe(true);
    expect(done.run).toMatchObject({ status: "completed", progress: 1, finished_steps: 2, cost_usd: 0.0006, input_tokens: 40, output_tokens: 60, current_step: null });
    expect(done.finalResult?.summary).toBe("Segunda parte");
    expect(done.timeline.map((entry) => entry.seq)).toEqual(run.map((entry) => entry.seq));
  });

  it("ignores duplicates: an event seen twice, or one the snapshot already had, changes nothing", () => {
    const once = applyEvents(start(), run.slice(1, 6));
    const twice = applyEvents(once, [run[5], run[5], run[2], run[0]]);
    expect(twice).toBe(once);
    expect(twice.agents[0].input_tokens).toBe(10);
    expect(twice.run.cost_usd).toBe(0.0002);
  });

  it("holds an event that arrives early until the ones before it come, then applies them in order", () => {
    const state = applyEvents(start(), run.slice(1, 4));
    const early = applyEvent(state, run[5]); // seq 6 before 5
    expect(early.lastSeq).toBe(4);
    expect(early.agents[0].status).toBe("ready");
    expect(hasGap(early)).toBe(true);

    const filled = applyEvent(early, run[4]);
    expect(hasGap(filled)).toBe(false);
    expect(filled.lastSeq).toBe(6);
    expect(filled.agents[0].status).toBe("succeeded");
    expect(filled.timeline.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("fills a gap from the log (a reconnect), taking each event once though the log and the channel overlap", () => {
    const beforeDrop = applyEvents(start(), run.slice(1, 5));
    // The connection dropped during 6..9; the channel delivers 10 and 11 after it comes back.
    const afterReconnect = applyEvents(beforeDrop, [run[9], run[10]]);
    expect(afterReconnect.lastSeq).toBe(5);
    // The log after seq 5 (it overlaps what is waiting).
    const filled = applyEvents(afterReconnect, run.slice(5, 12));
    expect(filled.lastSeq).toBe(12);
    expect(filled.waiting).toEqual([]);
    expect(filled.timeline.map((entry) => entry.seq)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
    expect(filled.run.cost_usd).toBe(0.0006);
    expect(filled.agents.map((agent) => agent.status)).toEqual(["succeeded", "succeeded"]);
  });

  it("starts from a snapshot and applies only the log's events beyond it", () => {
    const snapshot = { ...status(), status: "running" as const, last_event_seq: 6 };
    snapshot.agents[0] = { ...snapshot.agents[0], status: "succeeded", input_tokens: 10, output_tokens: 20, cost_usd: 0.0002 };
    snapshot.cost_usd = 0.0002;
    const state = initialState(snapshot, null, run.slice(0, 8));
    expect(state.lastSeq).toBe(8);
    expect(state.agents[0].input_tokens).toBe(10);
    expect(state.run.cost_usd).toBe(0.0002);
    expect(state.agents[1].status).toBe("ready");
    expect(state.outputs[agentIds[0]]).toBe("Primeira parte");
  });

  it("shows a stop: the run and its open agents cancelled", () => {
    const running = applyEvents(start(), run.slice(1, 5));
    const stopped = applyEvents(running, [
      event(6, "agent_status_update", { agent_id: agentIds[0], status: "cancelled", reason: "stopped" }, steps[0]),
      event(7, "agent_status_update", { agent_id: agentIds[1], status: "cancelled", reason: "stopped" }, steps[1]),
      event(8, "status_update", { status: "cancelled", cancelled_by: "x" }),
    ]);
    expect(stopped.run.status).toBe("cancelled");
    expect(stopped.agents.map((agent) => agent.status)).toEqual(["cancelled", "cancelled"]);
    expect(isFinished(stopped)).toBe(true);
  });

  it("reads a broadcast: seq and step from the envelope, the rest as the payload", () => {
    const received = fromBroadcast("agent_status_update", { agent_id: agentIds[0], status: "running", seq: 5, execution_id: runId, step_id: steps[0], id: "m1" });
    expect(received).toMatchObject({ seq: 5, event: "agent_status_update", step_id: steps[0], payload: { agent_id: agentIds[0], status: "running" } });
    expect(fromBroadcast("status_update", { status: "running" })).toBeNull();
  });
});

// A long run: after the two agents' first events, its runtime writes many log lines.
const seqs = (events: { seq: number }[]) => events.map((entry) => entry.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);
const logLines = (from: number, to: number) => range(from, to).map((seq) => event(seq, "log", { message: `linha ${seq}` }));

describe("the live monitor's state of a long log", () => {
  const longLog = [...run.slice(0, 7), ...logLines(8, 2500)];
  const snapshot = () => ({ ...status(), status: "running" as const, last_event_seq: 2500 });

  it("starts with the newest events the page read, and knows how many came before them", () => {
    const state = initialState(snapshot(), null, longLog.slice(-timelinePageSize));
    expect(seqs(state.timeline)).toEqual(range(2301, 2500));
    expect(earlierEventCount(state)).toBe(2300);
    expect(state.lastSeq).toBe(2500);
  });

  it("puts earlier pages in front, each event once and without holes, until it has them all", () => {
    let state = initialState(snapshot(), null, longLog.slice(-timelinePageSize));
    // A page that overlaps what is shown, then one with a hole before what is shown: only what joins is taken.
    state = withEarlierEvents(state, longLog.slice(2000, 2350));
    expect(seqs(state.timeline)).toEqual(range(2001, 2500));
    expect(withEarlierEvents(state, longLog.slice(100, 1500))).toBe(state);
    while (earlierEventCount(state) > 0) {
      const before = earlierEventCount(state) + 1;
      state = withEarlierEvents(state, longLog.slice(Math.max(0, before - 1 - timelinePageSize), before - 1));
    }
    expect(seqs(state.timeline)).toEqual(range(1, 2500));
    expect(state.timeline.filter((entry) => entry.event === "log")).toHaveLength(2493);
  });

  it("keeps only the newest events while a long run goes on, and keeps those the person asked to see", () => {
    const start = initialState({ ...status(), status: "running", last_event_seq: 7 }, null, run.slice(0, 7));
    const live = applyEvents(start, logLines(8, 700));
    expect(live.lastSeq).toBe(700);
    expect(seqs(live.timeline)).toEqual(range(701 - timelinePageSize, 700));
    expect(earlierEventCount(live)).toBe(700 - timelinePageSize);

    const expanded = withEarlierEvents(live, logLines(301, 500));
    const later = applyEvents(expanded, logLines(701, 750));
    expect(seqs(later.timeline)).toEqual(range(301, 750));
    // A gap filled from the log after a reconnect lands in order, once, at the end.
    const reconnected = applyEvents(applyEvents(later, logLines(760, 770)), logLines(740, 780));
    expect(seqs(reconnected.timeline)).toEqual(range(301, 780));
    expect(new Set(seqs(reconnected.timeline)).size).toBe(reconnected.timeline.length);
  });

  it("has each agent's output after a reload though the event that carried it is older than the page read", () => {
    // The first agent answered at seq 7; the page read only the newest events, and the outputs so far from the whole log.
    const state = initialState(snapshot(), null, longLog.slice(-timelinePageSize), { [agentIds[0]]: "Primeira parte" });
    expect(state.outputs[agentIds[0]]).toBe("Primeira parte");
    // And one in the events the page read is taken even when it is not beyond the status.
    const short = initialState({ ...status(), status: "running", last_event_seq: 12 }, null, run.slice(0, 12));
    expect(short.outputs).toEqual({ [agentIds[0]]: "Primeira parte", [agentIds[1]]: "Segunda parte" });
  });
});

describe("a step waiting for approval", () => {
  const approver = "00000000-0000-4000-8000-0000000000d1";
  const due = "2026-11-22T11:00:05Z";

  /** The first agent's work waits for a person (an hour, then rejected). */
  function withApproval(): ExecutionStatusResponse {
    const snapshot = status();
    snapshot.agents[0].approval = {
      approvers: [approver],
      timeout_seconds: 3600,
      on_timeout: "reject",
      due_at: null,
      output: null,
      proposed_output: null,
      decision: null,
      decided_by: null,
      decided_at: null,
      reason: null,
      can_decide: false,
    };
    return snapshot;
  }

  const waiting = (seq: number) =>
    event(seq, "agent_status_update", { agent_id: agentIds[0], status: "waiting_approval", input_tokens: 10, output_tokens: 20, cost_usd: 0.001, latency_ms: 5, proposed_output: "Rascunho", approval_due_at: due, approvers: [approver] }, steps[0]);

  it("takes the text to decide and the time limit from the event, counts the cost once, and leaves its output unaccepted", () => {
    const state = applyEvents(initialState(withApproval(), null), [event(2, "status_update", { status: "running" }), waiting(3)]);
    const agent = state.agents[0];
    expect(agent.status).toBe("waiting_approval");
    expect(agent.approval).toMatchObject({ output: "Rascunho", due_at: due, approvers: [approver], decision: null, can_decide: false });
    expect(agent.cost_usd).toBe(0.001);
    expect(state.outputs[agentIds[0]]).toBeUndefined();
    // Nobody may decide until the status read says this person may.
    expect(decisionsFor(state)).toEqual([]);
  });

  it("learns who may decide from a status read that has seen as far, and ignores an older read", () => {
    const state = applyEvents(initialState(withApproval(), null), [event(2, "status_update", { status: "running" }), waiting(3)]);
    const older = withApproval();
    const read = withApproval();
    read.agents[0].status = "waiting_approval";
    read.agents[0].approval = { ...read.agents[0].approval!, output: "Rascunho", due_at: due, can_decide: true };
    expect(decisionsFor(withApprovals(state, older))).toEqual([]);
    expect(decisionsFor(withApprovals(state, read)).map((agent) => agent.step_id)).toEqual([steps[0]]);
  });

  it("shows an edited approval: the approved text as output, the agent's kept as proposed, nothing counted twice", () => {
    let state = applyEvents(initialState(withApproval(), null), [event(2, "status_update", { status: "running" }), waiting(3)]);
    state = applyEvents(state, [
      event(4, "agent_status_update", { agent_id: agentIds[0], status: "succeeded", approval: { decision: "approved", decided_by: approver, decided_as: "member", edited: true } }, steps[0]),
      event(5, "result_update", { agent_id: agentIds[0], output: "Texto aprovado" }, steps[0]),
    ]);
    const agent = state.agents[0];
    expect(agent.status).toBe("succeeded");
    expect(agent.approval).toMatchObject({ decision: "approved", decided_by: approver, proposed_output: "Rascunho", can_decide: false, due_at: null });
    expect(state.outputs[agentIds[0]]).toBe("Texto aprovado");
    expect(agent.cost_usd).toBe(0.001);
    expect(state.run.cost_usd).toBe(0.001);
  });

  it("shows a rejection with its reason, and a timeout's decision as nobody's", () => {
    let state = applyEvents(initialState(withApproval(), null), [event(2, "status_update", { status: "running" }), waiting(3)]);
    state = applyEvent(
      state,
      event(4, "agent_status_update", { agent_id: agentIds[0], status: "failed", error: "rejected: nobody decided within the approval time", approval: { decision: "rejected", decided_by: null, decided_as: "timeout", reason: "nobody decided within the approval time" } }, steps[0]),
    );
    expect(state.agents[0].approval).toMatchObject({ decision: "rejected", decided_by: null, reason: "nobody decided within the approval time" });
    expect(state.agents[0].error).toBe("rejected: nobody decided within the approval time");
  });

  it("drops the time limit once keep_waiting's timeout says so", () => {
    let state = applyEvents(initialState(withApproval(), null), [event(2, "status_update", { status: "running" }), waiting(3)]);
    state = applyEvent(state, event(4, "agent_status_update", { agent_id: agentIds[0], status: "waiting_approval", approval_timed_out: true }, steps[0]));
    expect(state.agents[0].approval).toMatchObject({ due_at: null, output: "Rascunho" });
    expect(state.agents[0].cost_usd).toBe(0.001);
  });
});

describe("a running agent's text as it is written (step_text)", () => {
  const text = (seq: number, textSoFar: string, attempt = 1, stepId = steps[0]) => ({ step_id: stepId, attempt, seq, text_so_far: textSoFar });
  const running = () => applyEvents(start(), run.slice(1, 5));

  it("shows the newest whole text of the running step, replacing what was shown, ignoring older messages", () => {
    let state = withStepText(running(), text(1, "Pri"));
    state = withStepText(state, text(3, "Primeira pa"));
    state = withStepText(state, text(2, "Primeira"));
    expect(state.streams[steps[0]]).toEqual({ attempt: 1, seq: 3, text: "Primeira pa" });
    // The same message twice changes nothing: the text is never appended.
    expect(withStepText(state, text(3, "Primeira pa")).streams[steps[0]].text).toBe("Primeira pa");
  });

  it("gives way to the result when the step ends, and ignores text that arrives after", () => {
    let state = withStepText(running(), text(1, "Primeira"));
    state = applyEvents(state, run.slice(5, 7));
    expect(state.streams).toEqual({});
    expect(state.outputs[agentIds[0]]).toBe("Primeira parte");
    expect(withStepText(state, text(2, "Primeira parte")).streams).toEqual({});
  });

  it("starts over with a new attempt and ignores a late message of the earlier one", () => {
    let state = withStepText(running(), text(5, "tentativa um"));
    state = applyEvent(state, event(6, "agent_status_update", { agent_id: agentIds[0], status: "running", attempt: 2 }, steps[0]));
    expect(state.streams).toEqual({});
    state = withStepText(state, text(6, "tentativa um, mais", 1));
    expect(state.streams).toEqual({});
    state = withStepText(state, text(1, "dois", 2));
    expect(state.streams[steps[0]]).toEqual({ attempt: 2, seq: 1, text: "dois" });
  });

  it("ignores text for a step that is not running, or that it does not know, or that is malformed", () => {
    const state = running();
    expect(withStepText(state, text(1, "cedo", 1, steps[1])).streams).toEqual({});
    expect(withStepText(state, text(1, "?", 1, "00000000-0000-4000-8000-0000000000ff")).streams).toEqual({});
    expect(withStepText(state, { step_id: steps[0], seq: "1", attempt: 1, text_so_far: "x" }).streams).toEqual({});
  });
});

describe("the passages an agent was given", () => {
  const citation = {
    n: 1,
    document_id: "00000000-0000-4000-8000-0000000000d1",
    document_title: "Manual do colaborador",
    knowledge_base_id: "00000000-0000-4000-8000-0000000000e1",
    version: 2,
    heading_path: ["Férias", "Como pedir"],
    score: 0.82,
  };

  it("takes them from a status read of the same run, and keeps what it had when the read has none", () => {
    const state = initialState(status(), null);
    const read = status();
    read.agents[0].citations = [citation];
    const merged = withCitations(state, read);
    expect(merged.agents[0].citations).toEqual([citation]);
    expect(merged.agents[1].citations).toEqual([]);
    expect(withCitations(merged, status()).agents[0].citations).toEqual([citation]);
  });

  it("a snapshot whose log saw a result its status read had not calls for the status again", () => {
    // Status read at seq 2 (the step running, its passages not yet recorded), the log read after the result.
    const read = status();
    read.last_event_seq = 2;
    const log = [
      event(2, "agent_status_update", { agent_id: agentIds[0], status: "running" }, steps[0]),
      event(3, "result_update", { agent_id: agentIds[0], output: "Plano pronto" }, steps[0]),
    ];
    expect(eventsBeyondStatus(read, log).map((item) => item.seq)).toEqual([3]);
    expect(callsForStatusRead(eventsBeyondStatus(read, log))).toBe(true);
    // A log no newer than the status, or newer only by events without what a read adds, does not.
    expect(callsForStatusRead(eventsBeyondStatus(read, log.slice(0, 1)))).toBe(false);
    expect(callsForStatusRead([event(3, "agent_status_update", { agent_id: agentIds[0], status: "succeeded" }, steps[0])])).toBe(false);
    expect(callsForStatusRead([event(3, "agent_status_update", { agent_id: agentIds[0], status: "waiting_approval" }, steps[0])])).toBe(true);
  });

  it("ignores a read of another run", () => {
    const read = status();
    read.execution_id = "00000000-0000-4000-8000-000000000099";
    read.agents[0].citations = [citation];
    expect(withCitations(initialState(status(), null), read).agents[0].citations).toEqual([]);
  });
});
