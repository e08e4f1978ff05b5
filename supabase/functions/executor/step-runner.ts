import { type AgentCall, backoffDelayMs, callAgent, isProviderError, type ProviderName } from "../_shared/providers/index.ts";
import { chatFromTranscript } from "./conversation-chat.ts";
import { withInterviewScript } from "./interview-context.ts";
import { type ClaimedStep, type EngineStore, isTransientDatabaseError } from "./engine-store.ts";
import { keyDestinationRefusal } from "./key-destination.ts";
import { citationsOf, retrieveKnowledge, withKnowledgeSources } from "./knowledge-context.ts";
import { type StepTextBroadcast, type StepTextStream, streamStepText } from "./step-text.ts";
import { runToolLoop, ToolLoopStopped } from "./tool-loop.ts";

export interface StepRunnerOptions {
  store: EngineStore;
  worker: string;
  leaseSeconds: number;
  /** How often the lease is renewed, which is also how fast a stop reaches an in-flight call. */
  renewEveryMs: number;
  /** The platform's provider addresses (OPENAI_BASE_URL, ...), used when an agent has no base_url. */
  baseUrls: Partial<Record<ProviderName, string>>;
  /** The latest moment this invocation may still be working (its wall-clock limit, with margin). */
  invocationDeadline: number;
  log: (entry: Record<string, unknown>) => void;
  /** Sends a step's text so far to the run's watchers (step-text.ts); without it nothing is streamed. */
  stepText?: StepTextBroadcast;
}

export type StepOutcome = "succeeded" | "failed" | "retrying" | "abandoned";

/**
 * Runs one claimed step: one provider attempt under the step's lease. The lease is renewed while
 * the call runs; when renewal is refused (the run was stopped, passed its deadline, or the lease
 * was reaped) the call is aborted at once and nothing is recorded. Retries are the database's:
 * a retryable failure goes back to ready after backoff with jitter (at least the provider's
 * Retry-After), so a retry survives this worker dying. A result that cannot be recorded because
 * the database is down (a restart) is recorded when it answers again, while the lease is kept
 * renewing; if the outage outlasted the lease, the step was reaped and the late record changes nothing.
 */
export async function runStep(step: ClaimedStep, options: StepRunnerOptions): Promise<StepOutcome> {
  const { store, worker, log } = options;
  const abort = new AbortController();
  let abandoned = false;
  const renewal = setInterval(async () => {
    try {
      if (!(await store.renewLease(step, worker, options.leaseSeconds))) {
        abandoned = true;
        abort.abort(new Error("the step's lease ended: the run was stopped or passed its deadline"));
      }
    } catch (error) {
      log({ level: "warn", msg: "lease renewal failed", step_id: step.step_id, error: String(error) });
    }
  }, options.renewEveryMs);

  const started = performance.now();
  let textStream: StepTextStream | undefined;
  const runDeadline = step.deadline_at ? Date.parse(step.deadline_at) : Number.POSITIVE_INFINITY;
  try {
    const definition = step.agent_definition;
    const timeLeft = Math.min(runDeadline, options.invocationDeadline) - Date.now();
    if (timeLeft <= 0) throw new Error("no time left for this attempt");

    const call: AgentCall = {
      provider: definition.provider,
      model: definition.model,
      systemPrompt: definition.system_prompt,
      input: step.resolved_input ?? "",
      temperature: Number(step.overrides.temperature ?? step.team_config.temperature ?? definition.temperature),
      maxTokens: Number(step.overrides.max_tokens ?? step.team_config.max_tokens ?? definition.max_tokens),
      config: definition.config ?? {},
      baseUrl: options.baseUrls[definition.provider],
      agent: { id: step.agent_id, name: definition.name, type: definition.type },
      tenant: {
        id: step.tenant_id,
        name: step.tenant_name,
        agentsEndpointUrl: step.agents_endpoint_url,
        agentsTimeoutMs: step.agents_timeout_ms,
        ragEnabled: step.rag_enabled,
        ragTopK: step.rag_top_k,
      },
      requestId: step.step_id,
      timeoutMs: timeLeft,
      signal: abort.signal,
      attempt: step.attempt,
    };
    // A reply to a WhatsApp conversation reaches the provider as chat messages, not one text.
    const conversation = await store.conversationContext(step);
    const chat = chatFromTranscript(conversation.transcript ?? []);
    if (chat) Object.assign(call, chat);
    // An interview running in the conversation: its script and answers so far join the instructions.
    if (conversation.interview) call.systemPrompt = withInterviewScript(call.systemPrompt, conversation.interview);
    // The key goes only where it belongs; a refused one is never decrypted.
    const refused = keyDestinationRefusal(step, call, options.baseUrls);
    if (refused) throw refused;
    if (step.provider_key_id) call.apiKey = await store.decryptKey({ ...step, provider_key_id: step.provider_key_id });
    // An agent with knowledge bases gets the passages its input finds, as numbered sources it cites.
    const passages = await retrieveKnowledge(store, step);
    if (passages && passages.length > 0) {
      call.systemPrompt = withKnowledgeSources(call.systemPrompt, passages);
      await store.recordCitations(step, worker, citationsOf(passages));
    }
    // An agent with tools talks to its model in a loop (tool-loop.ts); one without makes one call.
    const tools = (definition.tools ?? []).length > 0 ? await store.stepTools(step) : [];
    // Every step is asked for a streamed answer, and its text goes to the run's watchers as it is
    // written (step-text.ts); the event log still gets only the whole result, below. With tools,
    // each round with the model streams the same way and its text is appended to the earlier
    // rounds' as a new paragraph: a person watching reads what the agent said before each tool
    // call ("I'll look up the order…") followed by its answer, as in a chat, instead of seeing the
    // text vanish when a round ends. The calls themselves show as the log's tool_call events, and
    // the step's result (the last round's text) replaces the whole once it is recorded.
    if (options.stepText) {
      const stream = streamStepText(step, options.stepText, { log });
      textStream = stream;
      call.stream = true;
      call.onDelta = (text) => stream.onDelta(text);
    }
    const reply = tools.length === 0 ? await callAgent(call) : await runToolLoop(call, {
      tools,
      deadline: Date.now() + timeLeft,
      record: (entry) => store.recordToolCall(step, worker, entry),
      stepActions: store.stepActions(step, worker),
      onRound: () => textStream?.newRound(),
    });
    const latencyMs = Math.round(performance.now() - started);
    // The last of the text goes out beside the result, never holding it up (nor waiting out a
    // backoff past a few seconds).
    void textStream?.flush(5_000);
    const result = { output: reply.text, inputTokens: reply.usage.inputTokens, outputTokens: reply.usage.outputTokens, latencyMs, model: reply.model || definition.model };
    const recorded = await untilDatabaseAnswers(() => store.completeStep(step, worker, result), options);
    return recorded ? "succeeded" : "abandoned";
  } catch (error) {
    textStream?.stop();
    if (abandoned || (error instanceof ToolLoopStopped && error.abandoned)) return "abandoned";
    // The attempt ran out of the run's time: the reaper fails the run with its time-limit message
    // and cancels this step. Recording a retry here would hand the step out again past the limit.
    // (A timeout set to end at the deadline may fire a hair early by this clock.)
    const timeToDeadline = runDeadline - Date.now();
    if (timeToDeadline <= 0 || (isProviderError(error) && error.kind === "timeout" && timeToDeadline < 250)) return "abandoned";
    const providerError = isProviderError(error) ? error : null;
    const retryable = providerError?.retryable ?? false;
    const message = providerError ? providerError.message : `the step could not run: ${error instanceof Error ? error.message : String(error)}`;
    const retryAfterMs = retryable ? backoffDelayMs(step.attempt, { retryAfterMs: providerError?.retryAfterMs }) : 0;
    log({ level: "warn", msg: "step attempt failed", step_id: step.step_id, attempt: step.attempt, kind: providerError?.kind ?? "error", retryable });
    const recorded = await untilDatabaseAnswers(() => store.failStep(step, worker, message, retryable, retryAfterMs), options);
    return recorded ? (retryable ? "retrying" : "failed") : "abandoned";
  } finally {
    clearInterval(renewal);
  }
}

/**
 * Runs `record` again while it fails transiently (database unreachable, a lost deadlock; backing off from 100 ms to 1 s), until
 * the invocation's deadline; any other error, and the last one, are thrown.
 */
async function untilDatabaseAnswers<T>(record: () => Promise<T>, options: StepRunnerOptions): Promise<T> {
  for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 1_000)) {
    try {
      return await record();
    } catch (error) {
      if (!isTransientDatabaseError(error) || Date.now() + waitMs > options.invocationDeadline) throw error;
      options.log({ level: "warn", msg: "the database did not take the result; recording again shortly", error: String(error) });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
