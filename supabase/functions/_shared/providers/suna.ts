// Suna (Kortix), one agent run per call:
//   POST <base>/api/agent/start (multipart: prompt, thread_id?, agent_id?, model_name?)
//     → {thread_id, project_id, agent_run_id, status}
//   GET  <base>/api/agent-run/{id}/stream (server-sent events, one JSON object per `data:` line)
//   POST <base>/api/agent-run/{id}/stop, when the call is cancelled, times out or fails midway
//   GET  <base>/api/threads/{thread_id}/messages, when the stream carried no assistant text
//
// The stream (kortix-ai/suna, backend agent runs API and response processor) sends, among others:
//   {"type":"assistant","message_id":null,"sequence":3,"content":"{\"role\":\"assistant\",\"content\":\"Hel\"}",
//    "metadata":"{\"stream_status\":\"chunk\",...}"}              a piece of the reply being written
//   {"type":"assistant","message_id":"<uuid>","content":"{\"role\":\"assistant\",\"content\":\"Hello\"}",
//    "metadata":"{\"stream_status\":\"complete\",...}"}           a finished assistant message
//   {"type":"tool",...} {"type":"status","content":"{\"status_type\":...}"} {"type":"ping"}
//   {"type":"llm_response_start"} {"type":"llm_response_end"}
//   {"type":"status","status":"completed"|"failed"|"stopped"|"error","message":...}   the end
// `content` and `metadata` are JSON strings in Suna's messages; objects are accepted as well.
//
// The reply is the finished assistant messages of the run, joined by blank lines (one per model
// turn between tool calls); when none finished, the pieces streamed. Suna reports no token usage:
// usage is estimateTokens() of the prompt sent and of the reply (`estimated: true`), which
// undercounts a run that made several model calls and used tools; Suna bills that itself.
import {
  asRecord,
  configString,
  errorFromResponse,
  invalidResponse,
  joinUrl,
  missingAddress,
  type ProviderContext,
  readJson,
} from "./http.ts";
import {
  type AgentCall,
  type AgentReply,
  type FetchLike,
  defaultTimeoutMs,
  deltaSink,
  estimateTokens,
  hostOf,
  ProviderError,
} from "./provider.ts";
import { providerFetch } from "./provider-fetch.ts";
import { readServerSentEvents } from "./sse.ts";
import { runWithDeadline } from "./timeouts.ts";

/** How long a stop request may take; the cancel it follows is not held up longer than this. */
export const sunaStopTimeoutMs = 3_000;

const terminalStatuses = new Set(["completed", "failed", "stopped", "error"]);

/**
 * What is sent as Suna's `prompt`: a Suna run has no separate system field, so the agent's
 * system prompt, when it has one, comes first, then a blank line and the input. Earlier turns are
 * not sent: a Suna thread keeps its own history (config.thread_id continues one).
 */
export function sunaPrompt(call: AgentCall): string {
  return call.systemPrompt === "" ? call.input : `${call.systemPrompt}\n\n${call.input}`;
}

export async function callSuna(call: AgentCall): Promise<AgentReply> {
  const base = configString(call.config, "base_url") ?? call.baseUrl;
  const context: ProviderContext = {
    label: base ? `Suna at ${hostOf(base)}` : "Suna",
    provider: "suna",
  };
  if (!base) throw missingAddress(context, "set the agent's config.base_url or the platform's SUNA_BASE_URL");
  const auth = authHeaders(call.apiKey);
  const fetchImpl = call.fetch ?? providerFetch;
  const prompt = sunaPrompt(call);
  let runId: string | undefined;
  let finished = false;

  try {
    return await runWithDeadline(
      {
        signal: call.signal,
        timeoutMs: call.timeoutMs ?? defaultTimeoutMs.suna,
        label: context.label,
        provider: "suna",
      },
      async (deadline) => {
        const form = new FormData();
        form.set("prompt", prompt);
        const threadId = configString(call.config, "thread_id");
        const agentId = configString(call.config, "agent_id");
        const modelName = configString(call.config, "model_name");
        if (threadId) form.set("thread_id", threadId);
        if (agentId) form.set("agent_id", agentId);
        if (modelName) form.set("model_name", modelName);

        const started = await fetchImpl(joinUrl(base, "api/agent/start"), {
          method: "POST",
          headers: { ...auth, accept: "application/json" },
          body: form,
          signal: deadline.signal,
          redirect: "manual",
        });
        if (!started.ok) throw await sunaError(started, context);
        const run = asRecord(await readJson(started, context));
        if (typeof run?.agent_run_id !== "string" || run.agent_run_id === "") {
          throw invalidResponse(context, "no agent_run_id in the answer to /api/agent/start");
        }
        runId = run.agent_run_id;
        const runThreadId = typeof run.thread_id === "string" ? run.thread_id : undefined;
        call.onStarted?.({ providerRequestId: runId, ...(runThreadId ? { threadId: runThreadId } : {}) });

        const stream = await fetchImpl(joinUrl(base, `api/agent-run/${encodeURIComponent(runId)}/stream`), {
          headers: { ...auth, accept: "text/event-stream" },
          signal: deadline.signal,
          redirect: "manual",
        });
        if (!stream.ok) throw await sunaError(stream, context);
        if (!stream.body) throw invalidResponse(context, "an empty stream", true);

        const outcome = await readRun(stream.body, call, context);
        finished = true;
        if (outcome.status !== "completed") throw runEnded(outcome.status, context);
        let text = outcome.text;
        if (text === "" && runThreadId) {
          text = await lastAssistantMessage(fetchImpl, base, runThreadId, auth, deadline.signal, context);
        }
        return {
          text,
          usage: { inputTokens: estimateTokens(prompt), outputTokens: estimateTokens(text), estimated: true },
          model: modelName ?? call.model,
          finishReason: "stop",
          providerRequestId: runId,
        };
      },
    );
  } catch (error) {
    // A run we started and did not see end keeps working (and spending) on Suna's side: stop it.
    if (runId !== undefined && !finished) await stopRun(fetchImpl, base, runId, auth);
    throw error;
  }
}

interface RunOutcome {
  status: string;
  text: string;
}

async function readRun(
  body: ReadableStream<Uint8Array>,
  call: AgentCall,
  context: ProviderContext,
): Promise<RunOutcome> {
  const emit = deltaSink(call);
  const finishedMessages: string[] = [];
  let pieces = "";
  for await (const event of readServerSentEvents(body)) {
    let data: Record<string, unknown> | null;
    try {
      data = asRecord(JSON.parse(event.data));
    } catch {
      data = null;
    }
    if (!data) throw invalidResponse(context, "a stream event that is not a JSON object");
    if (data.type === "status" && typeof data.status === "string" && terminalStatuses.has(data.status)) {
      const text = finishedMessages.length > 0 ? finishedMessages.join("\n\n") : pieces;
      return { status: data.status, text };
    }
    if (data.type !== "assistant") continue;
    const content = parseMaybeJson(data.content);
    const text = typeof content === "string" ? content : asRecord(content)?.content;
    if (typeof text !== "string") continue;
    const metadata = asRecord(parseMaybeJson(data.metadata));
    const isPiece = metadata?.stream_status === "chunk" || data.message_id === null || data.message_id === undefined;
    if (isPiece) {
      pieces += text;
      emit(text);
    } else if (text !== "") {
      finishedMessages.push(text);
    }
  }
  // The body ended cleanly without the closing status: the run's outcome is unknown.
  throw invalidResponse(context, "the run's stream ended without a final status", true);
}

function runEnded(status: string, context: ProviderContext): ProviderError {
  switch (status) {
    case "failed":
      // The agent itself failed (a tool, the model, a billing limit on Suna's side): running the
      // whole agent again is the engine's decision, not an automatic retry.
      return new ProviderError("server_error", `the agent run on ${context.label} failed`, {
        provider: "suna",
        retryable: false,
        code: "run_failed",
      });
    case "stopped":
      return new ProviderError("server_error", `the agent run on ${context.label} was stopped on Suna's side`, {
        provider: "suna",
        retryable: false,
        code: "run_stopped",
      });
    default:
      // `error`: Suna's own streaming or worker broke (a dead worker, Redis), not the agent.
      return new ProviderError("server_error", `${context.label} lost the agent run (status error)`, {
        provider: "suna",
        code: "run_error",
      });
  }
}

// Suna answers errors the FastAPI way, {detail: "..."} or {detail: {message, error_code}}; it uses
// 402 for its plan limits, of which a full concurrent-run slot clears by itself.
async function sunaError(response: Response, context: ProviderContext): Promise<ProviderError> {
  const error = await errorFromResponse(response, context);
  if (response.status === 402 && error.code === "AGENT_RUN_LIMIT_EXCEEDED") {
    return new ProviderError("rate_limited", `${context.label} has no free run slot (HTTP 402, ${error.code})`, {
      provider: "suna",
      status: 402,
      code: error.code,
    });
  }
  return error;
}

async function lastAssistantMessage(
  fetchImpl: FetchLike,
  base: string,
  threadId: string,
  auth: Record<string, string>,
  signal: AbortSignal,
  context: ProviderContext,
): Promise<string> {
  const response = await fetchImpl(joinUrl(base, `api/threads/${encodeURIComponent(threadId)}/messages`), {
    headers: { ...auth, accept: "application/json" },
    signal,
    redirect: "manual",
  });
  if (!response.ok) throw await sunaError(response, context);
  const messages = asRecord(await readJson(response, context))?.messages;
  if (!Array.isArray(messages)) throw invalidResponse(context, "no messages in the thread");
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = asRecord(messages[index]);
    if (message?.type !== "assistant") continue;
    const content = parseMaybeJson(message.content);
    const text = typeof content === "string" ? content : asRecord(content)?.content;
    if (typeof text === "string") return text;
  }
  return "";
}

/** Best effort, bounded by sunaStopTimeoutMs: the caller's signal has usually fired already. */
async function stopRun(
  fetchImpl: FetchLike,
  base: string,
  runId: string,
  auth: Record<string, string>,
): Promise<void> {
  try {
    const response = await fetchImpl(joinUrl(base, `api/agent-run/${encodeURIComponent(runId)}/stop`), {
      method: "POST",
      headers: { ...auth, accept: "application/json" },
      signal: AbortSignal.timeout(sunaStopTimeoutMs),
      redirect: "manual",
    });
    await response.body?.cancel().catch(() => {});
  } catch {
    // Suna unreachable: the run ends by Suna's own run timeout.
  }
}

// Suna takes an API key in X-API-Key, or a user's Supabase JWT as a Bearer token.
function authHeaders(apiKey: string | undefined): Record<string, string> {
  if (!apiKey) return {};
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(apiKey)
    ? { authorization: `Bearer ${apiKey}` }
    : { "x-api-key": apiKey };
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
