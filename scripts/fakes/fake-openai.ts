// A fake OpenAI Chat Completions API: POST /v1/chat/completions, streamed or not, with OpenAI's
// own error bodies. https://platform.openai.com/docs/api-reference/chat
import {
  type Behaviour,
  type Exchange,
  fakeReply,
  fakeTokens,
  type FakeOptions,
  type FakeServer,
  isStatusBehaviour,
  presentedKey,
  retryHeaders,
  shortHash,
  startFakeServer,
  streamPieces,
} from "./fake-http.ts";
import { nextScriptedCall, replyWithToolResults } from "./fake-tool-script.ts";

export interface ChatMessage {
  role: string;
  content: string;
}

export interface FakeOpenAiOptions extends FakeOptions {
  /** Replaces the default reply (fakeOpenAiReply). */
  reply?: (messages: ChatMessage[]) => string;
}

/** The default reply: fakeReply of the last user message, the rest as context. */
export function fakeOpenAiReply(messages: ChatMessage[]): string {
  const last = messages.map((message) => message.role).lastIndexOf("user");
  const prompt = last >= 0 ? messages[last].content : "";
  const context = messages.slice(0, Math.max(0, last)).map((message) => `${message.role}:${message.content}`).join("\n");
  return fakeReply("fake-openai", prompt, context);
}

/** prompt_tokens as the fake counts them: fakeTokens of every message's content, joined by newlines. */
export function fakeOpenAiPromptTokens(messages: ChatMessage[]): number {
  return fakeTokens(messages.map((message) => message.content).join("\n"));
}

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeServer> {
  let served = 0;
  return await startFakeServer<Behaviour>(async (exchange, next) => {
    const { record } = exchange;
    if (record.method !== "POST" || record.path !== "/v1/chat/completions") {
      return exchange.json(404, openAiError(`Invalid URL (${record.method} ${record.path})`, "invalid_request_error", null));
    }
    const behaviour = next();
    if (behaviour === "slow") return await exchange.hold();
    if (isStatusBehaviour(behaviour) && behaviour.body === undefined) {
      return exchange.json(behaviour.status, errorBodyFor(behaviour.status, exchange), retryHeaders(behaviour));
    }
    if (isStatusBehaviour(behaviour)) return exchange.json(behaviour.status, behaviour.body, retryHeaders(behaviour));

    if (options.apiKey !== undefined && presentedKey(exchange.request) !== options.apiKey) {
      return exchange.json(401, errorBodyFor(401, exchange));
    }
    const body = record.body as Record<string, unknown> | undefined;
    if (!body || typeof body.model !== "string") {
      return exchange.json(400, openAiError("you must provide a model parameter", "invalid_request_error", null));
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return exchange.json(400, openAiError("'messages' is a required property", "invalid_request_error", null, "messages"));
    }
    const rawMessages = body.messages as Record<string, unknown>[];
    const messages = rawMessages.map((message) => ({
      role: String(message.role),
      content: typeof message.content === "string" ? message.content : "",
    }));
    const unanswered = unansweredToolCall(rawMessages);
    if (unanswered) {
      return exchange.json(400, openAiError(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${unanswered}`,
        "invalid_request_error", null, "messages",
      ));
    }
    served++;
    const id = `chatcmpl-${shortHash(`${served}:${record.rawBody}`)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    const toolResults = rawMessages.filter((message) => message.role === "tool").map((message) => String(message.content));
    let text = replyWithToolResults((options.reply ?? fakeOpenAiReply)(messages.filter((message) => message.role !== "tool")), toolResults);
    let finish = "stop";
    const offered = new Set(
      (Array.isArray(body.tools) ? body.tools as Record<string, unknown>[] : [])
        .map((tool) => String((tool.function as Record<string, unknown> | undefined)?.name ?? "")),
    );
    const roundsDone = rawMessages.filter((message) => message.role === "assistant" && Array.isArray(message.tool_calls)).length;
    const firstUser = messages.find((message) => message.role === "user")?.content ?? "";
    const scripted = nextScriptedCall(firstUser, roundsDone, offered);
    let toolCalls: { id: string; type: string; function: { name: string; arguments: string } }[] | undefined;
    if (scripted) {
      text = scripted.text;
      finish = "tool_calls";
      toolCalls = [{ id: `call_${shortHash(`${served}:${roundsDone}`)}`, type: "function", function: { name: scripted.name, arguments: scripted.arguments } }];
    }
    // OpenAI takes either name for the reply's limit (max_tokens is the deprecated one).
    const limit = typeof body.max_completion_tokens === "number" ? body.max_completion_tokens : body.max_tokens;
    if (typeof limit === "number" && fakeTokens(text) > limit) {
      text = [...text].slice(0, limit * 4).join("");
      finish = "length";
    }
    const usage = {
      prompt_tokens: fakeOpenAiPromptTokens(messages),
      completion_tokens: fakeTokens(scripted ? text + scripted.name + scripted.arguments : text),
      total_tokens: fakeOpenAiPromptTokens(messages) + fakeTokens(scripted ? text + scripted.name + scripted.arguments : text),
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const headers = { "x-request-id": `req_${shortHash(id)}`, "openai-processing-ms": "1" };
    const streaming = body.stream === true;

    if (behaviour === "malformed") {
      if (streaming) {
        exchange.openStream(headers);
        await exchange.write(`data: {"id": "${id}", "object": "chat.completion.chunk", "choices": [\n\n`);
        return exchange.end();
      }
      exchange.response.writeHead(200, { "content-type": "application/json", ...headers });
      return exchange.response.end(`{"id": "${id}", "object": "chat.completion", "choices": [`);
    }
    if (!(await exchange.latency())) return;

    if (!streaming) {
      const completion = {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: toolCalls && text === "" ? null : text, refusal: null, annotations: [], ...(toolCalls ? { tool_calls: toolCalls } : {}) },
          logprobs: null,
          finish_reason: finish,
        }],
        usage,
        service_tier: "default",
        system_fingerprint: "fp_fake",
      };
      if (behaviour === "cut-stream") {
        const whole = JSON.stringify(completion);
        exchange.response.writeHead(200, { "content-type": "application/json", "content-length": String(whole.length), ...headers });
        await exchange.write(whole.slice(0, Math.floor(whole.length / 2)));
        return await exchange.cut();
      }
      return exchange.json(200, completion, headers);
    }

    const includeUsage = (body.stream_options as Record<string, unknown> | undefined)?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_fake", choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
    exchange.openStream(headers);
    await exchange.write(chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]));
    const pieces = streamPieces(text);
    for (const [index, piece] of pieces.entries()) {
      if (behaviour === "cut-stream" && index === Math.max(1, Math.floor(pieces.length / 2))) return await exchange.cut();
      await exchange.write(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
    }
    if (behaviour === "cut-stream") return await exchange.cut();
    // A call as OpenAI streams it: id, name and empty arguments first, then the arguments in pieces.
    for (const [index, toolCall] of (toolCalls ?? []).entries()) {
      await exchange.write(chunk([{ index: 0, delta: { tool_calls: [{ index, id: toolCall.id, type: "function", function: { name: toolCall.function.name, arguments: "" } }] }, logprobs: null, finish_reason: null }]));
      for (const piece of toolCall.function.arguments.match(/[\s\S]{1,8}/g) ?? []) {
        await exchange.write(chunk([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]));
      }
    }
    await exchange.write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }]));
    if (includeUsage) await exchange.write(chunk([], { usage }));
    await exchange.write("data: [DONE]\n\n");
    exchange.end();
  }, options);
}

/** The first tool_call id of an assistant message that no `tool` message answers, as OpenAI refuses it. */
function unansweredToolCall(messages: Record<string, unknown>[]): string | null {
  for (const [index, message] of messages.entries()) {
    if (message.role !== "assistant" || !Array.isArray(message.tool_calls)) continue;
    const answered = new Set<string>();
    for (const next of messages.slice(index + 1)) {
      if (next.role !== "tool") break;
      answered.add(String(next.tool_call_id));
    }
    for (const toolCall of message.tool_calls as Record<string, unknown>[]) {
      if (!answered.has(String(toolCall.id))) return String(toolCall.id);
    }
  }
  return null;
}

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

// The bodies OpenAI answers these statuses with.
function errorBodyFor(status: number, exchange: Exchange): unknown {
  switch (status) {
    case 400:
      return openAiError("Invalid value for 'temperature': expected a number between 0 and 2.", "invalid_request_error", "invalid_value", "temperature");
    case 401:
      return openAiError(
        `Incorrect API key provided: ${presentedKey(exchange.request)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        "invalid_request_error",
        "invalid_api_key",
      );
    case 403:
      return openAiError("You are not allowed to sample from this model", "invalid_request_error", "model_not_allowed");
    case 404: {
      const model = (exchange.record.body as Record<string, unknown> | undefined)?.model;
      return openAiError(`The model \`${String(model)}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found");
    }
    case 429:
      return openAiError(
        "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
        "requests",
        "rate_limit_exceeded",
      );
    case 503:
      return openAiError("The server is overloaded or not ready yet.", "server_error", null);
    default:
      return status >= 500
        ? openAiError("The server had an error while processing your request. Sorry about that!", "server_error", null)
        : openAiError(`HTTP ${status}`, "invalid_request_error", null);
  }
}
