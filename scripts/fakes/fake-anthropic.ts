// A fake Anthropic Messages API: POST /v1/messages with x-api-key and anthropic-version, streamed
// or not, with Anthropic's own error bodies. https://docs.anthropic.com/en/api/messages
import {
  type Behaviour,
  type Exchange,
  fakeReply,
  fakeTokens,
  type FakeOptions,
  type FakeServer,
  isStatusBehaviour,
  retryHeaders,
  shortHash,
  startFakeServer,
  streamPieces,
} from "./fake-http.ts";
import { nextScriptedCall, replyWithToolResults } from "./fake-tool-script.ts";

export interface AnthropicMessage {
  role: string;
  content: string;
}

export interface FakeAnthropicOptions extends FakeOptions {
  /** Replaces the default reply (fakeAnthropicReply). */
  reply?: (system: string, messages: AnthropicMessage[]) => string;
}

/** The default reply: fakeReply of the last user message, the system prompt and earlier turns as context. */
export function fakeAnthropicReply(system: string, messages: AnthropicMessage[]): string {
  const last = messages.map((message) => message.role).lastIndexOf("user");
  const prompt = last >= 0 ? messages[last].content : "";
  const context = [system, ...messages.slice(0, Math.max(0, last)).map((message) => `${message.role}:${message.content}`)]
    .join("\n");
  return fakeReply("fake-anthropic", prompt, context);
}

/** input_tokens as the fake counts them: fakeTokens of the system prompt and every message, joined by newlines. */
export function fakeAnthropicInputTokens(system: string, messages: AnthropicMessage[]): number {
  return fakeTokens([system, ...messages.map((message) => message.content)].filter((part) => part !== "").join("\n"));
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeServer> {
  let served = 0;
  return await startFakeServer<Behaviour>(async (exchange, next) => {
    const { record, request } = exchange;
    if (record.method !== "POST" || record.path !== "/v1/messages") {
      return exchange.json(404, anthropicError("not_found_error", "Not found"));
    }
    const behaviour = next();
    if (behaviour === "slow") return await exchange.hold();
    if (isStatusBehaviour(behaviour)) {
      return exchange.json(behaviour.status, behaviour.body ?? errorBodyFor(behaviour.status, exchange), retryHeaders(behaviour));
    }
    if (!request.headers["anthropic-version"]) {
      return exchange.json(400, anthropicError("invalid_request_error", "anthropic-version: header is required"));
    }
    const key = request.headers["x-api-key"];
    if (options.apiKey !== undefined && key !== options.apiKey) return exchange.json(401, errorBodyFor(401, exchange));
    const body = record.body as Record<string, unknown> | undefined;
    if (!body || typeof body.model !== "string") return exchange.json(400, anthropicError("invalid_request_error", "model: Field required"));
    if (typeof body.max_tokens !== "number") return exchange.json(400, anthropicError("invalid_request_error", "max_tokens: Field required"));
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return exchange.json(400, anthropicError("invalid_request_error", "messages: at least one message is required"));
    }
    if (typeof body.temperature === "number" && (body.temperature < 0 || body.temperature > 1)) {
      return exchange.json(400, anthropicError("invalid_request_error", "temperature: range: 0..1"));
    }
    const system = typeof body.system === "string" ? body.system : "";
    const rawMessages = body.messages as Record<string, unknown>[];
    const messages = rawMessages.map((message) => ({
      role: String(message.role),
      content: typeof message.content === "string" ? message.content : "",
    }));
    const unanswered = unansweredToolUse(rawMessages);
    if (unanswered) {
      return exchange.json(400, anthropicError(
        "invalid_request_error",
        `messages: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      ));
    }
    served++;
    const id = `msg_01${shortHash(`${served}:${record.rawBody}`)}`;
    const model = body.model;
    const toolResults = rawMessages.flatMap((message) =>
      Array.isArray(message.content)
        ? (message.content as Record<string, unknown>[]).filter((block) => block.type === "tool_result").map((block) => String(block.content))
        : []
    );
    let text = replyWithToolResults((options.reply ?? fakeAnthropicReply)(system, messages.filter((message) => message.content !== "")), toolResults);
    let stopReason = "end_turn";
    const offered = new Set((Array.isArray(body.tools) ? body.tools as Record<string, unknown>[] : []).map((tool) => String(tool.name)));
    const roundsDone = rawMessages.filter((message) =>
      message.role === "assistant" && Array.isArray(message.content) &&
      (message.content as Record<string, unknown>[]).some((block) => block.type === "tool_use")
    ).length;
    const firstUser = messages.find((message) => message.role === "user")?.content ?? "";
    const scripted = nextScriptedCall(firstUser, roundsDone, offered);
    let toolUse: Record<string, unknown> | undefined;
    if (scripted) {
      let input: unknown;
      try {
        input = JSON.parse(scripted.arguments);
      } catch {
        input = { unparsed: scripted.arguments };
      }
      text = scripted.text;
      stopReason = "tool_use";
      toolUse = { type: "tool_use", id: `toolu_01${shortHash(`${served}:${roundsDone}`)}`, name: scripted.name, input };
    }
    if (fakeTokens(text) > body.max_tokens) {
      text = [...text].slice(0, body.max_tokens * 4).join("");
      stopReason = "max_tokens";
    }
    const inputTokens = fakeAnthropicInputTokens(system, messages);
    const headers = { "request-id": `req_01${shortHash(id)}` };
    const streaming = body.stream === true;

    if (behaviour === "malformed") {
      if (streaming) {
        exchange.openStream(headers);
        await exchange.write(`event: message_start\ndata: {"type": "message_start", "message": {\n\n`);
        return exchange.end();
      }
      exchange.response.writeHead(200, { "content-type": "application/json", ...headers });
      return exchange.response.end(`{"id": "${id}", "type": "message", "content": [`);
    }
    if (!(await exchange.latency())) return;

    const usage = { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: fakeTokens(scripted ? text + scripted.name + scripted.arguments : text), service_tier: "standard" };
    if (!streaming) {
      const message = {
        id,
        type: "message",
        role: "assistant",
        model,
        content: toolUse ? [...(text === "" ? [] : [{ type: "text", text }]), toolUse] : [{ type: "text", text }],
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      };
      if (behaviour === "cut-stream") {
        const whole = JSON.stringify(message);
        exchange.response.writeHead(200, { "content-type": "application/json", "content-length": String(whole.length), ...headers });
        await exchange.write(whole.slice(0, Math.floor(whole.length / 2)));
        return await exchange.cut();
      }
      return exchange.json(200, message, headers);
    }

    const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    exchange.openStream(headers);
    await exchange.write(event("message_start", {
      message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    }));
    await exchange.write(event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
    await exchange.write(event("ping", {}));
    const pieces = streamPieces(text);
    for (const [index, piece] of pieces.entries()) {
      if (behaviour === "cut-stream" && index === Math.max(1, Math.floor(pieces.length / 2))) return await exchange.cut();
      await exchange.write(event("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } }));
    }
    if (behaviour === "cut-stream") return await exchange.cut();
    await exchange.write(event("content_block_stop", { index: 0 }));
    // A tool_use block as Anthropic streams it: its start with an empty input, then the input's JSON in pieces.
    if (toolUse) {
      await exchange.write(event("content_block_start", { index: 1, content_block: { ...toolUse, input: {} } }));
      for (const piece of JSON.stringify(toolUse.input).match(/[\s\S]{1,8}/g) ?? []) {
        await exchange.write(event("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: piece } }));
      }
      await exchange.write(event("content_block_stop", { index: 1 }));
    }
    await exchange.write(event("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }));
    await exchange.write(event("message_stop", {}));
    exchange.end();
  }, options);
}

/** The first tool_use id whose tool_result is not in the next (user) message, as Anthropic refuses it. */
function unansweredToolUse(messages: Record<string, unknown>[]): string | null {
  for (const [index, message] of messages.entries()) {
    if (message.role !== "assistant" || !Array.isArray(message.content)) continue;
    const next = messages[index + 1];
    const answered = new Set(
      next?.role === "user" && Array.isArray(next.content)
        ? (next.content as Record<string, unknown>[]).filter((block) => block.type === "tool_result").map((block) => String(block.tool_use_id))
        : [],
    );
    for (const block of message.content as Record<string, unknown>[]) {
      if (block.type === "tool_use" && !answered.has(String(block.id))) return String(block.id);
    }
  }
  return null;
}

function anthropicError(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

// The bodies Anthropic answers these statuses with (https://docs.anthropic.com/en/api/errors).
function errorBodyFor(status: number, exchange: Exchange): unknown {
  switch (status) {
    case 400:
      return anthropicError("invalid_request_error", "messages: roles must alternate between \"user\" and \"assistant\"");
    case 401:
      return anthropicError("authentication_error", `invalid x-api-key ${String(exchange.request.headers["x-api-key"])}`);
    case 403:
      return anthropicError("permission_error", "Your API key does not have permission to use the specified resource.");
    case 404:
      return anthropicError("not_found_error", `model: ${String((exchange.record.body as Record<string, unknown> | undefined)?.model)}`);
    case 413:
      return anthropicError("request_too_large", "Request exceeds the maximum allowed number of bytes.");
    case 429:
      return anthropicError("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit.");
    case 529:
      return anthropicError("overloaded_error", "Overloaded");
    default:
      return status >= 500 ? anthropicError("api_error", "Internal server error") : anthropicError("invalid_request_error", `HTTP ${status}`);
  }
}
