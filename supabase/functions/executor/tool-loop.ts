// The tool loop of one step attempt: the model answers or asks for tools; each asked-for call is
// checked against its schema, run with a time limit, recorded as a `tool_call` event, and its
// result (or error) sent back, round after round, until the model answers. Bounded three ways: at
// most `maxToolCalls` calls, `toolBudgetMs` of tool time in all, and the step's own time limit on
// every provider call and tool. A tool's error goes back to the model as its result; spending the
// budget fails the attempt. The usage of every round is summed into the step's priced usage.
import {
  type AgentCall,
  type AgentReply,
  callAgent,
  type ToolCall,
  type ToolResult,
  type ToolRound,
  type Usage,
} from "../_shared/providers/index.ts";
import { builtinTools, type StepActions, unavailableTools } from "../_shared/tools/builtin-tools.ts";
import { callHttpTool, maxToolAnswerChars } from "../_shared/tools/http-tool.ts";
import { schemaProblems } from "../_shared/tools/json-schema.ts";
import { type ToolDefinition, ToolFailure } from "../_shared/tools/registry.ts";

export interface ToolLoopLimits {
  /** Tool calls one attempt may make in all. */
  maxToolCalls: number;
  /** Time all tool calls of one attempt may take together. */
  toolBudgetMs: number;
  /** One tool call's limit when its definition gives none. */
  defaultToolTimeoutMs: number;
}

export const defaultToolLoopLimits: ToolLoopLimits = { maxToolCalls: 10, toolBudgetMs: 60_000, defaultToolTimeoutMs: 10_000 };

/** What a `tool_call` event says: the call, how it ended, and the round's usage. */
export interface ToolCallRecord {
  round: number;
  call_id: string;
  tool: string;
  arguments: unknown;
  status: "succeeded" | "failed";
  result?: string;
  error?: string;
  duration_ms: number;
  round_input_tokens: number;
  round_output_tokens: number;
}

export interface ToolLoopOptions {
  tools: ToolDefinition[];
  limits?: ToolLoopLimits;
  /** The moment the attempt must be done by (the step's time limit). */
  deadline: number;
  /** Records the call; false when the step is no longer this worker's (the loop stops). */
  record: (entry: ToolCallRecord) => Promise<boolean>;
  now?: () => Date;
  fetch?: typeof fetch;
  /** What built-ins may do in the database for the step (request_qualification). */
  stepActions?: StepActions;
  /** Told before each call to the model (round 1, 2, …): a streamed step starts the round's text there. */
  onRound?: (round: number) => void;
}

/** The loop ended without an answer: the budget is spent or the step was taken away. */
export class ToolLoopStopped extends Error {
  override readonly name = "ToolLoopStopped";
  constructor(message: string, readonly abandoned = false) {
    super(message);
  }
}

const maxEventChars = 2_000;

/** Calls the agent with its tools until it answers; the reply's usage is every round's, summed. */
export async function runToolLoop(call: AgentCall, options: ToolLoopOptions): Promise<AgentReply> {
  const limits = options.limits ?? defaultToolLoopLimits;
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]));
  const offered = options.tools
    .filter((tool) => tool.kind === "http" || tool.name in builtinTools || tool.name in unavailableTools)
    .map(({ name, description, parameters }) => ({ name, description, parameters }));
  const rounds: ToolRound[] = [];
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let callsMade = 0;
  let toolTimeSpent = 0;

  for (let round = 1; ; round++) {
    const timeLeft = options.deadline - Date.now();
    if (timeLeft <= 0) throw new ToolLoopStopped("no time left for another round with the model");
    options.onRound?.(round);
    const reply = await callAgent({ ...call, tools: offered, toolRounds: rounds, timeoutMs: timeLeft });
    addUsage(usage, reply.usage);
    const asked = reply.toolCalls ?? [];
    if (asked.length === 0) return { ...reply, usage };

    if (callsMade + asked.length > limits.maxToolCalls) {
      throw new ToolLoopStopped(`the agent asked for more than ${limits.maxToolCalls} tool calls in one step`);
    }
    const results: ToolResult[] = [];
    for (const toolCall of asked) {
      const budgetLeft = Math.min(limits.toolBudgetMs - toolTimeSpent, options.deadline - Date.now());
      if (budgetLeft <= 0) throw new ToolLoopStopped(`the step's tool time (${limits.toolBudgetMs} ms) is spent`);
      const started = performance.now();
      const outcome = await runTool(byName.get(toolCall.name), toolCall, budgetLeft, limits, call.signal, options);
      const durationMs = Math.round(performance.now() - started);
      toolTimeSpent += durationMs;
      callsMade++;
      const recorded = await options.record({
        round,
        call_id: toolCall.id,
        tool: toolCall.name,
        arguments: clipJson(toolCall.arguments),
        status: outcome.ok ? "succeeded" : "failed",
        ...(outcome.ok ? { result: clip(outcome.content, maxEventChars) } : { error: clip(outcome.error, maxEventChars) }),
        duration_ms: durationMs,
        round_input_tokens: reply.usage.inputTokens,
        round_output_tokens: reply.usage.outputTokens,
      });
      if (!recorded) throw new ToolLoopStopped("the step is no longer this worker's", true);
      results.push({ callId: toolCall.id, content: outcome.ok ? outcome.content : outcome.error, isError: !outcome.ok });
    }
    rounds.push({ text: reply.text, calls: asked, results });
  }
}

type Outcome = { ok: true; content: string } | { ok: false; error: string };

async function runTool(
  tool: ToolDefinition | undefined,
  toolCall: ToolCall,
  budgetLeft: number,
  limits: ToolLoopLimits,
  stepSignal: AbortSignal | undefined,
  options: ToolLoopOptions,
): Promise<Outcome> {
  if (!tool) return { ok: false, error: `there is no tool named "${toolCall.name}" for this agent` };
  if (typeof toolCall.arguments === "string") return { ok: false, error: "the arguments must be a JSON object" };
  const problems = schemaProblems(tool.parameters, toolCall.arguments);
  if (problems.length > 0) return { ok: false, error: `invalid arguments: ${problems.join("; ")}` };
  const timeoutMs = Math.max(1, Math.min(budgetLeft, tool.kind === "http" ? tool.timeout_ms : limits.defaultToolTimeoutMs));
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = stepSignal ? AbortSignal.any([stepSignal, timeout]) : timeout;
  try {
    const content = await untilAborted(signal, timeoutMs, async () => {
      if (tool.kind === "http") return await callHttpTool(tool, toolCall.arguments as Record<string, unknown>, { timeoutMs, signal, fetch: options.fetch });
      const builtin = builtinTools[tool.name];
      if (!builtin) throw new ToolFailure(unavailableTools[tool.name] ?? `${tool.name} is not available on this platform`);
      return await builtin(toolCall.arguments as Record<string, unknown>, {
        now: options.now ?? (() => new Date()),
        step: options.stepActions,
        signal,
        timeoutMs,
        fetch: options.fetch,
      });
    });
    return { ok: true, content: clip(content, maxToolAnswerChars) };
  } catch (error) {
    // The run was stopped or the lease ended: that is not the tool's failure to report.
    if (stepSignal?.aborted) throw error;
    if (error instanceof ToolFailure) return { ok: false, error: error.message };
    return { ok: false, error: `the tool failed (${error instanceof Error ? error.name : "error"})` };
  }
}

/** Runs `work`, failing as a timeout the moment `signal` aborts even if the work ignores it. */
async function untilAborted<T>(signal: AbortSignal, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw new ToolFailure(`the tool did not answer within ${timeoutMs} ms`);
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ToolFailure(`the tool did not answer within ${timeoutMs} ms`));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function addUsage(total: Usage, round: Usage): void {
  total.inputTokens += round.inputTokens;
  total.outputTokens += round.outputTokens;
  if (round.cachedInputTokens) total.cachedInputTokens = (total.cachedInputTokens ?? 0) + round.cachedInputTokens;
  if (round.estimated) total.estimated = true;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (cut)` : text;
}

function clipJson(value: unknown): unknown {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > maxEventChars ? clip(text, maxEventChars) : value;
}
