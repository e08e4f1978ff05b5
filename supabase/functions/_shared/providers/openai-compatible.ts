// OpenAI's Chat Completions API, and every server that speaks it (OpenAI, Azure-style proxies,
// OpenRouter, Groq, vLLM, Ollama...): POST <base>/v1/chat/completions with a Bearer key.
// https://platform.openai.com/docs/api-reference/chat/create
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
  estimateTokens,
  type FinishReason,
  hostOf,
  promptText,
  ProviderError,
  type ToolCall,
  type ToolRound,
  type Usage,
} from "./provider.ts";
import { providerFetch } from "./provider-fetch.ts";
import { readServerSentEvents } from "./sse.ts";
import { runWithDeadline } from "./timeouts.ts";

export const openAiDefaultBaseUrl = "https://api.openai.com";

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, gpt-5...) refuse any temperature but the default
 * ("Unsupported value: 'temperature' does not support 0.7 with this model"), under their own name
 * or a router's (openai/o3).
 */
const reasoningModel = /^(?:openai\/)?(?:o\d|gpt-5)(?!-chat)/i;

/**
 * The request body: agent settings first, then the config keys the provider allows. OpenAI's own
 * API takes the reply's limit as max_completion_tokens (max_tokens is deprecated there and refused
 * by reasoning models); other servers that speak the protocol mostly know only max_tokens.
 */
export function openAiRequestBody(call: AgentCall, baseUrl = openAiDefaultBaseUrl): Record<string, unknown> {
  const messages: object[] = [
    ...(call.systemPrompt === "" ? [] : [{ role: "system", content: call.systemPrompt }]),
    ...conversation(call),
    ...openAiToolMessages(call.toolRounds ?? []),
  ];
  const tokenLimitField = hostOf(baseUrl) === hostOf(openAiDefaultBaseUrl) ? "max_completion_tokens" : "max_tokens";
  const body: Record<string, unknown> = {
    model: call.model,
    messages,
    ...(reasoningModel.test(call.model) ? {} : { temperature: call.temperature }),
    [tokenLimitField]: call.maxTokens,
    stream: call.stream === true,
  };
  if (call.stream === true) body.stream_options = { include_usage: true };
  for (const key of ["top_p", "presence_penalty", "frequency_penalty"]) {
    const value = configNumber(call.config, key);
    if (value !== undefined) body[key] = value;
  }
  const stop = configStrings(call.config, "stop");
  if (stop) body.stop = stop;
  if (call.tools && call.tools.length > 0) {
    body.tools = call.tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  }
  return body;
}

// Each round: the assistant's message with its tool_calls (arguments as a JSON string), then one
// `tool` message per result. https://platform.openai.com/docs/guides/function-calling
function openAiToolMessages(rounds: ToolRound[]): Record<string, unknown>[] {
  return rounds.flatMap((round) => [
    {
      role: "assistant",
      content: round.text === "" ? null : round.text,
      tool_calls: round.calls.map((toolCall) => ({
        id: toolCall.id,
        type: "function",
        function: {
          name: toolCall.name,
          arguments: typeof toolCall.arguments === "string" ? toolCall.arguments : JSON.stringify(toolCall.arguments),
        },
      })),
    },
    ...round.results.map((result) => ({ role: "tool", tool_call_id: result.callId, content: result.content })),
  ]);
}

/** message.tool_calls as ToolCalls; arguments that are not a JSON object stay text, for the validator to refuse. */
function openAiToolCalls(value: unknown, context: ProviderContext): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidResponse(context, "tool_calls is not a list");
  return value.map((item) => {
    const toolCall = asRecord(item);
    const fn = asRecord(toolCall?.function);
    if (!toolCall || typeof toolCall.id !== "string" || !fn || typeof fn.name !== "string") {
      throw invalidResponse(context, "a tool call without id or function name");
    }
    const raw = typeof fn.arguments === "string" ? fn.arguments : "";
    let parsed: unknown;
    try {
      parsed = raw.trim() === "" ? {} : JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const args = asRecord(parsed);
    return { id: toolCall.id, name: fn.name, arguments: args ?? raw };
  });
}

export async function callOpenAiCompatible(call: AgentCall): Promise<AgentReply> {
  const base = configString(call.config, "base_url") ?? call.baseUrl ?? openAiDefaultBaseUrl;
  const url = v1Url(base, "chat/completions");
  const context: ProviderContext = {
    label: `the OpenAI-compatible API at ${hostOf(url)}`,
    provider: "openai-compatible",
  };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: call.stream === true ? "text/event-stream" : "application/json",
  };
  if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`;
  const organization = configString(call.config, "organization");
  if (organization) headers["openai-organization"] = organization;
  const fetchImpl = call.fetch ?? providerFetch;

  return await runWithDeadline(
    {
      signal: call.signal,
      timeoutMs: call.timeoutMs ?? defaultTimeoutMs["openai-compatible"],
      label: context.label,
      provider: context.provider,
    },
    async (deadline) => {
      const response = await fetchImpl(url, {
        method: "POST",
        headers,
        body: JSON.stringify(openAiRequestBody(call, base)),
        signal: deadline.signal,
        redirect: "manual",
      });
      if (!response.ok) throw await errorFromResponse(response, context);
      return call.stream === true
        ? await readStreamedCompletion(response, call, context)
        : readCompletion(await readJson(response, context), response, call, context);
    },
  );
}

function readCompletion(json: unknown, response: Response, call: AgentCall, context: ProviderContext): AgentReply {
  const completion = asRecord(json);
  const choices = completion?.choices;
  if (!completion || !Array.isArray(choices) || choices.length === 0) throw invalidResponse(context, "no choices");
  const choice = asRecord(choices[0]);
  const message = asRecord(choice?.message);
  const content = message?.content;
  // content is null when the model only called tools or refused.
  if (!choice || !message || (typeof content !== "string" && content !== null)) {
    throw invalidResponse(context, "choices[0].message.content is missing");
  }
  const text = content ?? "";
  const toolCalls = openAiToolCalls(message.tool_calls, context);
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage: openAiUsage(completion.usage) ?? estimatedUsage(call, text),
    model: typeof completion.model === "string" ? completion.model : call.model,
    finishReason: finishReason(choice.finish_reason),
    providerRequestId: typeof completion.id === "string"
      ? completion.id
      : response.headers.get("x-request-id") ?? undefined,
    raw: json,
  };
}

// stream: true sends `data: {chat.completion.chunk}` events and ends with `data: [DONE]`; with
// stream_options.include_usage the last chunk before [DONE] has empty choices and the usage.
async function readStreamedCompletion(
  response: Response,
  call: AgentCall,
  context: ProviderContext,
): Promise<AgentReply> {
  if (!response.body) throw invalidResponse(context, "an empty stream", true);
  const emit = deltaSink(call);
  let text = "";
  let finish: unknown = null;
  let usage: Usage | null = null;
  let model: string | undefined;
  let id: string | undefined;
  let done = false;
  // Tool calls come in pieces keyed by `index`: the first carries id and name, the rest more of the arguments' text.
  const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
  for await (const event of readServerSentEvents(response.body)) {
    if (event.data === "[DONE]") {
      done = true;
      break;
    }
    let chunk: Record<string, unknown> | null;
    try {
      chunk = asRecord(JSON.parse(event.data));
    } catch {
      chunk = null;
    }
    if (!chunk) throw invalidResponse(context, "a stream event that is not a JSON object");
    const streamedError = asRecord(chunk.error);
    if (streamedError) {
      const code = typeof streamedError.code === "string"
        ? streamedError.code
        : typeof streamedError.type === "string"
        ? streamedError.type
        : undefined;
      throw new ProviderError("server_error", `${context.label} failed while streaming${code ? ` (${code})` : ""}`, {
        provider: context.provider,
        code,
      });
    }
    if (typeof chunk.id === "string") id ??= chunk.id;
    if (typeof chunk.model === "string") model = chunk.model;
    const choice = Array.isArray(chunk.choices) ? asRecord(chunk.choices[0]) : null;
    const delta = asRecord(choice?.delta);
    const piece = delta?.content;
    if (typeof piece === "string" && piece !== "") {
      text += piece;
      emit(piece);
    }
    if (Array.isArray(delta?.tool_calls)) {
      for (const item of delta.tool_calls) {
        const part = asRecord(item);
        const fn = asRecord(part?.function);
        const index = typeof part?.index === "number" ? part.index : calls.size;
        const call = calls.get(index) ?? { arguments: "" };
        if (typeof part?.id === "string") call.id = part.id;
        if (typeof fn?.name === "string") call.name = (call.name ?? "") + fn.name;
        if (typeof fn?.arguments === "string") call.arguments += fn.arguments;
        calls.set(index, call);
      }
    }
    if (typeof choice?.finish_reason === "string") finish = choice.finish_reason;
    usage = openAiUsage(chunk.usage) ?? usage;
  }
  // A body that ends cleanly without [DONE] lost its end somewhere: worth another attempt.
  if (!done) throw invalidResponse(context, "the stream ended before [DONE]", true);
  const toolCalls = openAiToolCalls(
    [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })),
    context,
  );
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage: usage ?? estimatedUsage(call, text),
    model: model ?? call.model,
    finishReason: finishReason(finish),
    providerRequestId: id ?? response.headers.get("x-request-id") ?? undefined,
  };
}

function openAiUsage(value: unknown): Usage | null {
  const usage = asRecord(value);
  if (!usage || !isTokenCount(usage.prompt_tokens) || !isTokenCount(usage.completion_tokens)) return null;
  const cached = asRecord(usage.prompt_tokens_details)?.cached_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(isTokenCount(cached) && cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}

// Some compatible servers (older vLLM, a few proxies) send no usage at all.
function estimatedUsage(call: AgentCall, text: string): Usage {
  return { inputTokens: estimateTokens(promptText(call)), outputTokens: estimateTokens(text), estimated: true };
}

function finishReason(value: unknown): FinishReason {
  switch (value) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content_filter";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    default:
      return "other";
  }
}
