// The offline demo provider: deterministic answers, latency, cancel, fail_rate, token counts.
import { describe, expect, it } from "vitest";
import { callAgent, callWithRetries, demoFails, estimateTokens, promptText } from "./index.ts";
import { agentCall, cancelWhen, providerFailure } from "./test-helpers.ts";

const call = (overrides: Parameters<typeof agentCall>[1] = {}) =>
  agentCall("demo", {
    model: "demo-1",
    agent: { name: "Ana (SDR)", type: "sdr" },
    config: { latency_ms: 0 },
    ...overrides,
  });

describe("demo provider", () => {
  it("answers the same input with the same reply and usage, and another input differently", async () => {
    const first = await callAgent(call());
    const again = await callAgent(call());
    const other = await callAgent(call({ input: "Do you integrate with WhatsApp?" }));
    expect(again).toEqual(first);
    expect(first.text).toMatch(/^Ana \(SDR\) \(demo [0-9a-f]{8}\) received: Which plan fits a team of five\?$/);
    expect(other.text).not.toBe(first.text);
    expect(first.model).toBe("demo-1");
    expect(first.finishReason).toBe("stop");
    expect(first.usage).toEqual({
      inputTokens: estimateTokens(promptText(call())),
      outputTokens: estimateTokens(first.text),
    });
    expect(first.usage.estimated).toBeUndefined();
  });

  it("fills config.reply's template, and reports tokens_per_reply", async () => {
    const reply = await callAgent(
      call({ config: { latency_ms: 0, reply: "Thanks! You asked: {input} ({agent}, {agent})", tokens_per_reply: 42 } }),
    );
    expect(reply.text).toBe("Thanks! You asked: Which plan fits a team of five? (Ana (SDR), Ana (SDR))");
    expect(reply.usage.outputTokens).toBe(42);
  });

  it("leaves placeholders in the input alone", async () => {
    const reply = await callAgent(call({ input: "say {agent}", config: { latency_ms: 0, reply: "{input}" } }));
    expect(reply.text).toBe("say {agent}");
  });

  it("takes latency_ms to answer, 200 ms by default", async () => {
    let started = performance.now();
    await callAgent(call({ config: { latency_ms: 300 } }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    started = performance.now();
    await callAgent(call({ config: {} }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("streams its reply word by word when asked", async () => {
    const deltas: string[] = [];
    const reply = await callAgent(call({ config: { latency_ms: 50 }, onDelta: (text) => deltas.push(text) }));
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe(reply.text);
  });

  it("is cancelled during its wait, at once", async () => {
    const controller = new AbortController();
    let waiting = false;
    const pending = callAgent(call({ config: { latency_ms: 10_000 }, signal: controller.signal }));
    setTimeout(() => (waiting = true), 20);
    const error = await cancelWhen(controller, pending, () => waiting);
    expect(error.kind).toBe("aborted");
  });

  it("times out like any provider", async () => {
    const error = await providerFailure(callAgent(call({ config: { latency_ms: 10_000 }, timeoutMs: 100 })));
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
  });

  it("fails by fail_rate, deterministically per input and attempt, with a retryable server_error", async () => {
    const always = await providerFailure(callAgent(call({ config: { latency_ms: 0, fail_rate: 1 } })));
    expect(always.kind).toBe("server_error");
    expect(always.retryable).toBe(true);
    expect(always.provider).toBe("demo");

    const inputs = Array.from({ length: 400 }, (_, index) => `lead message number ${index}`);
    const rate = (fail_rate: number) =>
      inputs.filter((input) => demoFails(call({ input, config: { fail_rate } }))).length / inputs.length;
    expect(rate(0)).toBe(0);
    expect(rate(1)).toBe(1);
    expect(rate(0.3)).toBeGreaterThan(0.2);
    expect(rate(0.3)).toBeLessThan(0.4);
    expect(rate(0.3)).toBe(rate(0.3));

    // The same input fails on some attempts and not others, the same way every time.
    const pattern = (input: string) =>
      [1, 2, 3, 4, 5, 6].map((attempt) => demoFails(call({ input, attempt, config: { fail_rate: 0.5 } })));
    expect(pattern("hello")).toEqual(pattern("hello"));
    const flaky = inputs.find((input) => pattern(input)[0] && pattern(input).includes(false))!;
    expect(flaky).toBeDefined();
    const attempts: number[] = [];
    const reply = await callWithRetries((attempt) => {
      attempts.push(attempt);
      return callAgent(call({ input: flaky, attempt, config: { latency_ms: 0, fail_rate: 0.5 } }));
    }, { maxAttempts: 6, baseDelayMs: 1 });
    expect(reply.text).toContain("received: lead message number");
    expect(attempts).toEqual(Array.from({ length: pattern(flaky).indexOf(false) + 1 }, (_, index) => index + 1));
  });
});
