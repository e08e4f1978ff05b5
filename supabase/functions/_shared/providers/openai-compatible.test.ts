// The OpenAI-compatible provider against a fake Chat Completions server on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeServer, fakeTokens } from "../../../../scripts/fakes/fake-http.ts";
import { fakeOpenAiPromptTokens, fakeOpenAiReply, startFakeOpenAi } from "../../../../scripts/fakes/fake-openai.ts";
import { callAgent, callWithRetries, openAiRequestBody, type RetryInfo } from "./index.ts";
import { agentCall, cancelWhen, providerFailure } from "./test-helpers.ts";

const key = "sk-test-0123456789abcdefghijklmnop";
let fake: FakeServer;

beforeEach(async () => {
  fake = await startFakeOpenAi({ apiKey: key });
});
afterEach(async () => {
  await fake.close();
});

const call = (overrides: Parameters<typeof agentCall>[1] = {}) =>
  agentCall("openai-compatible", { model: "gpt-4o-mini", apiKey: key, baseUrl: fake.url, ...overrides });

describe("openai-compatible: success", () => {
  it("sends the request OpenAI expects and reads text, usage, model and finish reason", async () => {
    const reply = await callAgent(call({
      history: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello! How can I help?" }],
      config: { organization: "org-renum", top_p: 0.9, stop: ["END"] },
    }));

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers.authorization).toBe(`Bearer ${key}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["openai-organization"]).toBe("org-renum");
    const messages = [
      { role: "system", content: "You are a terse sales assistant." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello! How can I help?" },
      { role: "user", content: "Which plan fits a team of five?" },
    ];
    expect(request.body).toEqual({
      model: "gpt-4o-mini",
      messages,
      temperature: 0.3,
      max_tokens: 512,
      stream: false,
      top_p: 0.9,
      stop: ["END"],
    });

    expect(reply.text).toBe(fakeOpenAiReply(messages));
    expect(reply.usage).toEqual({
      inputTokens: fakeOpenAiPromptTokens(messages),
      outputTokens: fakeTokens(reply.text),
    });
    expect(reply.model).toBe("gpt-4o-mini");
    expect(reply.finishReason).toBe("stop");
    expect(reply.providerRequestId).toMatch(/^chatcmpl-/);
  });

  it("omits an empty system prompt and accepts a base_url that already ends in /v1", async () => {
    await callAgent(call({ systemPrompt: "", baseUrl: undefined, config: { base_url: `${fake.url}/v1/` } }));
    expect(fake.requests[0].path).toBe("/v1/chat/completions");
    expect((fake.requests[0].body as { messages: unknown[] }).messages).toEqual([
      { role: "user", content: "Which plan fits a team of five?" },
    ]);
  });

  it("reports a reply cut by max_tokens as finish reason length", async () => {
    const reply = await callAgent(call({ maxTokens: 3 }));
    expect(reply.finishReason).toBe("length");
    expect(reply.usage.outputTokens).toBe(3);
  });

  it("streams: partial text through onDelta, usage from the include_usage chunk", async () => {
    const deltas: string[] = [];
    const reply = await callAgent(call({ stream: true, onDelta: (text) => deltas.push(text) }));

    const body = fake.requests[0].body as Record<string, unknown>;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(fake.requests[0].headers.accept).toBe("text/event-stream");
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join("")).toBe(reply.text);
    const messages = [
      { role: "system", content: "You are a terse sales assistant." },
      { role: "user", content: "Which plan fits a team of five?" },
    ];
    expect(reply.text).toBe(fakeOpenAiReply(messages));
    expect(reply.usage).toEqual({
      inputTokens: fakeOpenAiPromptTokens(messages),
      outputTokens: fakeTokens(reply.text),
    });
    expect(reply.finishReason).toBe("stop");
    expect(reply.providerRequestId).toMatch(/^chatcmpl-/);
  });

  it("estimates usage, and says so, when a compatible server reports none", async () => {
    fake.script({
      status: 200,
      body: {
        id: "x",
        model: "local",
        choices: [{ message: { role: "assistant", content: "four words right here" }, finish_reason: "stop" }],
      },
    });
    const reply = await callAgent(call());
    expect(reply.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 6, estimated: true });
    expect(reply.model).toBe("local");
  });
});

describe("openai-compatible: what each server and model accepts", () => {
  it("names the reply's limit max_completion_tokens for OpenAI itself and max_tokens for other servers", () => {
    const body = (baseUrl?: string) => openAiRequestBody(call({ maxTokens: 256 }), baseUrl);
    expect(body()).toMatchObject({ max_completion_tokens: 256 });
    expect(body()).not.toHaveProperty("max_tokens");
    expect(body("https://api.openai.com/v1/")).toMatchObject({ max_completion_tokens: 256 });
    expect(body("https://openrouter.ai/api")).toMatchObject({ max_tokens: 256 });
    expect(body("https://openrouter.ai/api")).not.toHaveProperty("max_completion_tokens");
  });

  it("leaves the temperature out for reasoning models, which accept only their default", () => {
    const body = (model: string) => openAiRequestBody(call({ model, temperature: 0.2 }));
    for (const model of ["o1", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini", "openai/o3"]) {
      expect(body(model), model).not.toHaveProperty("temperature");
    }
    for (const model of ["gpt-4o-mini", "gpt-4.1", "gpt-5-chat-latest", "llama-3.1-70b"]) {
      expect(body(model), model).toMatchObject({ temperature: 0.2 });
    }
  });

  it("the fake server cuts a reply at max_completion_tokens, as OpenAI does", async () => {
    const response = await fetch(`${fake.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(openAiRequestBody(call({ maxTokens: 3 }))),
    });
    const completion = (await response.json()) as { choices: { finish_reason: string }[] };
    expect(completion.choices[0].finish_reason).toBe("length");
  });
});

describe("openai-compatible: failures", () => {
  it("retries a 429 no sooner than its Retry-After, then succeeds", async () => {
    fake.script({ status: 429, retryAfter: 1 });
    const retries: RetryInfo[] = [];
    const started = performance.now();
    const reply = await callWithRetries((attempt) => callAgent(call({ attempt })), {
      baseDelayMs: 1,
      onRetry: (info) => retries.push(info),
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(reply.text).toContain("fake-openai reply");
    expect(fake.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0].error.kind).toBe("rate_limited");
    expect(retries[0].error.retryAfterMs).toBe(1000);
    expect(retries[0].error.code).toBe("rate_limit_exceeded");
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(1000);
  });

  it("reads OpenAI's retry-after-ms", async () => {
    fake.script({ status: 429, retryAfterMs: 250 });
    const error = await providerFailure(callAgent(call()));
    expect(error.retryAfterMs).toBe(250);
  });

  it("retries 500 and 503, then succeeds", async () => {
    fake.script({ status: 500 }, { status: 503 });
    const kinds: string[] = [];
    const reply = await callWithRetries(() => callAgent(call()), {
      baseDelayMs: 5,
      onRetry: ({ error }) => kinds.push(`${error.kind}:${error.status}`),
    });
    expect(reply.finishReason).toBe("stop");
    expect(kinds).toEqual(["server_error:500", "server_error:503"]);
    expect(fake.requests).toHaveLength(3);
  });

  it("does not retry a refused key, and never repeats it (OpenAI's message quotes it)", async () => {
    const wrongKey = "sk-wrong-abcdefghijklmnopqrstuvwxyz012345";
    const error = await providerFailure(
      callWithRetries(() => callAgent(call({ apiKey: wrongKey })), { baseDelayMs: 1 }),
    );
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_api_key");
    expect(error.message).not.toContain(wrongKey);
    expect(JSON.stringify(error)).not.toContain(wrongKey);
    expect(fake.requests).toHaveLength(1);
  });

  it("tells a bad request by status and code, never in the provider's words, not retryable", async () => {
    fake.script({ status: 404 });
    const error = await providerFailure(callWithRetries(() => callAgent(call({ model: "gpt-9" })), { baseDelayMs: 1 }));
    expect(error.kind).toBe("bad_request");
    expect(error.retryable).toBe(false);
    expect(error.code).toBe("model_not_found");
    expect(error.message).toContain("(HTTP 404, model_not_found)");
    expect(error.message).not.toContain("does not exist");
    expect(fake.requests).toHaveLength(1);
  });

  it("does not retry an account out of quota (429 insufficient_quota)", async () => {
    fake.script({
      status: 429,
      body: {
        error: {
          message: "You exceeded your current quota",
          type: "insufficient_quota",
          param: null,
          code: "insufficient_quota",
        },
      },
    });
    const error = await providerFailure(callAgent(call()));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryable).toBe(false);
  });

  it("gives up on a slow server at the per-call timeout, and the server sees the connection close", async () => {
    fake.script("slow");
    const started = performance.now();
    const error = await providerFailure(callAgent(call({ timeoutMs: 300 })));
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(10_000);
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
    expect(error.retryable).toBe(false);
    await fake.requests[0].closed;
    expect(fake.requests[0].clientClosedEarly).toBe(true);
  });

  it("cancels a stream midway too", async () => {
    fake = await restart({ apiKey: key, chunkDelayMs: 50 });
    const controller = new AbortController();
    const deltas: string[] = [];
    const error = await cancelWhen(
      controller,
      callAgent(call({ stream: true, signal: controller.signal, onDelta: (text) => deltas.push(text) })),
      () => deltas.length >= 2,
    );
    expect(error.kind).toBe("aborted");
    await fake.requests[0].closed;
    expect(fake.requests[0].clientClosedEarly).toBe(true);
  });

  it("makes no request when the call is already cancelled", async () => {
    const error = await providerFailure(callAgent(call({ signal: AbortSignal.abort() })));
    expect(error.kind).toBe("aborted");
    expect(fake.requests).toHaveLength(0);
  });

  it("reports a stream cut midway as a retryable connection failure, after partial text", async () => {
    fake.script("cut-stream");
    const deltas: string[] = [];
    const error = await providerFailure(callAgent(call({ stream: true, onDelta: (text) => deltas.push(text) })));
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(deltas.length).toBeGreaterThan(0);

    fake.script("cut-stream");
    const reply = await callWithRetries(() => callAgent(call({ stream: true })), { baseDelayMs: 5 });
    expect(reply.text).toContain("fake-openai reply");
  });

  it("reports a body cut midway as a retryable connection failure", async () => {
    fake.script("cut-stream");
    const error = await providerFailure(callAgent(call()));
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
  });

  it("reports malformed JSON as invalid_response, not retried", async () => {
    fake.script("malformed");
    const error = await providerFailure(callWithRetries(() => callAgent(call()), { baseDelayMs: 1 }));
    expect(error.kind).toBe("invalid_response");
    expect(error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);

    fake.script("malformed");
    expect((await providerFailure(callAgent(call({ stream: true })))).kind).toBe("invalid_response");
  });

  it("reports a refused connection as a retryable connection failure", async () => {
    const closed = await startFakeOpenAi();
    const url = closed.url;
    await closed.close();
    const error = await providerFailure(callAgent(call({ baseUrl: url })));
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("127.0.0.1");
  });
});

async function restart(options: Parameters<typeof startFakeOpenAi>[0]): Promise<FakeServer> {
  await fake.close();
  return await startFakeOpenAi(options);
}

describe("openai-compatible: internal addresses", () => {
  it("never calls an internal address that is not allow-listed, and does not retry it", async () => {
    for (const baseUrl of [fake.url, `http://localhost:${new URL(fake.url).port}`, "http://169.254.169.254", "http://[::ffff:127.0.0.1]:1", "http://2130706433:1"]) {
      const error = await providerFailure(callAgent(call({ baseUrl, fetch: undefined })));
      expect(error).toMatchObject({ kind: "bad_request", retryable: false, code: "address_not_allowed" });
      expect(error.message).not.toContain(key);
    }
    expect(fake.requests).toHaveLength(0);
  });
});
