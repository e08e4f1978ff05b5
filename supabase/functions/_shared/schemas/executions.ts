// Runs of a team: POST /teams/:id/execute, /executions, /executions/:id/status, /result, /logs, /stop.
// A run is rows in the database (executions, execution_steps, execution_events, usage_ledger); the
// engine moves it, the API starts, reads and stops it. Live updates arrive on the private Realtime
// topic `execution:<id>`, each with the `seq` of its event; GET /logs?after_seq=<last seen> fills a gap.
import { z } from "zod";
import { Constants } from "../database.types.ts";
import { isoMoment, jsonObject, paginated, paginationQuery, storableString, text, timestamp, uuid } from "./common.ts";
import { approvalTimeoutPolicy, teamAgentRole, workflowType } from "./teams.ts";

export const executionStatuses = Constants.public.Enums.execution_status;
export const stepStatuses = Constants.public.Enums.step_status;
export const executionStatus = z.enum(executionStatuses);
export const stepStatus = z.enum(stepStatuses);
export type ExecutionStatus = z.infer<typeof executionStatus>;
export type StepStatus = z.infer<typeof stepStatus>;

/** Statuses after which nothing changes any more. */
/** Statuses of a run that is neither waiting to start nor finished: a person may still stop it. */
export const inFlightExecutionStatuses = [
  "pending",
  "running",
  "waiting_approval",
] as const satisfies readonly ExecutionStatus[];

export const finishedExecutionStatuses = [
  "completed",
  "failed",
  "cancelled",
] as const satisfies readonly ExecutionStatus[];

export const executionEventNames = [
  "status_update",
  "agent_status_update",
  "progress_update",
  "result_update",
  "error_update",
  "log",
  // An agent's tool call and its result (issue 16): payload { tool, status, duration_ms, round, ... }.
  "tool_call",
] as const;
export const executionEventName = z.enum(executionEventNames);
export type ExecutionEventName = z.infer<typeof executionEventName>;

// ─── requests ─────────────────────────────────────────────────────────────────────────────────

/** Longest prompt a run accepts, in characters (as Postgres counts them: code points). */
export const maxInitialPromptLength = 100_000;

export const executeTeamBody = z.strictObject({
  initial_prompt: storableString()
    .refine((value) => value.trim() !== "", { error: "Must not be empty." })
    .refine((value) => Array.from(value).length <= maxInitialPromptLength, {
      error: `Must have at most ${maxInitialPromptLength} characters.`,
    }),
  // Read by inputs and conditions as variables.<name>.
  // Bounds as the database checks them when a run is written (executions_variables_bounded and _limits,
  // supabase/migrations/20261122009910_execution_variables_checked_on_write.sql).
  variables: jsonObject({ maxDepth: 16, maxBytes: 65_536, maxKeys: 100, maxKeyLength: 64, keyMinLength: 1 }).optional(),
});
export type ExecuteTeamBody = z.input<typeof executeTeamBody>;

/**
 * `GET /executions`: newest first; `from` inclusive and `to` exclusive, on when the run was created;
 * `search` finds runs whose prompt or result (the summary or an agent's part) contains the text;
 * `awaiting=me` keeps the runs waiting for the caller's approval.
 */
export const executionListQuery = z.strictObject({
  ...paginationQuery,
  search: text(200).optional(),
  team_id: uuid().optional(),
  status: executionStatus.optional(),
  from: isoMoment().optional(),
  to: isoMoment().optional(),
  /** `me`: only runs with an agent's output waiting for a decision the caller may take. */
  awaiting: z.literal("me").optional(),
});
export type ExecutionListQuery = z.input<typeof executionListQuery>;

const whole = (min: number, max: number, fallback: number) =>
  z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(min, { error: `Must be at least ${min}.` }).max(max, { error: `Must be at most ${max}.` }).default(fallback);

/** `GET /executions/:id/logs`: events with seq > after_seq, in seq order, `limit` from `offset`. */
export const executionLogQuery = z.strictObject({
  limit: whole(1, 1000, 100),
  offset: whole(0, 1_000_000, 0),
  after_seq: whole(0, Number.MAX_SAFE_INTEGER, 0),
});
export type ExecutionLogQuery = z.input<typeof executionLogQuery>;

export const executionParams = z.strictObject({ id: uuid() });

/** `/executions/:id/steps/:step_id/...`: a step of that run. */
export const executionStepParams = z.strictObject({ id: uuid(), step_id: uuid() });

/** Longest approved text and rejection reason, as public.approve_execution_step / reject_execution_step. */
export const maxApprovedOutputLength = 200_000;
export const maxRejectionReasonLength = 2_000;

const notBlank = (max: number) =>
  storableString()
    .refine((value) => value.trim() !== "", { error: "Must not be empty." })
    .refine((value) => Array.from(value).length <= max, { error: `Must have at most ${max} characters.` });

/** `POST /executions/:id/steps/:step_id/approve`: `output` replaces what the agent wrote (edit, then approve). */
export const approveStepBody = z.strictObject({ output: notBlank(maxApprovedOutputLength).optional() });
export type ApproveStepBody = z.input<typeof approveStepBody>;

/** `POST /executions/:id/steps/:step_id/reject`: why, for the log and the people who started the run. */
export const rejectStepBody = z.strictObject({ reason: notBlank(maxRejectionReasonLength) });
export type RejectStepBody = z.input<typeof rejectStepBody>;

// ─── responses ────────────────────────────────────────────────────────────────────────────────

/** `POST /teams/:id/execute` (202): the run exists; `pending` while the company has no room under its plan. */
export const executionStarted = z.object({ execution_id: uuid(), status: executionStatus });
export type ExecutionStarted = z.infer<typeof executionStarted>;

/**
 * A run in a list. A run outlives its team: `team_id` is null once the team was deleted, and
 * `team_name` is the name the team had when the run started.
 */
export const executionSummary = z.object({
  id: uuid(),
  team_id: uuid().nullable(),
  team_name: z.string(),
  workflow_type: workflowType,
  status: executionStatus,
  initial_prompt: z.string(),
  total_steps: z.number().int(),
  finished_steps: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
  error_message: z.string().nullable(),
  created_by: uuid().nullable(),
  created_at: timestamp(),
  started_at: timestamp().nullable(),
  finished_at: timestamp().nullable(),
});
export type ExecutionSummary = z.infer<typeof executionSummary>;

export const executionPage = paginated(executionSummary);
export type ExecutionPage = z.infer<typeof executionPage>;

/**
 * A step's approval (null when its team agent needs none). While the step waits, `output` is the
 * text to decide on and `can_decide` says whether the caller may; once decided, `output` is the
 * approved text and `proposed_output` what the agent wrote when an approver edited it.
 * `decided_by` is null for a timeout's decision.
 */
export const executionStepApproval = z.object({
  approvers: z.array(uuid()),
  timeout_seconds: z.number().int().nullable(),
  on_timeout: approvalTimeoutPolicy.nullable(),
  due_at: timestamp().nullable(),
  output: z.string().nullable(),
  proposed_output: z.string().nullable(),
  decision: z.enum(["approved", "rejected"]).nullable(),
  decided_by: uuid().nullable(),
  decided_at: timestamp().nullable(),
  reason: z.string().nullable(),
  can_decide: z.boolean(),
});
export type ExecutionStepApproval = z.infer<typeof executionStepApproval>;

/** One agent's step in a run, by position. */
/** One passage a step was given: its number, the document (null base once deleted), where in it, how close. */
export const stepCitation = z.object({
  n: z.number().int(),
  document_id: uuid(),
  document_title: z.string(),
  knowledge_base_id: uuid().nullable(),
  version: z.number().int().nullable(),
  heading_path: z.array(z.string()),
  score: z.number().nullable(),
});
export type StepCitation = z.infer<typeof stepCitation>;

export const executionAgentStatus = z.object({
  step_id: uuid(),
  agent_id: uuid(),
  name: z.string(),
  position: z.number().int(),
  role: teamAgentRole,
  status: stepStatus,
  attempt_count: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
  latency_ms: z.number().int().nullable(),
  skip_reason: z.string().nullable(),
  error: z.string().nullable(),
  started_at: timestamp().nullable(),
  finished_at: timestamp().nullable(),
  approval: executionStepApproval.nullable(),
  /** The knowledge passages the step's model was given, [1] first (its output cites them as [n]). */
  citations: z.array(stepCitation),
});
export type ExecutionAgentStatus = z.infer<typeof executionAgentStatus>;

/**
 * `GET /executions/:id/status` and `POST /executions/:id/stop`. `current_step` is the position of
 * the first running step, else of the first that has yet to run, else null (finished); progress is
 * finished_steps / total_steps (0..1). `last_event_seq` is the seq of the newest event: a client
 * that subscribes to `execution:<id>` after reading this ignores broadcasts with seq at or below it.
 */
export const executionStatusResponse = z.object({
  execution_id: uuid(),
  team_id: uuid().nullable(),
  team_name: z.string(),
  workflow_type: workflowType,
  status: executionStatus,
  /** What the run was started with, so it can be run again (and edited first). */
  initial_prompt: z.string(),
  variables: z.record(z.string(), z.unknown()),
  current_step: z.number().int().nullable(),
  total_steps: z.number().int(),
  finished_steps: z.number().int(),
  progress: z.number().min(0).max(1),
  agents: z.array(executionAgentStatus),
  cost_usd: z.number(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  error_message: z.string().nullable(),
  created_at: timestamp(),
  started_at: timestamp().nullable(),
  finished_at: timestamp().nullable(),
  deadline_at: timestamp().nullable(),
  last_event_seq: z.number().int(),
});
export type ExecutionStatusResponse = z.infer<typeof executionStatusResponse>;

/** One agent's part of a run's answer. */
export const executionResultDetail = z.object({
  agent_id: uuid(),
  agent_name: z.string(),
  role: teamAgentRole,
  position: z.number().int(),
  status: stepStatus,
  output: z.string().nullable(),
  skip_reason: z.string().nullable(),
  error: z.string().nullable(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
  latency_ms: z.number().int().nullable(),
});
export type ExecutionResultDetail = z.infer<typeof executionResultDetail>;

/** What one agent cost, from the usage ledger (priced at the price in force when it ran). */
export const executionAgentCost = z.object({
  agent_id: uuid(),
  name: z.string(),
  position: z.number().int(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
});
export type ExecutionAgentCost = z.infer<typeof executionAgentCost>;

/**
 * `GET /executions/:id/result`: always 200. `final_result` is null until the run has finished
 * (pending or running: read `status`, or wait for the `status_update` broadcast); a cancelled or
 * failed run has the part that was done. `summary` is the leader's or coordinator's output, else
 * the last output (one after another) or all outputs (parallel).
 */
export const executionResult = z.object({
  execution_id: uuid(),
  status: executionStatus,
  final_result: z.object({ summary: z.string().nullable(), details: z.array(executionResultDetail) }).nullable(),
  error_message: z.string().nullable(),
  cost: z.object({ total_usd: z.number(), per_agent: z.array(executionAgentCost) }),
  usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int(), total_tokens: z.number().int() }),
  started_at: timestamp().nullable(),
  finished_at: timestamp().nullable(),
});
export type ExecutionResult = z.infer<typeof executionResult>;

/** One entry of a run's append-only event log; the same payload was broadcast with this seq. */
export const executionEvent = z.object({
  seq: z.number().int(),
  event: executionEventName,
  step_id: uuid().nullable(),
  payload: z.record(z.string(), z.unknown()),
  created_at: timestamp(),
});
export type ExecutionEvent = z.infer<typeof executionEvent>;

/** `GET /executions/:id/logs`: `total` counts the events after `after_seq`. */
export const executionLogPage = z.object({
  items: z.array(executionEvent),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  after_seq: z.number().int(),
  last_event_seq: z.number().int(),
});
export type ExecutionLogPage = z.infer<typeof executionLogPage>;
