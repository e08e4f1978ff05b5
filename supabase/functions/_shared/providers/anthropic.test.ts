// The Anthropic provider against a fake Messages API on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  fakeAnthropicInputTokens,
  fakeAnthropicReply,
  startFakeAnthropic,
} from "../../../../scripts/fakes/fake-anthropic.ts";
import { type FakeServer, fakeTokens } from "../../../../scripts/fakes/fake-http.ts";
import { callAgent, callWithRetries, type RetryInfo } from "./index.ts";
import { agentCall, cancelWhen, providerFailure } from "./test-helpers.ts";

const key = "sk-ant-api03-test-0123456789abcdefghijklmnop";
let fake: FakeServer;

beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKey: key });
});
afterEach(async () => {
  await fake.close();
});

const call = (overrides: Parameters<typeof agentCall>[1] = {}) =>
  agentCall("anthropic", { model: "claude-sonnet-4-5", apiKey: key, baseUrl: fake.url, ...overrides });

const system = "You are a terse sales assistant.";
const messages = [{ role: "user", content: "Which plan fits a team of five?" }];

describe("anthropic: success", () => {
  it("sends the request Anthropic expects and reads text, usage, model and stop reason", async () => {
    const reply = await callAgent(call({ config: { top_k: 40, stop_sequences: ["###"] } }));

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/messages");
    expect(request.headers["x-api-key"]).toBe(key);
    expect(request.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 512,
      system,
      messages,
      temperature: 0.3,
      top_k: 40,
      stop_sequences: ["###"],
    });

    expect(reply.text).toBe(fakeAnthropicReply(system, messages));
    expect(reply.usage).toEqual({
      inputTokens: fakeAnthropicInputTokens(system, messages),
      outputTokens: fakeTokens(reply.text),
    });
    expect(reply.model).toBe("claude-sonnet-4-5");
    expect(reply.finishReason).toBe("stop");
    expect(reply.providerRequestId).toMatch(/^msg_/);
  });

  it("clamps an OpenAI-range temperature into Anthropic's 0..1 and leaves out an empty system prompt", async () => {
    await callAgent(call({ temperature: 1.6, systemPrompt: "" }));
    const body = fake.requests[0].body as Record<string, unknown>;
    expect(body.temperature).toBe(1);
    expect("system" in body).toBe(false);
  });

  it("joins every text block and counts cache reads as cached input", async () => {
    fake.script({
      status: 200,
      body: {
        id: "msg_01abc",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5-20250929",
        content: [
          { type: "text", text: "Let me check. " },
          { type: "tool_use", id: "toolu_01", name: "web_search", input: { query: "plans" } },
          { type: "text", text: "The Team plan." },
        ],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 10, cache_creation_input_tokens: 20, cache_read_input_tokens: 30, output_tokens: 7 },
      },
    });
    const reply = await callAgent(call());
    expect(reply.text).toBe("Let me check. The Team plan.");
    expect(reply.usage).toEqual({ inputTokens: 60, outputTokens: 7, cachedInputTokens: 30 });
    expect(reply.model).toBe("claude-sonnet-4-5-20250929");
    expect(reply.finishReason).toBe("tool_use");
  });

  it("reports max_tokens as finish reason length", async () => {
    const reply = await callAgent(call({ maxTokens: 2 }));
    expect(reply.finishReason).toBe("length");
  });

  it("streams: text deltas through onDelta, usage from message_start and message_delta", async () => {
    const deltas: string[] = [];
    const reply = await callAgent(call({ stream: true, onDelta: (text) => deltas.push(text) }));
    expect((fake.requests[0].body as Record<string, unknown>).stream).toBe(true);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join("")).toBe(reply.text);
    expect(reply.text).toBe(fakeAnthropicReply(system, messages));
    expect(reply.usage).toEqual({
      inputTokens: fakeAnthropicInputTokens(system, messages),
      outputTokens: fakeTokens(reply.text),
    });
    expect(reply.finishReason).toBe("stop");
    expect(reply.providerRequestId).toMatch(/^msg_/);
  });
});

describe("anthropic: failures", () => {
  it("retries a 429 no sooner than its retry-after, then succeeds", async () => {
    fake.script({ status: 429, retryAfter: 1 });
    const retries: RetryInfo[] = [];
    const started = performance.now();
    const reply = await callWithRetries(() => callAgent(call()), {
      baseDelayMs: 1,
      onRetry: (info) => retries.push(info),
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(reply.text).toBe(fakeAnthropicReply(system, messages));
    expect(retries.map((retry) => [retry.error.kind, retry.error.code, retry.error.retryAfterMs])).toEqual([
      ["rate_limited", "rate_limit_error", 1000],
    ]);
    expect(fake.requests).toHaveLength(2);
  });

  it("retries 529 overloaded and 500, then succeeds", async () => {
    fake.script({ status: 529 }, { status: 500 });
    const codes: (string | undefined)[] = [];
    const reply = await callWithRetries(() => callAgent(call()), {
      baseDelayMs: 5,
      onRetry: ({ error }) => codes.push(error.code),
    });
    expect(reply.finishReason).toBe("stop");
    expect(codes).toEqual(["overloaded_error", "api_error"]);
    expect(fake.requests).toHaveLength(3);
  });

  it("does not retry a refused key, and never repeats it", async () => {
    const wrongKey = "sk-ant-api03-wrong-abcdefghijklmnopqrstuvwxyz";
    const error = await providerFailure(
      callWithRetries(() => callAgent(call({ apiKey: wrongKey })), { baseDelayMs: 1 }),
    );
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.code).toBe("authentication_error");
    expect(error.message).not.toContain(wrongKey);
    expect(fake.requests).toHaveLength(1);
  });

  it("tells a bad request by status and code, never in the provider's words, not retryable", async () => {
    fake.script({ status: 400 });
    const error = await providerFailure(callWithRetries(() => callAgent(call()), { baseDelayMs: 1 }));
    expect(error.kind).toBe("bad_request");
    expect(error.message).toContain("(HTTP 400, invalid_request_error)");
    expect(error.message).not.toContain("roles must alternate");
    expect(fake.requests).toHaveLength(1);
  });

  it("gives up on a slow server at the per-call timeout, and the server sees the connection close", async () => {
    fake.script("slow");
    const error = await providerFailure(callAgent(call({ timeoutMs: 250 })));
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
    await fake.requests[0].closed;
    expect(fake.requests[0].clientClosedEarly).toBe(true);
  });

  it("cancels mid-call, and the request is really aborted", async () => {
    fake.script("slow");
    const controller = new AbortController();
    const error = await cancelWhen(
      controller,
      callAgent(call({ signal: controller.signal })),
      () => fake.requests.length === 1,
    );
    expect(error.kind).toBe("aborted");
    await fake.requests[0].closed;
    expect(fake.requests[0].clientClosedEarly).toBe(true);
  });

  it("reports a stream cut midway as a retryable connection failure", async () => {
    fake.script("cut-stream");
    const deltas: string[] = [];
    const error = await providerFailure(callAgent(call({ stream: true, onDelta: (text) => deltas.push(text) })));
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(deltas.length).toBeGreaterThan(0);
  });

  it("reports malformed JSON as invalid_response", async () => {
    fake.script("malformed", "malformed");
    expect((await providerFailure(callAgent(call()))).kind).toBe("invalid_response");
    expect((await providerFailure(callAgent(call({ stream: true })))).kind).toBe("invalid_response");
  });

  it("reports an answer that is JSON but not a message as invalid_response", async () => {
    fake.script({ status: 200, body: { type: "message", content: "not a list" } });
    const error = await providerFailure(callAgent(call()));
    expect(error.kind).toBe("invalid_response");
    expect(error.retryable).toBe(false);
  });
});

describe("anthropic: internal addresses", () => {
  it("never sends the key to an internal address", async () => {
    const error = await providerFailure(callAgent(call({ fetch: undefined })));
    expect(error).toMatchObject({ kind: "bad_request", retryable: false, code: "address_not_allowed" });
    expect(fake.requests).toHaveLength(0);
  });
});
