// callWithRetries and backoffDelayMs: bounds of the jitter (seeded), Retry-After as a floor, what is
// never retried, and a cancel that wakes a sleeping retry.
import { describe, expect, it } from "vitest";
import { backoffDelayMs, callWithRetries, ProviderError, type RetryInfo } from "./index.ts";
import { providerFailure, seededRandom } from "./test-helpers.ts";

// An attempt as callWithRetries takes it, from a body that returns or throws.
const attemptOf = <T>(body: (attempt: number) => T) => (attempt: number): Promise<T> =>
  Promise.resolve().then(() => body(attempt));

const overloaded = (retryAfterMs?: number) =>
  new ProviderError("server_error", "overloaded", { status: 529, retryAfterMs, provider: "anthropic" });

describe("backoffDelayMs", () => {
  it("draws uniformly below min(maxDelay, base * 2^(attempt-1)), covering that range", () => {
    const random = seededRandom(42);
    for (const [attempt, cap] of [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1000], [9, 1000]]) {
      const delays = Array.from(
        { length: 500 },
        () => backoffDelayMs(attempt, { baseDelayMs: 100, maxDelayMs: 1000, random }),
      );
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(cap);
      expect(Math.max(...delays)).toBeGreaterThan(cap * 0.9);
      expect(Math.min(...delays)).toBeLessThan(cap * 0.1);
    }
  });

  it("never goes below the provider's Retry-After", () => {
    expect(backoffDelayMs(1, { baseDelayMs: 100, retryAfterMs: 5_000, random: () => 0 })).toBe(5_000);
    expect(backoffDelayMs(3, { baseDelayMs: 100, retryAfterMs: 150, random: () => 0.9 })).toBe(360);
    expect(backoffDelayMs(3, { baseDelayMs: 100, retryAfterMs: 150, random: () => 0.1 })).toBe(150);
  });
});

describe("callWithRetries", () => {
  it("retries retryable failures with bounded, seeded jitter until one succeeds", async () => {
    const waits: number[] = [];
    const retries: RetryInfo[] = [];
    const attempts: number[] = [];
    const result = await callWithRetries(
      attemptOf((attempt) => {
        attempts.push(attempt);
        if (attempt < 4) throw overloaded();
        return "answer";
      }),
      {
        maxAttempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 250,
        random: seededRandom(7),
        sleep: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
        onRetry: (info) => retries.push(info),
      },
    );
    expect(result).toBe("answer");
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(waits).toHaveLength(3);
    [100, 200, 250].forEach((cap, index) => {
      expect(waits[index]).toBeGreaterThanOrEqual(0);
      expect(waits[index]).toBeLessThan(cap);
    });
    expect(retries.map((retry) => [retry.attempt, retry.delayMs])).toEqual(
      waits.map((wait, index) => [index + 1, wait]),
    );
    // Seeded: the same waits every run.
    const again: number[] = [];
    await callWithRetries(
      attemptOf((attempt) => {
        if (attempt < 4) throw overloaded();
      }),
      {
        maxAttempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 250,
        random: seededRandom(7),
        sleep: (ms) => (again.push(ms), Promise.resolve()),
      },
    );
    expect(again).toEqual(waits);
  });

  it("waits at least the Retry-After the provider asked for", async () => {
    const waits: number[] = [];
    let calls = 0;
    await callWithRetries(
      attemptOf(() => {
        if (++calls === 1) throw overloaded(1_234);
      }),
      { baseDelayMs: 10, random: () => 0.5, sleep: (ms) => (waits.push(ms), Promise.resolve()) },
    );
    expect(waits).toEqual([1_234]);
  });

  it("throws the last error when the attempts run out", async () => {
    let calls = 0;
    const error = await providerFailure(callWithRetries(
      attemptOf(() => {
        calls++;
        throw overloaded();
      }),
      { maxAttempts: 3, baseDelayMs: 1 },
    ));
    expect(calls).toBe(3);
    expect(error.kind).toBe("server_error");
  });

  it("does not retry what is final: non-retryable kinds, and errors that are not ProviderErrors", async () => {
    let calls = 0;
    const auth = await providerFailure(callWithRetries(
      attemptOf(() => {
        calls++;
        throw new ProviderError("auth", "refused");
      }),
      { baseDelayMs: 1 },
    ));
    expect(auth.kind).toBe("auth");
    expect(calls).toBe(1);

    calls = 0;
    await expect(callWithRetries(
      attemptOf(() => {
        calls++;
        throw new RangeError("a bug");
      }),
      { baseDelayMs: 1 },
    )).rejects.toThrow(RangeError);
    expect(calls).toBe(1);
  });

  it("hands a Retry-After longer than maxRetryAfterMs back to the caller instead of sleeping", async () => {
    let calls = 0;
    const error = await providerFailure(callWithRetries(
      attemptOf(() => {
        calls++;
        throw overloaded(120_000);
      }),
      { maxRetryAfterMs: 60_000 },
    ));
    expect(calls).toBe(1);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(120_000);
  });

  it("wakes a sleeping retry when cancelled, and throws aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = performance.now();
    const pending = providerFailure(callWithRetries(
      attemptOf(() => {
        calls++;
        throw overloaded(10_000);
      }),
      { signal: controller.signal, onRetry: () => setTimeout(() => controller.abort(), 20) },
    ));
    const error = await pending;
    expect(error.kind).toBe("aborted");
    expect(error.retryable).toBe(false);
    expect(calls).toBe(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("makes no attempt when already cancelled", async () => {
    let calls = 0;
    const error = await providerFailure(callWithRetries(attemptOf(() => calls++), { signal: AbortSignal.abort() }));
    expect(error.kind).toBe("aborted");
    expect(calls).toBe(0);
  });
});
