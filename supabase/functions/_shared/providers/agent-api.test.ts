// The agent-api provider (the company's own agents service) against a fake service on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeAgentApiReply, startFakeAgentApi } from "../../../../scripts/fakes/fake-agent-api.ts";
import { type FakeServer, fakeTokens } from "../../../../scripts/fakes/fake-http.ts";
import { agentApiTimeoutMs, callAgent, callWithRetries, estimateTokens, type TenantContext } from "./index.ts";
import { agentCall, cancelWhen, providerFailure } from "./test-helpers.ts";

const key = "agents-key-0123456789abcdef";
let fake: FakeServer;
let tenant: TenantContext;

beforeEach(async () => {
  fake = await startFakeAgentApi({ apiKey: key });
  tenant = {
    id: "6a1e3a4c-4b7e-4b8e-9a55-3c2b1d0e9f87",
    name: "Acme Ltda",
    agentsEndpointUrl: `${fake.url}/agents/`,
    agentsTimeoutMs: 30_000,
    ragEnabled: true,
    ragTopK: 7,
  };
});
afterEach(async () => {
  await fake.close();
});

const call = (overrides: Parameters<typeof agentCall>[1] = {}) =>
  agentCall("agent-api", {
    model: "tenant-sdr",
    apiKey: key,
    tenant,
    agent: { name: "Lead qualifier", type: "sdr" },
    requestId: "step-1234",
    ...overrides,
  });

describe("agent-api: success", () => {
  it("posts the contract's body to /<agent type> and reads the reply and its usage", async () => {
    const reply = await callAgent(call());

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/agents/sdr");
    expect(request.headers.authorization).toBe(`Bearer ${key}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-request-id"]).toBe("step-1234");
    expect(request.body).toEqual({
      request_id: "step-1234",
      tenant: { id: tenant.id, name: "Acme Ltda" },
      message: { content: "Which plan fits a team of five?" },
      rag_options: { enabled: true, top_k: 7 },
    });

    expect(reply.text).toBe(fakeAgentApiReply("/agents/sdr", "Which plan fits a team of five?"));
    expect(reply.usage).toEqual({
      inputTokens: fakeTokens("Which plan fits a team of five?"),
      outputTokens: fakeTokens(reply.text),
    });
    expect(reply.model).toBe("tenant-sdr");
    expect(reply.providerRequestId).toBe("step-1234");
  });

  it("takes the route from config.agent_type, lowercased, or from config.path", async () => {
    await callAgent(call({ config: { agent_type: "Copilot" } }));
    await callAgent(call({ config: { path: "/v2/qualify" } }));
    expect(fake.requests.map((request) => request.path)).toEqual(["/agents/copilot", "/agents/v2/qualify"]);
  });

  for (const shape of ["message", "content", "text"] as const) {
    it(`accepts the reply as ${shape === "message" ? "message.content" : shape}, and estimates usage without one`, async () => {
      await fake.close();
      fake = await startFakeAgentApi({ replyShape: shape, usage: false });
      tenant.agentsEndpointUrl = fake.url;
      const reply = await callAgent(call());
      expect(reply.text).toBe(fakeAgentApiReply("/sdr", "Which plan fits a team of five?"));
      expect(reply.usage).toEqual({
        inputTokens: estimateTokens("Which plan fits a team of five?"),
        outputTokens: estimateTokens(reply.text),
        estimated: true,
      });
    });
  }

  it("takes the time limit from the call, then config.timeout_ms, then the tenant, then 30 s", () => {
    expect(agentApiTimeoutMs(call({ timeoutMs: 1_500, config: { timeout_ms: 2_000 } }))).toBe(1_500);
    expect(agentApiTimeoutMs(call({ config: { timeout_ms: 2_000 } }))).toBe(2_000);
    expect(agentApiTimeoutMs(call())).toBe(30_000);
    expect(agentApiTimeoutMs(call({ tenant: { ...tenant, agentsTimeoutMs: 45_000 } }))).toBe(45_000);
    expect(agentApiTimeoutMs(call({ tenant: { id: "t", name: "T" } }))).toBe(30_000);
  });
});

describe("agent-api: a strict contract", () => {
  const answers: [string, unknown][] = [
    ["a reply that is not a string", { reply: 42 }],
    ["no reply field at all", { answer: "hello" }],
    ["message without content", { message: { text: "hello" } }],
    ["usage of the wrong shape", { reply: "hello", usage: { prompt_tokens: 1, completion_tokens: 2 } }],
    ["an array", ["hello"]],
  ];
  for (const [what, body] of answers) {
    it(`refuses ${what} as invalid_response`, async () => {
      fake.script({ status: 200, body });
      const error = await providerFailure(callAgent(call()));
      expect(error.kind).toBe("invalid_response");
      expect(error.retryable).toBe(false);
    });
  }

  it("refuses malformed JSON as invalid_response", async () => {
    fake.script("malformed");
    expect((await providerFailure(callAgent(call()))).kind).toBe("invalid_response");
  });
});

describe("agent-api: failures", () => {
  it("retries 429 and 503, then succeeds", async () => {
    fake.script({ status: 429, retryAfter: 0 }, { status: 503 });
    const kinds: string[] = [];
    const reply = await callWithRetries(() => callAgent(call()), {
      baseDelayMs: 5,
      onRetry: ({ error }) => kinds.push(error.kind),
    });
    expect(kinds).toEqual(["rate_limited", "server_error"]);
    expect(reply.text).toContain("fake-agent-api/agents/sdr");
    expect(new Set(fake.requests.map((request) => (request.body as { request_id: string }).request_id))).toEqual(
      new Set(["step-1234"]),
    );
  });

  it("does not retry a refused key, and never repeats it", async () => {
    const wrongKey = "agents-key-wrong-0123456789";
    const error = await providerFailure(
      callWithRetries(() => callAgent(call({ apiKey: wrongKey })), { baseDelayMs: 1 }),
    );
    expect(error.kind).toBe("auth");
    expect(error.message).not.toContain(wrongKey);
    expect(fake.requests).toHaveLength(1);
  });

  it("uses the tenant's time limit, and the service sees the connection close", async () => {
    fake.script("slow");
    tenant.agentsTimeoutMs = 300;
    const error = await providerFailure(callAgent(call()));
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("300 ms");
    await fake.requests[0].closed;
    expect(fake.requests[0].clientClosedEarly).toBe(true);
  });

  it("cancels mid-call", async () => {
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

  it("reports an answer cut midway as a retryable connection failure", async () => {
    fake.script("cut-stream");
    const error = await providerFailure(callAgent(call()));
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
  });

  it("needs the company's endpoint, and an agent type or path", async () => {
    const noEndpoint = await providerFailure(
      callAgent(call({ tenant: { id: "t", name: "T", agentsEndpointUrl: null } })),
    );
    expect(noEndpoint.kind).toBe("bad_request");
    expect(noEndpoint.message).toContain("agents endpoint");
    const noRoute = await providerFailure(callAgent(call({ agent: undefined })));
    expect(noRoute.kind).toBe("bad_request");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("agent-api: internal addresses", () => {
  it("never posts to a tenant endpoint on an internal address", async () => {
    for (const endpoint of [`${fake.url}/agents/`, "http://10.0.0.8/agents", "http://metadata.google.internal/computeMetadata/v1"]) {
      tenant.agentsEndpointUrl = endpoint;
      const error = await providerFailure(callAgent(call({ fetch: undefined })));
      expect(error).toMatchObject({ kind: "bad_request", retryable: false, code: "address_not_allowed" });
    }
    expect(fake.requests).toHaveLength(0);
  });
});
