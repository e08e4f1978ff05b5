// How a running step's text is throttled into step_text messages: the first piece at once, then at
// most one message per interval, each with the whole text so far and a growing seq, one last
// message on flush, and a broadcast that fails or hangs never failing nor holding up the step.
// (The messages' way through Realtime to a watcher is tests/e2e/step-text-stream.test.ts.)
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type StepTextPayload, streamStepText } from "./step-text.ts";

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
    await vi.advanceTimersByTimeAsync(100);
    fail = false;
    stream.onDelta("z");
    await stream.flush();
    expect(sent).toEqual(["x", "xy", "xyz"]);
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
});
