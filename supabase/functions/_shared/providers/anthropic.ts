// Anthropic's Messages API: POST <base>/v1/messages with x-api-key and anthropic-version.
// https://docs.anthropic.com/en/api/messages, streaming: https://docs.anthropic.com/en/api/messages-streaming
import {
  asRecord,
  configNumber,
  configString,
  configStrings,
  errorFromResponse,
  invalidResponse,
  isTokenCount,
  type ProviderContext,
  readJson,
  v1Url,
} from "./http.ts";
import {
  type AgentCall,
  type AgentReply,
  conversation,
  defaultTimeoutMs,
  deltaSink,
  type FinishReason,
  hostOf,
  ProviderError,
  type ToolCall,
  type ToolRound,
  type Usage,
} from "./provider.ts";
import { providerFetch } from "./provider-fetch.ts";
import { readServerSentEvents } from "./sse.ts";
import { runWithDeadline } from "./timeouts.ts";

export const anthropicDefaultBaseUrl = "https://api.anthropic.com";
export const anthropicVersion = "2023-06-01";

/**
 * The request body. Anthropic takes temperature in [0, 1] while an agent may hold up to 2 (the
 * OpenAI range): it is clamped rather than failing every run of an agent moved between providers.
 */
export function anthropicRequestBody(call: AgentCall): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: call.model,
    max_tokens: call.maxTokens,
    messages: [...conversation(call), ...anthropicToolMessages(call.toolRounds ?? [])],
    temperature: Math.min(1, Math.max(0, call.temperature)),
  };
  if (call.systemPrompt !== "") body.system = call.systemPrompt;
  if (call.stream === true) body.stream = true;
  for (const key of ["top_p", "top_k"]) {
    const value = configNumber(call.config, key);
    if (value !== undefined) body[key] = value;
  }
  const stop = configStrings(call.config, "stop_sequences");
  if (stop) body.stop_sequences = stop;
  if (call.tools && call.tools.length > 0) {
    body.tools = call.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters }));
  }
  return body;
}

// Each round: the assistant's content blocks (its text, then a tool_use per call), then one user
// turn with a tool_result per call. https://docs.anthropic.com/en/docs/build-with-claude/tool-use
function anthropicToolMessages(rounds: ToolRound[]): Record<string, unknown>[] {
  return rounds.flatMap((round) => [
    {
      role: "assistant",
      content: [
        ...(round.text === "" ? [] : [{ type: "text", text: round.text }]),
        ...round.calls.map((toolCall) => ({
          type: "tool_use",
          id: toolCall.id,
          name: toolCall.name,
          // tool_use.input must be an object; arguments that were not one are refused before this.
          input: typeof toolCall.arguments === "string" ? {} : toolCall.arguments,
        })),
      ],
    },
    {
      role: "user",
      content: round.results.map((result) => ({
        type: "tool_result",
        tool_use_id: result.callId,
        content: result.content,
        ...(result.isError ? { is_error: true } : {}),
      })),
    },
  ]);
}

export async function callAnthropic(call: AgentCall): Promise<AgentReply> {
  const base = configString(call.config, "base_url") ?? call.baseUrl ?? anthropicDefaultBaseUrl;
  const url = v1Url(base, "messages");
  const host = hostOf(url);
  const context: ProviderContext = {
    label: host === "api.anthropic.com" ? "Anthropic" : `the Anthropic API at ${host}`,
    provider: "anthropic",
  };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: call.stream === true ? "text/event-stream" : "application/json",
    "anthropic-version": anthropicVersion,
  };
  if (call.apiKey) headers["x-api-key"] = call.apiKey;
  const fetchImpl = call.fetch ?? providerFetch;

  return await runWithDeadline(
    {
      signal: call.signal,
      timeoutMs: call.timeoutMs ?? defaultTimeoutMs.anthropic,
      label: context.label,
      provider: context.provider,
    },
    async (deadline) => {
      const response = await fetchImpl(url, {
        method: "POST",
        headers,
        body: JSON.stringify(anthropicRequestBody(call)),
        signal: deadline.signal,
        redirect: "manual",
      });
      if (!response.ok) throw await errorFromResponse(response, context);
      return call.stream === true
        ? await readStreamedMessage(response, call, context)
        : readMessage(await readJson(response, context), response, call, context);
    },
  );
}

function readMessage(json: unknown, response: Response, call: AgentCall, context: ProviderContext): AgentReply {
  const message = asRecord(json);
  if (!message || message.type !== "message" || !Array.isArray(message.content)) {
    throw invalidResponse(context, "not a message with content");
  }
  let text = "";
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    const record = asRecord(block);
    if (record?.type === "text") {
      if (typeof record.text !== "string") throw invalidResponse(context, "a text block without text");
      text += record.text;
    } else if (record?.type === "tool_use") {
      const input = asRecord(record.input);
      if (typeof record.id !== "string" || typeof record.name !== "string" || !input) {
        throw invalidResponse(context, "a tool_use block without id, name or input");
      }
      toolCalls.push({ id: record.id, name: record.name, arguments: input });
    }
  }
  const usage = anthropicUsage(message.usage);
  if (!usage) throw invalidResponse(context, "no usage");
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage,
    model: typeof message.model === "string" ? message.model : call.model,
    finishReason: finishReason(message.stop_reason),
    providerRequestId: typeof message.id === "string" ? message.id : response.headers.get("request-id") ?? undefined,
    raw: json,
  };
}

// Events: message_start {message: {id, model, usage}}, content_block_start, content_block_delta
// {delta: {type: "text_delta", text}}, content_block_stop, message_delta {delta: {stop_reason},
// usage: {output_tokens}} (cumulative), message_stop; `ping` any time; `error` {error: {type, message}}.
async function readStreamedMessage(response: Response, call: AgentCall, context: ProviderContext): Promise<AgentReply> {
  if (!response.body) throw invalidResponse(context, "an empty stream", true);
  const emit = deltaSink(call);
  let text = "";
  let id: string | undefined;
  let model: string | undefined;
  let started: Usage | null = null;
  let outputTokens: number | undefined;
  let stopReason: unknown = null;
  let stopped = false;
  // tool_use blocks: content_block_start names the call, input_json_delta pieces write its input.
  const toolUses = new Map<number, { id: string; name: string; json: string }>();
  for await (const event of readServerSentEvents(response.body)) {
    let data: Record<string, unknown> | null;
    try {
      data = asRecord(JSON.parse(event.data));
    } catch {
      data = null;
    }
    if (!data) throw invalidResponse(context, "a stream event that is not a JSON object");
    const type = typeof data.type === "string" ? data.type : event.event;
    if (type === "message_start") {
      const message = asRecord(data.message);
      if (typeof message?.id === "string") id = message.id;
      if (typeof message?.model === "string") model = message.model;
      started = anthropicUsage(message?.usage);
    } else if (type === "content_block_start") {
      const block = asRecord(data.content_block);
      if (block?.type === "tool_use") {
        if (typeof data.index !== "number" || typeof block.id !== "string" || typeof block.name !== "string") {
          throw invalidResponse(context, "a tool_use block without index, id or name");
        }
        toolUses.set(data.index, { id: block.id, name: block.name, json: "" });
      }
    } else if (type === "content_block_delta") {
      const delta = asRecord(data.delta);
      if (delta?.type === "text_delta" && typeof delta.text === "string") {
        text += delta.text;
        emit(delta.text);
      } else if (delta?.type === "input_json_delta" && typeof delta.partial_json === "string" && typeof data.index === "number") {
        const toolUse = toolUses.get(data.index);
        if (toolUse) toolUse.json += delta.partial_json;
      }
    } else if (type === "message_delta") {
      const delta = asRecord(data.delta);
      if (delta && "stop_reason" in delta) stopReason = delta.stop_reason;
      const usage = asRecord(data.usage);
      if (isTokenCount(usage?.output_tokens)) outputTokens = usage.output_tokens;
    } else if (type === "message_stop") {
      stopped = true;
      break;
    } else if (type === "error") {
      // Mid-stream errors (overloaded_error, api_error) come as an event after a 200.
      const error = asRecord(data.error);
      const code = typeof error?.type === "string" ? error.type : undefined;
      const kind = code === "rate_limit_error"
        ? "rate_limited"
        : code === "invalid_request_error"
        ? "bad_request"
        : "server_error";
      throw new ProviderError(kind, `${context.label} failed while streaming${code ? ` (${code})` : ""}`, {
        provider: context.provider,
        code,
      });
    }
  }
  if (!stopped) throw invalidResponse(context, "the stream ended before message_stop", true);
  if (!started) throw invalidResponse(context, "no message_start with usage");
  const toolCalls: ToolCall[] = [...toolUses.entries()].sort(([a], [b]) => a - b).map(([, toolUse]) => {
    let input: Record<string, unknown> | null;
    try {
      // An input with no pieces is the empty object Anthropic started the block with.
      input = asRecord(toolUse.json.trim() === "" ? {} : JSON.parse(toolUse.json));
    } catch {
      input = null;
    }
    if (!input) throw invalidResponse(context, "a tool_use block whose input is not a JSON object");
    return { id: toolUse.id, name: toolUse.name, arguments: input };
  });
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage: { ...started, outputTokens: outputTokens ?? started.outputTokens },
    model: model ?? call.model,
    finishReason: finishReason(stopReason),
    providerRequestId: id ?? response.headers.get("request-id") ?? undefined,
  };
}

// input_tokens counts only what was not read from or written to the cache; the three add up to
// the whole prompt.
function anthropicUsage(value: unknown): Usage | null {
  const usage = asRecord(value);
  if (!usage || !isTokenCount(usage.input_tokens) || !isTokenCount(usage.output_tokens)) return null;
  const created = isTokenCount(usage.cache_creation_input_tokens) ? usage.cache_creation_input_tokens : 0;
  const read = isTokenCount(usage.cache_read_input_tokens) ? usage.cache_read_input_tokens : 0;
  return {
    inputTokens: usage.input_tokens + created + read,
    outputTokens: usage.output_tokens,
    ...(read > 0 ? { cachedInputTokens: read } : {}),
  };
}

function finishReason(value: unknown): FinishReason {
  switch (value) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_use";
    case "refusal":
      return "content_filter";
    default:
      return "other";
  }
}
