// The provider layer the execution engine calls. One attempt is `callAgent(call)`; retries are
// `callWithRetries((attempt) => callAgent({ ...call, attempt }), { signal, onRetry })`.
//
// - Cancel: pass the run's AbortSignal as `call.signal` and as the retry option `signal`. The
//   in-flight request is aborted (the provider sees the connection close), a Suna run is stopped,
//   a sleeping retry wakes, and the call throws ProviderError kind `aborted` (not retryable).
// - Time limit: `call.timeoutMs` per attempt, else the provider's default (defaultTimeoutMs;
//   agent-api: config.timeout_ms, then the tenant's agents_timeout_ms). It throws kind `timeout`
//   (retryable).
// - Failures are ProviderErrors: `kind`, `retryable`, `retryAfterMs`, `status`, `code`, and a
//   `message` safe to show (never the key). A retryAfterMs above the retry option
//   maxRetryAfterMs (60 s) comes back unslept, for the engine to re-queue the step for later.
// - Usage is what the provider reported (`estimated: true` when it reported nothing and the
//   numbers are estimateTokens of the text: Suna always, agent-api without `usage`, some
//   OpenAI-compatible servers). inputTokens includes cached tokens; cachedInputTokens says how
//   many of them were cache reads.
// - Streaming: `stream: true` (openai-compatible, anthropic) or any Suna/demo call reports partial
//   text to `onDelta`; a retry starts the text over (reset it in onRetry).
import { callAgentApi } from "./agent-api.ts";
import { callAnthropic } from "./anthropic.ts";
import { callDemo } from "./demo.ts";
import { callOpenAiCompatible } from "./openai-compatible.ts";
import { type AgentCall, type AgentReply, ProviderError } from "./provider.ts";
import { callSuna } from "./suna.ts";

export * from "./provider.ts";
export { backoffDelayMs, callWithRetries, retryDefaults, type RetryInfo, type RetryOptions } from "./retry.ts";
export { abortableSleep, type Deadline, startDeadline } from "./timeouts.ts";
export { retryAfterMs } from "./http.ts";
export { demoFails, demoReplyText, stableHash } from "./demo.ts";
export { agentApiPath, agentApiRequestBody, agentApiTimeoutMs, callAgentApi } from "./agent-api.ts";
export { anthropicDefaultBaseUrl, anthropicRequestBody, anthropicVersion, callAnthropic } from "./anthropic.ts";
export { callOpenAiCompatible, openAiDefaultBaseUrl, openAiRequestBody } from "./openai-compatible.ts";
export { callSuna, sunaPrompt, sunaStopTimeoutMs } from "./suna.ts";
export { callDemo } from "./demo.ts";

/** One attempt of one agent call, by its provider. Throws ProviderError only. */
export function callAgent(call: AgentCall): Promise<AgentReply> {
  switch (call.provider) {
    case "openai-compatible":
      return callOpenAiCompatible(call);
    case "anthropic":
      return callAnthropic(call);
    case "suna":
      return callSuna(call);
    case "agent-api":
      return callAgentApi(call);
    case "demo":
      return callDemo(call);
    default:
      return Promise.reject(
        new ProviderError("bad_request", `"${String((call as { provider: unknown }).provider)}" is not a provider`),
      );
  }
}
