// How a running step's text is throttled into step_text messages: the first piece at once, then at
// most one message per interval, each with the whole text so far and a growing seq, one last
// message on flush, and a broadcast that fails or hangs never failing nor holding up the step; a
// refused one (429, 5xx) backing off — Retry-After when given — with the text written meanwhile
// folded into the next message, and the stream stopping after refusals in a row; a tool loop's
// rounds appended as paragraphs.
// (The messages' way through Realtime to a watcher is tests/e2e/step-text-stream.test.ts.)
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BroadcastRefused, realtimeStepTextBroadcast, retryAfterMs, type StepTextPayload, streamStepText } from "./step-text.ts";

const step = { execution_id: "run-1", step_id: "step-1", attempt: 2 };

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function collector() {
  const sent: StepTextPayload[] = [];
  const broadcast = (executionId: string, payload: StepTextPayload) => {
    expect(executionId).toBe("run-1");
    sent.push(payload);
    return Promise.resolve();
  };
  return { sent, broadcast };
}

describe("streamStepText", () => {
  it("sends the first piece at once, then the whole text so far at most once per interval", async () => {
    const { sent, broadcast } = collector();
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });

    stream.onDelta("Olá");
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([{ step_id: "step-1", attempt: 2, seq: 1, text_so_far: "Olá" }]);

    stream.onDelta(", ");
    stream.onDelta("mundo");
    await vi.advanceTimersByTimeAsync(50);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(sent.map((message) => [message.seq, message.text_so_far])).toEqual([[1, "Olá"], [2, "Olá, mundo"]]);

    stream.onDelta("!");
    await stream.flush();
    expect(sent.at(-1)).toEqual({ step_id: "step-1", attempt: 2, seq: 3, text_so_far: "Olá, mundo!" });

    stream.onDelta(" late");
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toHaveLength(3);
  });

  it("sends nothing on flush when everything has gone out, and nothing at all after stop", async () => {
    const { sent, broadcast } = collector();
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });
    stream.onDelta("one");
    await vi.advanceTimersByTimeAsync(0);
    stream.onDelta(" two");
    stream.stop();
    await vi.advanceTimersByTimeAsync(500);
    await stream.flush();
    expect(sent.map((message) => message.text_so_far)).toEqual(["one"]);
  });

  it("keeps one send in flight: text written meanwhile goes next, whole", async () => {
    const sent: StepTextPayload[] = [];
    let release: () => void = () => {};
    const broadcast = (_executionId: string, payload: StepTextPayload) => {
      sent.push(payload);
      return new Promise<void>((resolve) => (release = resolve));
    };
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });
    stream.onDelta("a");
    stream.onDelta("b");
    await vi.advanceTimersByTimeAsync(300);
    stream.onDelta("c");
    await vi.advanceTimersByTimeAsync(300);
    expect(sent.map((message) => message.text_so_far)).toEqual(["a"]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((message) => message.text_so_far)).toEqual(["a", "abc"]);
    release();
  });

  it("never fails the step: a failing broadcast is logged once and the next message carries the whole text", async () => {
    const logged: Record<string, unknown>[] = [];
    const sent: string[] = [];
    let fail = true;
    const broadcast = (_executionId: string, payload: StepTextPayload) => {
      sent.push(payload.text_so_far);
      return fail ? Promise.reject(new Error("Realtime is down")) : Promise.resolve();
    };
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now(), log: (entry) => logged.push(entry) });
    stream.onDelta("x");
    await vi.advanceTimersByTimeAsync(0);
    stream.onDelta("y");
    // After a failure the next send waits out the backoff (500 ms), not just the interval.
    await vi.advanceTimersByTimeAsync(400);
    expect(sent).toEqual(["x"]);
    fail = false;
    stream.onDelta("z");
    const flushed = stream.flush();
    await vi.advanceTimersByTimeAsync(100);
    await flushed;
    expect(sent).toEqual(["x", "xyz"]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: "warn", step_id: "step-1" });
  });

  it("does not wait on flush longer than asked for a broadcast that hangs", async () => {
    const broadcast = () => new Promise<void>(() => {});
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });
    stream.onDelta("stuck");
    let flushed = false;
    void stream.flush(250).then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(250);
    expect(flushed).toBe(true);
  });

  it("after a 429 waits its Retry-After and sends the text written meanwhile as one message", async () => {
    const sent: { at: number; text: string }[] = [];
    let refuse = 1;
    const broadcast = (_executionId: string, payload: StepTextPayload) => {
      sent.push({ at: Date.now(), text: payload.text_so_far });
      return refuse-- > 0 ? Promise.reject(new BroadcastRefused(429, 2_000)) : Promise.resolve();
    };
    const start = Date.now();
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });
    stream.onDelta("a");
    for (const piece of ["b", "c", "d", "e"]) {
      await vi.advanceTimersByTimeAsync(300);
      stream.onDelta(piece);
    }
    await vi.advanceTimersByTimeAsync(1_999 - 1_200);
    expect(sent.map((message) => message.text)).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(1);
    // Not four sends of b, c, d, e: one, with everything, when Retry-After has passed.
    expect(sent.map((message) => [message.at - start, message.text])).toEqual([[0, "a"], [2_000, "abcde"]]);
    stream.onDelta("f");
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.at(-1)!.text).toBe("abcdef");
  });

  it("sends the same text again after the backoff when nothing new was written", async () => {
    const sent: string[] = [];
    let refuse = 1;
    const broadcast = (_executionId: string, payload: StepTextPayload) => {
      sent.push(payload.text_so_far);
      return refuse-- > 0 ? Promise.reject(new BroadcastRefused(503)) : Promise.resolve();
    };
    const stream = streamStepText(step, broadcast, { intervalMs: 100, backoffMs: 500, now: () => Date.now() });
    stream.onDelta("only");
    await vi.advanceTimersByTimeAsync(499);
    expect(sent).toEqual(["only"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["only", "only"]);
  });

  it("doubles the wait after each refusal without Retry-After, and stops the step's stream after three in a row", async () => {
    const logged: Record<string, unknown>[] = [];
    const sent: number[] = [];
    const broadcast = () => {
      sent.push(Date.now());
      return Promise.reject(new BroadcastRefused(429));
    };
    const start = Date.now();
    const stream = streamStepText(step, broadcast, { intervalMs: 100, backoffMs: 500, now: () => Date.now(), log: (entry) => logged.push(entry) });
    stream.onDelta("one");
    const writing = setInterval(() => stream.onDelta(" more"), 50);
    await vi.advanceTimersByTimeAsync(10_000);
    clearInterval(writing);
    expect(sent.map((at) => at - start)).toEqual([0, 500, 1_500]);
    await stream.flush();
    expect(sent).toHaveLength(3);
    expect(logged.map((entry) => entry.msg)).toEqual(["step text broadcast failed", "step text streaming stopped for this attempt"]);
    expect(logged[1]).toMatchObject({ reason: "3 failures in a row" });
  });

  it("stops at once when Realtime refuses what a retry cannot change (401, 422)", async () => {
    const sent: string[] = [];
    const broadcast = (_executionId: string, payload: StepTextPayload) => {
      sent.push(payload.text_so_far);
      return Promise.reject(new BroadcastRefused(401));
    };
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });
    stream.onDelta("a");
    await vi.advanceTimersByTimeAsync(0);
    stream.onDelta("b");
    await vi.advanceTimersByTimeAsync(5_000);
    await stream.flush();
    expect(sent).toEqual(["a"]);
  });

  it("a flush during a backoff sends the last text when the wait is over, or gives up at its own limit", async () => {
    const sent: string[] = [];
    let refuse = 1;
    const broadcast = (_executionId: string, payload: StepTextPayload) => {
      sent.push(payload.text_so_far);
      return refuse-- > 0 ? Promise.reject(new BroadcastRefused(429, 1_000)) : Promise.resolve();
    };
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });
    stream.onDelta("first");
    await vi.advanceTimersByTimeAsync(0);
    stream.onDelta(" last");
    let flushed = false;
    void stream.flush(5_000).then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(999);
    expect([sent, flushed]).toEqual([["first"], false]);
    await vi.advanceTimersByTimeAsync(1);
    expect([sent, flushed]).toEqual([["first", "first last"], true]);

    const hung = streamStepText(step, () => Promise.reject(new BroadcastRefused(429, 60)), { intervalMs: 100, now: () => Date.now() });
    hung.onDelta("never");
    await vi.advanceTimersByTimeAsync(0);
    let gaveUp = false;
    void hung.flush(2_000).then(() => (gaveUp = true));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(gaveUp).toBe(true);
  });

  it("appends each round of a tool loop as a paragraph of its own, in the same numbered stream", async () => {
    const { sent, broadcast } = collector();
    const stream = streamStepText(step, broadcast, { intervalMs: 100, now: () => Date.now() });
    stream.newRound();
    stream.onDelta("Vou ver ");
    stream.onDelta("o pedido.");
    await vi.advanceTimersByTimeAsync(100);
    stream.newRound();
    // A round that only calls tools writes nothing: no empty paragraph.
    stream.newRound();
    stream.onDelta("");
    stream.onDelta("Foi enviado.");
    await stream.flush();
    expect(sent.map((message) => [message.seq, message.text_so_far])).toEqual([[1, "Vou ver "], [2, "Vou ver o pedido."], [3, "Vou ver o pedido.\n\nFoi enviado."]]);
  });
});

describe("the Realtime broadcast's refusals", () => {
  it("reads Retry-After as seconds or a date", () => {
    expect(retryAfterMs("3")).toBe(3_000);
    expect(retryAfterMs("0.5")).toBe(500);
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(10_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("throws what Realtime answered, with its Retry-After", async () => {
    const answers = [new Response(JSON.stringify({ message: "You have exceeded your rate limit" }), { status: 429, headers: { "retry-after": "2" } }), new Response(null, { status: 202 })];
    const send = realtimeStepTextBroadcast("http://realtime.test/", "service-key", () => Promise.resolve(answers.shift()!));
    const payload = { step_id: "step-1", attempt: 1, seq: 1, text_so_far: "x" };
    const refused = await send("run-1", payload).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BroadcastRefused);
    expect(refused).toMatchObject({ status: 429, retryAfterMs: 2_000, retryable: true });
    await expect(send("run-1", payload)).resolves.toBeUndefined();
    expect(new BroadcastRefused(422).retryable).toBe(false);
    expect(new BroadcastRefused(502).retryable).toBe(true);
  });
});
