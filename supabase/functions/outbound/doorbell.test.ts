import { describe, expect, it } from "vitest";
import { Doorbell } from "./doorbell.ts";

const aFewTurnsOfTheEventLoop = () => new Promise((resolve) => setTimeout(resolve, 20));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe("the delivery pass's doorbell", () => {
  it("wakes a pass with room to claim at once for a kick that came before its wait, and during it", async () => {
    const bell = new Doorbell();
    bell.ring();
    await bell.wait(60_000, [], true);
    expect(bell.take()).toBe(true);

    const waiting = bell.wait(60_000, [], true);
    bell.ring();
    await waiting;
    expect(bell.take()).toBe(true);
    expect(bell.take()).toBe(false);
  });

  it("lets a pass with every slot busy wait for a job to settle, past and new kicks kept for later", async () => {
    const bell = new Doorbell();
    const job = deferred();
    let woke = false;
    bell.ring();
    // Returning at once here made the pass spin on settled promises, and its jobs' I/O never ran.
    const waiting = bell.wait(60_000, [job.promise], false).then(() => (woke = true));
    await aFewTurnsOfTheEventLoop();
    expect(woke).toBe(false);
    bell.ring();
    await aFewTurnsOfTheEventLoop();
    expect(woke).toBe(false);

    job.resolve();
    await waiting;
    expect(bell.take()).toBe(true);
  });
});
