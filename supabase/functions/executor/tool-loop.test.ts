// The tool loop against the fake OpenAI and Anthropic servers on their real wire formats, and a fake
// company API as the HTTP tool: results flow back to the model, every call is recorded, every
// round's tokens are summed, and the loop's bounds (call count, tool time, the step's deadline) hold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeServer, fakeTokens } from "../../../scripts/fakes/fake-http.ts";
import { startFakeAnthropic } from "../../../scripts/fakes/fake-anthropic.ts";
import { fakeOpenAiPromptTokens, startFakeOpenAi } from "../../../scripts/fakes/fake-openai.ts";
import { startFakeToolApi } from "../../../scripts/fakes/fake-tool-api.ts";
import { egressFetch } from "../_shared/egress.ts";
import { parseAllowList } from "../_shared/egress-addresses.ts";
import type { AgentCall } from "../_shared/providers/index.ts";
import { agentCall } from "../_shared/providers/test-helpers.ts";
import { streamStepText } from "./step-text.ts";
import { type ToolCallRecord, type ToolLoopOptions, ToolLoopStopped, runToolLoop } from "./tool-loop.ts";
import type { HttpToolDefinition, ToolDefinition } from "../_shared/tools/registry.ts";

const key = "sk-tools-0123456789abcdefghijklmnop";
const fixedNow = new Date("2026-12-05T12:34:56.000Z");
let openai: FakeServer;
let anthropic: FakeServer;
let companyApi: FakeServer;

beforeAll(async () => {
  [openai, anthropic, companyApi] = await Promise.all([startFakeOpenAi({ apiKey: key }), startFakeAnthropic({ apiKey: key }), startFakeToolApi()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), companyApi.close()]);
});

const currentTime: ToolDefinition = {
  kind: "builtin",
  name: "current_time",
  description: "The current date and time",
  parameters: { type: "object", properties: { timezone: { type: "string" } }, additionalProperties: false },
};

function orderTool(overrides: Partial<HttpToolDefinition> = {}): HttpToolDefinition {
  return {
    kind: "http",
    name: "order_status",
    description: "Looks up an order",
    parameters: { type: "object", properties: { order_id: { type: "string", minLength: 3 } }, required: ["order_id"], additionalProperties: false },
    url: `${companyApi.url}/orders/lookup`,
    method: "POST",
    headers: { "x-company-key": "secret-value-1" },
    timeout_ms: 5_000,
    ...overrides,
  };
}

function openAiCall(input: string): AgentCall {
  return agentCall("openai-compatible", { model: "gpt-4o-mini", apiKey: key, baseUrl: openai.url, input });
}

function anthropicCall(input: string): AgentCall {
  return agentCall("anthropic", { model: "claude-sonnet-4-5", apiKey: key, baseUrl: anthropic.url, input });
}

/** Loop options with a recorder, the company API allow-listed for the tool's requests, and a fixed clock. */
function loopOptions(tools: ToolDefinition[], overrides: Partial<ToolLoopOptions> = {}) {
  const records: ToolCallRecord[] = [];
  const options: ToolLoopOptions = {
    tools,
    deadline: Date.now() + 30_000,
    record: (entry) => {
      records.push(entry);
      return Promise.resolve(true);
    },
    now: () => fixedNow,
    fetch: egressFetch({ allowList: parseAllowList(new URL(companyApi.url).host) }),
    ...overrides,
  };
  return { options, records };
}

function requestsSince(server: FakeServer, count: number) {
  return server.requests.slice(count);
}

describe("tool loop on the OpenAI wire format", () => {
  it("runs the asked-for tools, sends each result back, records every call and sums every round's tokens", async () => {
    const before = openai.requests.length;
    const { options, records } = loopOptions([currentTime, orderTool()]);
    const reply = await runToolLoop(openAiCall('Where is my order?\n@tool current_time {"timezone":"America/Sao_Paulo"}\n@tool order_status {"order_id":"A-1001"}'), options);

    const rounds = requestsSince(openai, before);
    expect(rounds).toHaveLength(3);
    const offered = (rounds[0].body as { tools: { type: string; function: { name: string } }[] }).tools;
    expect(offered.map((tool) => [tool.type, tool.function.name])).toEqual([["function", "current_time"], ["function", "order_status"]]);

    // The last request carries both rounds: assistant tool_calls each followed by its `tool` message.
    const messages = (rounds[2].body as { messages: Record<string, unknown>[] }).messages;
    const toolMessages = messages.filter((message) => message.role === "tool");
    expect(toolMessages).toHaveLength(2);
    const assistantCalls = messages.filter((message) => message.role === "assistant").map((message) => (message.tool_calls as { id: string }[])[0].id);
    expect(toolMessages.map((message) => message.tool_call_id)).toEqual(assistantCalls);
    expect(JSON.parse(String(toolMessages[0].content))).toMatchObject({ utc: fixedNow.toISOString(), timezone: "America/Sao_Paulo", local: "2026-12-05, 09:34:56" });

    // The company API got the model's arguments and the tool's headers; its answer reached the model.
    const lookup = companyApi.requests.at(-1)!;
    expect(lookup.method).toBe("POST");
    expect(lookup.body).toEqual({ order_id: "A-1001" });
    expect(lookup.headers["x-company-key"]).toBe("secret-value-1");
    expect(reply.text).toContain('tool result: {"ok":true,"method":"POST","path":"/orders/lookup"');
    expect(reply.text).toContain('"order":"shipped"');

    expect(records.map((record) => [record.round, record.tool, record.status])).toEqual([[1, "current_time", "succeeded"], [2, "order_status", "succeeded"]]);
    expect(records[1].arguments).toEqual({ order_id: "A-1001" });
    expect(JSON.stringify(records)).not.toContain("secret-value-1");

    // Usage is the sum of the three rounds, each counted as the fake counts it.
    const promptTokens = rounds.map((request) =>
      fakeOpenAiPromptTokens((request.body as { messages: Record<string, unknown>[] }).messages
        .map((message) => ({ role: String(message.role), content: typeof message.content === "string" ? message.content : "" })))
    );
    expect(records.map((record) => record.round_input_tokens)).toEqual(promptTokens.slice(0, 2));
    expect(reply.usage.inputTokens).toBe(promptTokens[0] + promptTokens[1] + promptTokens[2]);
    expect(reply.usage.outputTokens).toBe(
      fakeTokens('current_time{"timezone":"America/Sao_Paulo"}') + fakeTokens('order_status{"order_id":"A-1001"}') + fakeTokens(reply.text),
    );
  });

  it("sends a schema violation back to the model as a tool error, and never calls the tool", async () => {
    const apiBefore = companyApi.requests.length;
    const { options, records } = loopOptions([orderTool()]);
    const reply = await runToolLoop(openAiCall('@tool order_status {"order_id": 5, "extra": true}'), options);

    expect(companyApi.requests.length).toBe(apiBefore);
    expect(records).toHaveLength(1);
    expect(records[0].status).toBe("failed");
    expect(records[0].error).toContain("arguments.order_id: must be string, not integer");
    expect(records[0].error).toContain("arguments.extra: not a parameter of this tool");
    expect(reply.text).toContain("tool result: invalid arguments: arguments.order_id: must be string");
  });

  it("answers arguments that are not a JSON object, and a tool the agent does not have, as tool errors", async () => {
    const { options, records } = loopOptions([currentTime]);
    const reply = await runToolLoop(openAiCall("@tool current_time [1, 2"), options);
    expect(records[0].error).toBe("the arguments must be a JSON object");
    expect(reply.text).toContain("tool result: the arguments must be a JSON object");

    // A registry tool that does not run on this platform is offered, and answers why.
    const unavailable = loopOptions([{ ...currentTime, name: "web_search" }]);
    const told = await runToolLoop(openAiCall("@tool web_search {}"), unavailable.options);
    expect(unavailable.records[0].error).toBe("web_search is not available on this platform");
    expect(told.text).toContain("tool result: web_search is not available on this platform");
  });

  it("feeds the company API's failure back as the tool's answer and the run goes on", async () => {
    companyApi.script({ status: 503, body: { error: "maintenance" } });
    const { options, records } = loopOptions([orderTool()]);
    const reply = await runToolLoop(openAiCall('@tool order_status {"order_id":"A-1002"}'), options);
    expect(records[0].status).toBe("failed");
    expect(records[0].error).toBe('HTTP 503: {"error":"maintenance"}');
    expect(reply.text).toContain('tool result: HTTP 503: {"error":"maintenance"}');
  });

  it("answers a tool that does not answer in its time as a timeout error", async () => {
    companyApi.script("slow");
    const { options, records } = loopOptions([orderTool({ timeout_ms: 300 })]);
    const reply = await runToolLoop(openAiCall('@tool order_status {"order_id":"A-1003"}'), options);
    expect(records[0].status).toBe("failed");
    expect(records[0].error).toMatch(/did not answer within 300 ms/);
    expect(reply.text).toContain("tool result: the tool did not answer within 300 ms");
  });

  it("stops at the call limit: a model that keeps asking fails the attempt", async () => {
    const { options, records } = loopOptions([currentTime], { limits: { maxToolCalls: 3, toolBudgetMs: 60_000, defaultToolTimeoutMs: 5_000 } });
    const error = await runToolLoop(openAiCall("@loop current_time {}"), options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolLoopStopped);
    expect((error as ToolLoopStopped).message).toBe("the agent asked for more than 3 tool calls in one step");
    expect(records).toHaveLength(3);
  });

  it("stops when the tool time is spent", async () => {
    companyApi.script("slow");
    const { options, records } = loopOptions([orderTool({ timeout_ms: 30_000 })], { limits: { maxToolCalls: 10, toolBudgetMs: 250, defaultToolTimeoutMs: 5_000 } });
    const error = await runToolLoop(openAiCall('@loop order_status {"order_id":"A-1004"}'), options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolLoopStopped);
    expect((error as ToolLoopStopped).message).toBe("the step's tool time (250 ms) is spent");
    expect(records[0].error).toMatch(/did not answer within \d+ ms/);
  });

  it("calls no model once the step's deadline has passed", async () => {
    const before = openai.requests.length;
    const { options } = loopOptions([currentTime], { deadline: Date.now() - 1 });
    await expect(runToolLoop(openAiCall("@tool current_time {}"), options)).rejects.toThrow("no time left for another round with the model");
    expect(openai.requests.length).toBe(before);
  });

  it("stops, abandoned, when the step is no longer this worker's", async () => {
    const { options } = loopOptions([currentTime], { record: () => Promise.resolve(false) });
    const error = await runToolLoop(openAiCall("@tool current_time {}"), options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolLoopStopped);
    expect((error as ToolLoopStopped).abandoned).toBe(true);
  });
});

describe("tool loop on the Anthropic wire format", () => {
  it("sends tool_use results back as tool_result blocks and sums every round's tokens", async () => {
    const before = anthropic.requests.length;
    const { options, records } = loopOptions([currentTime, orderTool()]);
    const reply = await runToolLoop(anthropicCall('Status?\n@tool current_time {}\n@tool order_status {"order_id":"B-2001"}'), options);

    const rounds = requestsSince(anthropic, before);
    expect(rounds).toHaveLength(3);
    const offered = (rounds[0].body as { tools: { name: string; input_schema: unknown }[] }).tools;
    expect(offered.map((tool) => tool.name)).toEqual(["current_time", "order_status"]);
    expect(offered[1].input_schema).toEqual(orderTool().parameters);

    const messages = (rounds[2].body as { messages: { role: string; content: unknown }[] }).messages;
    const blocks = messages.flatMap((message) => Array.isArray(message.content) ? message.content as Record<string, unknown>[] : []);
    const uses = blocks.filter((block) => block.type === "tool_use");
    const results = blocks.filter((block) => block.type === "tool_result");
    expect(results.map((block) => block.tool_use_id)).toEqual(uses.map((block) => block.id));
    expect(uses[1].input).toEqual({ order_id: "B-2001" });

    expect(reply.text).toContain(`tool result: {"utc":"${fixedNow.toISOString()}"`);
    expect(reply.text).toContain('"order":"shipped"');
    expect(records.map((record) => record.status)).toEqual(["succeeded", "succeeded"]);
    expect(reply.usage.inputTokens).toBeGreaterThan(records[0].round_input_tokens + records[1].round_input_tokens);
    expect(reply.usage.outputTokens).toBeGreaterThan(records[0].round_output_tokens + records[1].round_output_tokens);
  });

  it("marks a failed tool's result as an error for the model", async () => {
    const before = anthropic.requests.length;
    const { options } = loopOptions([currentTime]);
    await runToolLoop(anthropicCall('@tool current_time {"timezone":"Mars/Olympus"}'), options);
    const messages = (anthropic.requests[before + 1].body as { messages: { content: unknown }[] }).messages;
    const result = messages.flatMap((message) => Array.isArray(message.content) ? message.content as Record<string, unknown>[] : [])
      .find((block) => block.type === "tool_result")!;
    expect(result.is_error).toBe(true);
    expect(result.content).toContain('"Mars/Olympus" is not a time zone');
  });
});

describe("tool loop with streamed rounds", () => {
  const script = 'Where is order C-3001?\n@say Let me check the time first.\n@tool current_time {}\n@say Now the order itself.\n@tool order_status {"order_id":"C-3001"}';

  for (const [name, makeCall] of [["OpenAI", openAiCall], ["Anthropic", anthropicCall]] as const) {
    it(`reads the same calls from a ${name} stream as from a whole reply, each round's text through onDelta`, async () => {
      const whole = loopOptions([currentTime, orderTool()]);
      const expected = await runToolLoop(makeCall(script), whole.options);

      const rounds: number[] = [];
      const deltas: { round: number; text: string }[] = [];
      const streamed = loopOptions([currentTime, orderTool()], { onRound: (round) => rounds.push(round) });
      const reply = await runToolLoop({ ...makeCall(script), stream: true, onDelta: (text) => deltas.push({ round: rounds.at(-1)!, text }) }, streamed.options);

      expect(rounds).toEqual([1, 2, 3]);
      const textOf = (round: number) => deltas.filter((delta) => delta.round === round).map((delta) => delta.text).join("");
      expect([textOf(1), textOf(2)]).toEqual(["Let me check the time first.", "Now the order itself."]);
      expect(textOf(3)).toBe(reply.text);
      expect(reply.text).toBe(expected.text);
      expect(reply.text).toContain('"order":"shipped"');
      expect(streamed.records.map(({ tool, arguments: args, status }) => [tool, args, status])).toEqual(
        whole.records.map(({ tool, arguments: args, status }) => [tool, args, status]),
      );
      expect(streamed.records.map((record) => record.tool)).toEqual(["current_time", "order_status"]);
      expect(reply.usage).toEqual(expected.usage);
    });
  }

  it("gives the card every round's text in order, as paragraphs, ending with the answer", async () => {
    const sent: string[] = [];
    const stream = streamStepText({ execution_id: "run-1", step_id: "step-1", attempt: 1 }, (_id, payload) => {
      sent.push(payload.text_so_far);
      return Promise.resolve();
    }, { intervalMs: 0 });
    const { options } = loopOptions([currentTime, orderTool()], { onRound: () => stream.newRound() });
    const reply = await runToolLoop({ ...openAiCall(script), stream: true, onDelta: (text) => stream.onDelta(text) }, options);
    await stream.flush();
    expect(sent.at(-1)).toBe(`Let me check the time first.\n\nNow the order itself.\n\n${reply.text}`);
    // Every message the whole text so far: each one how the next begins, nothing written twice.
    for (const [index, text] of sent.entries()) if (index > 0) expect(text.startsWith(sent[index - 1])).toBe(true);
  });
});
