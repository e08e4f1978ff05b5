// The live monitor's state of one run, built from the snapshot the page loaded (GET /status,
// /result and the event log) and then moved by events, from the Realtime channel `execution:<id>`
// or from the log when a gap is filled. Pure: `applyEvent(state, event)` answers the next state.
//
// The rule that keeps it exact: events are applied strictly in seq order, each once. One at or
// below `lastSeq` is a duplicate (already applied, or already in the snapshot) and is ignored;
// one beyond `lastSeq + 1` waits in `waiting` until the events before it arrive (from the log,
// which `hasGap` says to read after `lastSeq`).
//
// A long run's log can hold thousands of events, so the timeline keeps only the newest
// `timelineLimit` of them (a window that always ends at `lastSeq`); `withEarlierEvents` puts older
// ones in front when the person asks to see them, and then nothing is dropped any more. Seqs are 1, 2, 3… with no holes (the database
// numbers each run's events in the run's own row), so what is missing before the window is known.
//
// A running agent's text as it is written arrives apart from the events: `step_text` broadcasts
// (never in the log, no event seq) each carrying the whole text so far of one attempt, numbered
// within it. `withStepText` keeps the newest per step, replacing (never appending) what was shown,
// ignoring an older message, one of an earlier attempt, and any once the step has left `running`:
// its result (result_update) takes its place.
import type {
  ExecutionAgentStatus,
  ExecutionEvent,
  ExecutionEventName,
  ExecutionResult,
  ExecutionResultDetail,
  ExecutionStatus,
  ExecutionStatusResponse,
  ExecutionStepApproval,
  StepStatus,
} from "$schemas/executions.ts";

/** How many events the timeline starts with, and how many more each "show earlier" adds. */
export const timelinePageSize = 200;

export const finishedStatuses: readonly ExecutionStatus[] = ["completed", "failed", "cancelled"];
const stepStatuses: readonly StepStatus[] = ["pending", "ready", "running", "waiting_approval", "succeeded", "failed", "skipped", "cancelled"];
const runStatuses: readonly ExecutionStatus[] = ["pending", "running", "waiting_approval", "completed", "failed", "cancelled"];

/** One entry of the timeline: an event of the log, or a broadcast (timed when it arrived). */
export interface MonitorEvent {
  seq: number;
  event: ExecutionEventName;
  step_id: string | null;
  payload: Record<string, unknown>;
  created_at: string;
}

export interface FinalResult {
  summary: string | null;
  details: ExecutionResultDetail[];
}

export interface MonitorState {
  run: Omit<ExecutionStatusResponse, "agents" | "last_event_seq">;
  agents: ExecutionAgentStatus[];
  /** Each agent's output as it arrives (by agent id). */
  outputs: Record<string, string>;
  finalResult: FinalResult | null;
  /** The newest events applied, in seq order, each once, without holes: at most `timelineLimit` of them. */
  timeline: MonitorEvent[];
  /** How many events the timeline keeps; no limit once the person asked for earlier ones. */
  timelineLimit: number;
  /** The seq of the newest event applied: every event up to it is in this state. */
  lastSeq: number;
  /** Events that arrived ahead of one still missing, by seq. */
  waiting: MonitorEvent[];
  /** The text running steps have written so far (by step id), from `step_text` broadcasts. */
  streams: Record<string, StepText>;
}

/** What a `step_text` broadcast says: one attempt's whole text so far, and its place in that attempt. */
export interface StepText {
  attempt: number;
  seq: number;
  text: string;
}

/**
 * The state of the page's snapshot: /status, /result and the newest part of the log (events after
 * the status are applied). `knownOutputs` are the agents' outputs from the whole log (the page reads
 * it all on the server while the run is going, since /result has outputs only once it has finished).
 */
export function initialState(
  status: ExecutionStatusResponse,
  result: ExecutionResult | null,
  log: ExecutionEvent[] = [],
  knownOutputs: Record<string, string> = {},
): MonitorState {
  const { agents, last_event_seq, ...run } = status;
  const seen = log.filter((event) => event.seq <= last_event_seq);
  const outputs: Record<string, string> = { ...knownOutputs, ...outputsOf(seen) };
  for (const detail of result?.final_result?.details ?? []) if (detail.output !== null) outputs[detail.agent_id] = detail.output;
  const timeline = contiguousTail(uniqueBySeq(seen), last_event_seq + 1);
  let state: MonitorState = {
    run,
    agents: agents.map((agent) => ({ ...agent })).sort((a, b) => a.position - b.position),
    outputs,
    finalResult: result?.final_result ?? null,
    timeline,
    timelineLimit: Math.max(timelinePageSize, timeline.length),
    lastSeq: last_event_seq,
    waiting: [],
    streams: {},
  };
  // The log may have been read after the status: what it has beyond the status moves the state.
  state = applyEvents(state, log.filter((event) => event.seq > last_event_seq));
  return state;
}

/**
 * Whether these events call for a fresh status read (withApprovals, withCitations): a step that
 * starts waiting arrives without whether this person may decide it, a result without the passages
 * its agent was given.
 */
export function callsForStatusRead(events: readonly MonitorEvent[]): boolean {
  return events.some((event) => (event.event === "agent_status_update" && event.payload.status === "waiting_approval") || event.event === "result_update");
}

/**
 * The events of a snapshot's log that its status read had not seen: initialState applied them, and
 * when they call for it the page reads the status again, as it does for the same events arriving live.
 */
export function eventsBeyondStatus<E extends MonitorEvent>(status: ExecutionStatusResponse, log: readonly E[]): E[] {
  return log.filter((event) => event.seq > status.last_event_seq);
}

/** Each agent's newest output among `events` (its result_update), by agent id. */
export function outputsOf(events: readonly MonitorEvent[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const event of events) {
    const { agent_id: agent, output } = event.payload;
    if (event.event === "result_update" && typeof agent === "string" && typeof output === "string") outputs[agent] = output;
  }
  return outputs;
}

/** How many events came before the first one the timeline shows (0 when it shows them all). */
export function earlierEventCount(state: MonitorState): number {
  return (state.timeline[0]?.seq ?? state.lastSeq + 1) - 1;
}

/**
 * The timeline with `events` from before its first one put in front (those it already has, and
 * any not joined to it without a hole, are left out); from then on it keeps every event.
 */
export function withEarlierEvents(state: MonitorState, events: readonly MonitorEvent[]): MonitorState {
  const first = earlierEventCount(state) + 1;
  const earlier = contiguousTail(
    uniqueBySeq(events.filter((event) => event.seq < first)),
    first,
  );
  if (earlier.length === 0) return state;
  // What the person asked to see stays while the run goes on (they may be reading it).
  return { ...state, timeline: [...earlier, ...state.timeline], timelineLimit: Number.POSITIVE_INFINITY };
}

/** A broadcast of `execution:<id>` (its payload carries seq, execution_id and step_id) as an event; null when it is not one. */
export function fromBroadcast(event: string, payload: Record<string, unknown>, receivedAt: Date = new Date()): MonitorEvent | null {
  const seq = Number(payload.seq);
  if (!Number.isInteger(seq) || seq < 1) return null;
  const { seq: _seq, execution_id: _execution, step_id, id: _id, ...rest } = payload;
  return {
    seq,
    event: event as ExecutionEventName,
    step_id: typeof step_id === "string" ? step_id : null,
    payload: rest,
    created_at: receivedAt.toISOString(),
  };
}

/**
 * The state with a `step_text` broadcast's text for its step: kept when it is newer than what the
 * card shows (a later attempt, or a later seq of the same one) and the step is still running.
 */
export function withStepText(state: MonitorState, payload: Record<string, unknown>): MonitorState {
  const { step_id: stepId, attempt, seq, text_so_far: text } = payload;
  if (typeof stepId !== "string" || typeof text !== "string" || !Number.isInteger(attempt) || !Number.isInteger(seq)) return state;
  const agent = state.agents.find((candidate) => candidate.step_id === stepId);
  if (!agent || agent.status !== "running" || (attempt as number) < agent.attempt_count) return state;
  const shown = state.streams[stepId];
  if (shown && (shown.attempt > (attempt as number) || (shown.attempt === attempt && shown.seq >= (seq as number)))) return state;
  return { ...state, streams: { ...state.streams, [stepId]: { attempt: attempt as number, seq: seq as number, text } } };
}

export function isFinished(state: MonitorState): boolean {
  return finishedStatuses.includes(state.run.status);
}

/** True while an event is missing before those waiting: read the log after `lastSeq`. */
export function hasGap(state: MonitorState): boolean {
  return state.waiting.length > 0;
}

export function applyEvents(state: MonitorState, events: MonitorEvent[]): MonitorState {
  return events.reduce(applyEvent, state);
}

/** The state after `event`: applied when it is the next one (and then whatever waited for it), kept when early, ignored when seen. */
export function applyEvent(state: MonitorState, event: MonitorEvent): MonitorState {
  if (event.seq <= state.lastSeq || state.waiting.some((waiting) => waiting.seq === event.seq)) return state;
  if (event.seq > state.lastSeq + 1) {
    return { ...state, waiting: [...state.waiting, event].sort((a, b) => a.seq - b.seq) };
  }
  let next = applyInOrder(state, event);
  while (next.waiting.length > 0 && next.waiting[0].seq === next.lastSeq + 1) {
    const [first, ...rest] = next.waiting;
    next = applyInOrder({ ...next, waiting: rest }, first);
  }
  return next;
}

function applyInOrder(state: MonitorState, event: MonitorEvent): MonitorState {
  const timeline = state.timeline.length >= state.timelineLimit ? state.timeline.slice(state.timeline.length - state.timelineLimit + 1) : state.timeline;
  const next: MonitorState = { ...state, timeline: [...timeline, event], lastSeq: event.seq };
  const payload = event.payload;
  switch (event.event) {
    case "status_update":
      return withRunStatus(next, payload, event.created_at);
    case "agent_status_update":
      return withAgentStatus(next, event);
    case "progress_update": {
      const finished = numberOr(payload.finished_steps, next.run.finished_steps);
      const total = numberOr(payload.total_steps, next.run.total_steps);
      return { ...next, run: { ...next.run, finished_steps: finished, total_steps: total, progress: numberOr(payload.progress, total ? finished / total : 0) } };
    }
    case "result_update": {
      if (payload.final_result && typeof payload.final_result === "object") {
        return { ...next, finalResult: payload.final_result as FinalResult };
      }
      return { ...next, outputs: { ...next.outputs, ...outputsOf([event]) } };
    }
    default:
      // error_update and log are for the timeline (the agent's status follows in its own event).
      return next;
  }
}

function withRunStatus(state: MonitorState, payload: Record<string, unknown>, at: string): MonitorState {
  const status = runStatuses.includes(payload.status as ExecutionStatus) ? (payload.status as ExecutionStatus) : state.run.status;
  const run = { ...state.run, status };
  if (status === "running") run.started_at ??= at;
  if (typeof payload.deadline_at === "string") run.deadline_at = payload.deadline_at;
  if (typeof payload.total_steps === "number") run.total_steps = payload.total_steps;
  if (finishedStatuses.includes(status)) {
    run.finished_at ??= at;
    run.current_step = null;
    if (typeof payload.error_message === "string") run.error_message = payload.error_message;
    // The run's own totals (the sum of its agents' costs) when the engine sends them.
    run.cost_usd = numberOr(payload.cost_usd, run.cost_usd);
    run.input_tokens = numberOr(payload.input_tokens, run.input_tokens);
    run.output_tokens = numberOr(payload.output_tokens, run.output_tokens);
  }
  return { ...state, run };
}

function withAgentStatus(state: MonitorState, event: MonitorEvent): MonitorState {
  const payload = event.payload;
  const index = state.agents.findIndex((agent) => (event.step_id ? agent.step_id === event.step_id : agent.agent_id === payload.agent_id));
  if (index < 0 || !stepStatuses.includes(payload.status as StepStatus)) return state;
  const agent = { ...state.agents[index], status: payload.status as StepStatus };
  let run = state.run;
  switch (agent.status) {
    case "running":
      agent.started_at ??= event.created_at;
      agent.attempt_count = numberOr(payload.attempt, agent.attempt_count);
      agent.finished_at = null;
      break;
    // An agent whose output waits for approval has finished its work (and its cost); the approval
    // that follows says `succeeded` again without tokens, so nothing is counted twice.
    case "waiting_approval":
    case "succeeded": {
      if (agent.status === "waiting_approval") agent.approval = waitingApproval(agent.approval, payload);
      const input = numberOr(payload.input_tokens, 0);
      const output = numberOr(payload.output_tokens, 0);
      const cost = numberOr(payload.cost_usd, 0);
      agent.input_tokens += input;
      agent.output_tokens += output;
      agent.cost_usd = round6(agent.cost_usd + cost);
      agent.latency_ms = numberOr(payload.latency_ms, agent.latency_ms ?? 0);
      agent.finished_at = event.created_at;
      // The run's totals grow with each agent that finishes (the engine adds them in the same step).
      run = { ...run, input_tokens: run.input_tokens + input, output_tokens: run.output_tokens + output, cost_usd: round6(run.cost_usd + cost) };
      break;
    }
    case "failed":
      agent.error = typeof payload.error === "string" ? payload.error : agent.error;
      agent.finished_at = event.created_at;
      break;
    case "skipped":
    case "cancelled":
      agent.skip_reason = typeof payload.reason === "string" ? payload.reason : agent.skip_reason;
      agent.finished_at ??= event.created_at;
      break;
  }
  if (payload.approval && typeof payload.approval === "object") agent.approval = decidedApproval(agent.approval, payload.approval as Record<string, unknown>, event.created_at);
  const agents = [...state.agents];
  agents[index] = agent;
  // A new attempt writes from the start; a finished step shows its result instead.
  const { [agent.step_id]: _written, ...streams } = state.streams;
  const running = agents.find((candidate) => candidate.status === "running");
  const next = running ?? agents.find((candidate) => ["pending", "ready"].includes(candidate.status));
  return { ...state, agents, streams, run: { ...run, current_step: finishedStatuses.includes(run.status) ? null : (next?.position ?? null) } };
}

const noApproval: ExecutionStepApproval = {
  approvers: [],
  timeout_seconds: null,
  on_timeout: null,
  due_at: null,
  output: null,
  proposed_output: null,
  decision: null,
  decided_by: null,
  decided_at: null,
  reason: null,
  can_decide: false,
};

/**
 * A step that starts waiting: the text to decide and when time runs out come with the event; whether
 * this person may decide does not (the status read says so: see `withApprovals`).
 */
function waitingApproval(known: ExecutionStepApproval | null, payload: Record<string, unknown>): ExecutionStepApproval {
  const approval = { ...(known ?? noApproval) };
  if (typeof payload.proposed_output === "string") approval.output = payload.proposed_output;
  if (typeof payload.approval_due_at === "string" || payload.approval_due_at === null) approval.due_at = payload.approval_due_at as string | null;
  // keep_waiting's timeout says so once, and from then on there is no time limit.
  if (payload.approval_timed_out === true) approval.due_at = null;
  if (Array.isArray(payload.approvers)) approval.approvers = payload.approvers.filter((id): id is string => typeof id === "string");
  return { ...approval, decision: null, decided_by: null, decided_at: null, reason: null };
}

/** A decision (a person's or the timeout's) on a step that waited: nobody may decide it any more. */
function decidedApproval(known: ExecutionStepApproval | null, decision: Record<string, unknown>, at: string): ExecutionStepApproval {
  const approval = { ...(known ?? noApproval), can_decide: false, decided_at: at, due_at: null };
  if (decision.decision === "approved" || decision.decision === "rejected") approval.decision = decision.decision;
  approval.decided_by = typeof decision.decided_by === "string" ? decision.decided_by : null;
  if (typeof decision.reason === "string") approval.reason = decision.reason;
  // An edited approval's text arrives in the result_update that follows; the agent's stays proposed.
  if (decision.edited === true) approval.proposed_output = approval.output;
  return approval;
}

/**
 * Each agent's approval as a fresh status read has it (the text to decide, who may), for the steps
 * the read has seen at least as far as the state: the rest of the state stays as the events made it.
 */
export function withApprovals(state: MonitorState, status: ExecutionStatusResponse): MonitorState {
  if (status.execution_id !== state.run.execution_id) return state;
  const fresh = new Map(status.agents.map((agent) => [agent.step_id, agent]));
  const agents = state.agents.map((agent) => {
    const read = fresh.get(agent.step_id);
    // A read older than what the events already say (a decision it has not seen) is left out.
    if (!read || read.status !== agent.status) return agent;
    return { ...agent, approval: read.approval };
  });
  return { ...state, agents };
}

/**
 * Each agent's knowledge passages as a fresh status read has them: the executor records them before
 * the provider call, and no event carries them, so the page reads the status when a result arrives.
 */
export function withCitations(state: MonitorState, status: ExecutionStatusResponse): MonitorState {
  if (status.execution_id !== state.run.execution_id) return state;
  const fresh = new Map(status.agents.map((agent) => [agent.step_id, agent.citations]));
  const agents = state.agents.map((agent) => {
    const citations = fresh.get(agent.step_id);
    return citations && citations.length > 0 ? { ...agent, citations } : agent;
  });
  return { ...state, agents };
}

/** The steps waiting for a decision this person may take. */
export function decisionsFor(state: MonitorState): ExecutionAgentStatus[] {
  return state.agents.filter((agent) => agent.status === "waiting_approval" && agent.approval?.can_decide);
}

/** The events at the end of `sorted` that run without a hole up to `before` - 1. */
function contiguousTail(sorted: MonitorEvent[], before: number): MonitorEvent[] {
  let start = sorted.length;
  while (start > 0 && sorted[start - 1].seq === before - (sorted.length - start) - 1) start--;
  return sorted.slice(start);
}

function uniqueBySeq(events: readonly MonitorEvent[]): MonitorEvent[] {
  const bySeq = new Map<number, MonitorEvent>();
  for (const event of events) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
