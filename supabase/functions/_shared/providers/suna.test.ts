// The Suna provider against a fake Suna backend on 127.0.0.1: start, stream, stop, messages.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeSuna, fakeSunaReply, startFakeSuna } from "../../../../scripts/fakes/fake-suna.ts";
import { callAgent, callWithRetries, estimateTokens, sunaPrompt } from "./index.ts";
import { agentCall, cancelWhen, providerFailure, waitFor } from "./test-helpers.ts";

const key = "pk_test123:sk_test4567890abcdef";
let fake: FakeSuna;

beforeEach(async () => {
  fake = await startFakeSuna({ apiKey: key });
});
afterEach(async () => {
  await fake.close();
});

const call = (overrides: Parameters<typeof agentCall>[1] = {}) =>
  agentCall("suna", { model: "suna", apiKey: key, config: { base_url: fake.url }, ...overrides });

const stopRequests = () => fake.requests.filter((request) => request.method === "POST" && /\/stop$/.test(request.path));

describe("suna: success", () => {
  it("starts a run with a multipart form, streams it, and reads the finished assistant message", async () => {
    const started: { providerRequestId: string; threadId?: string }[] = [];
    const deltas: string[] = [];
    const reply = await callAgent(call({
      config: {
        base_url: fake.url,
        agent_id: "agent-42",
        model_name: "anthropic/claude-sonnet-4",
        thread_id: "thread-7",
      },
      onStarted: (run) => started.push(run),
      onDelta: (text) => deltas.push(text),
    }));

    const prompt = "You are a terse sales assistant.\n\nWhich plan fits a team of five?";
    expect(sunaPrompt(call())).toBe(prompt);
    const [start, stream] = fake.requests;
    expect(start.method).toBe("POST");
    expect(start.path).toBe("/api/agent/start");
    expect(start.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(start.headers["x-api-key"]).toBe(key);
    // multipart/form-data sends line breaks as CRLF (the HTML form encoding rules), as Suna receives them.
    const sent = prompt.replaceAll("\n", "\r\n");
    expect(start.body).toEqual({
      prompt: sent,
      agent_id: "agent-42",
      model_name: "anthropic/claude-sonnet-4",
      thread_id: "thread-7",
    });

    const run = fake.runs[0];
    expect(stream.method).toBe("GET");
    expect(stream.path).toBe(`/api/agent-run/${run.id}/stream`);
    expect(stream.headers["x-api-key"]).toBe(key);
    expect(stream.headers.accept).toBe("text/event-stream");
    expect(fake.requests).toHaveLength(2);
    expect(stopRequests()).toHaveLength(0);

    expect(reply.text).toBe(fakeSunaReply(sent));
    expect(deltas.join("")).toBe(reply.text);
    expect(reply.usage).toEqual({
      inputTokens: estimateTokens(prompt),
      outputTokens: estimateTokens(reply.text),
      estimated: true,
    });
    expect(reply.model).toBe("anthropic/claude-sonnet-4");
    expect(reply.providerRequestId).toBe(run.id);
    expect(started).toEqual([{ providerRequestId: run.id, threadId: "thread-7" }]);
  });

  it("sends a JWT as a Bearer token instead", async () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
    await fake.close();
    fake = await startFakeSuna({ apiKey: jwt });
    await callAgent(call({ apiKey: jwt, config: { base_url: fake.url } }));
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${jwt}`);
    expect(fake.requests[0].headers["x-api-key"]).toBeUndefined();
  });

  it("reads the thread's messages when the stream carried no assistant text", async () => {
    fake.script({ runStatus: "completed", streamText: false });
    const reply = await callAgent(call({ systemPrompt: "" }));
    const run = fake.runs[0];
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "POST /api/agent/start",
      `GET /api/agent-run/${run.id}/stream`,
      `GET /api/threads/${run.threadId}/messages`,
    ]);
    expect(reply.text).toBe(fakeSunaReply("Which plan fits a team of five?"));
  });
});

describe("suna: failures", () => {
  it("reports a failed run as a final server_error, and does not stop a run that ended", async () => {
    fake.script({ runStatus: "failed" });
    const error = await providerFailure(callWithRetries(() => callAgent(call()), { baseDelayMs: 1 }));
    expect(error.kind).toBe("server_error");
    expect(error.retryable).toBe(false);
    expect(error.code).toBe("run_failed");
    expect(fake.runs).toHaveLength(1);
    expect(stopRequests()).toHaveLength(0);
  });

  it("retries Suna's own stream error, then succeeds", async () => {
    fake.script({ runStatus: "error" });
    const reply = await callWithRetries(() => callAgent(call()), { baseDelayMs: 5 });
    expect(reply.text).toContain("fake-suna reply");
    expect(fake.runs).toHaveLength(2);
  });

  it("retries a full run slot (402 AGENT_RUN_LIMIT_EXCEEDED) and a 5xx on start", async () => {
    fake.script({ status: 402 }, { status: 500 });
    const kinds: string[] = [];
    const reply = await callWithRetries(() => callAgent(call()), {
      baseDelayMs: 5,
      onRetry: ({ error }) => kinds.push(error.kind),
    });
    expect(kinds).toEqual(["rate_limited", "server_error"]);
    expect(reply.text).toContain("fake-suna reply");
  });

  it("does not retry a refused key, and never repeats it", async () => {
    const wrongKey = "pk_wrong:sk_wrong0123456789abcdef";
    const error = await providerFailure(
      callWithRetries(() => callAgent(call({ apiKey: wrongKey })), { baseDelayMs: 1 }),
    );
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(wrongKey);
    expect(fake.requests).toHaveLength(1);
  });

  it("cancels a running agent and stops the run on Suna", async () => {
    fake.script("slow");
    const controller = new AbortController();
    const error = await cancelWhen(
      controller,
      callAgent(call({ signal: controller.signal })),
      () => fake.requests.some((request) => request.path.endsWith("/stream")),
    );
    expect(error.kind).toBe("aborted");
    expect(error.retryable).toBe(false);
    const run = fake.runs[0];
    expect(run.stopRequested).toBe(true);
    expect(stopRequests().map((request) => request.path)).toEqual([`/api/agent-run/${run.id}/stop`]);
    expect(stopRequests()[0].headers["x-api-key"]).toBe(key);
    const stream = fake.requests.find((request) => request.path.endsWith("/stream"))!;
    await stream.closed;
    expect(stream.clientClosedEarly).toBe(true);
  });

  it("stops the run when the per-call timeout passes", async () => {
    fake.script("slow");
    const error = await providerFailure(callAgent(call({ timeoutMs: 300 })));
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
    await waitFor(() => fake.runs[0]?.stopRequested === true, "the stop request");
  });

  it("reports a stream cut midway as a retryable connection failure, and stops the run", async () => {
    fake.script("cut-stream");
    const deltas: string[] = [];
    const error = await providerFailure(callAgent(call({ onDelta: (text) => deltas.push(text) })));
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(deltas.length).toBeGreaterThan(0);
    expect(fake.runs[0].stopRequested).toBe(true);
  });

  it("reports a stream event that is not JSON as invalid_response, and stops the run", async () => {
    fake.script("malformed");
    const error = await providerFailure(callAgent(call()));
    expect(error.kind).toBe("invalid_response");
    expect(fake.runs[0].stopRequested).toBe(true);
  });

  it("needs an address", async () => {
    const error = await providerFailure(callAgent(call({ config: {} })));
    expect(error.kind).toBe("bad_request");
    expect(error.message).toContain("SUNA_BASE_URL");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("suna: internal addresses", () => {
  it("never starts a run on an internal address", async () => {
    const error = await providerFailure(callAgent(call({ fetch: undefined })));
    expect(error).toMatchObject({ kind: "bad_request", retryable: false, code: "address_not_allowed" });
    expect(fake.requests).toHaveLength(0);
  });
});
