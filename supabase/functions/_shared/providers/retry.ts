// Retries of one agent call: exponential backoff with full jitter
// (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), never sooner than
// the provider's Retry-After, never after a cancel, never for an error that says it is final.
import { ProviderError } from "./provider.ts";
import { abortableSleep, cancelledError } from "./timeouts.ts";

export interface RetryInfo {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  error: ProviderError;
  /** How long until the next attempt. */
  delayMs: number;
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** The backoff cap of the first retry (default 500 ms); it doubles each retry. */
  baseDelayMs?: number;
  /** The backoff cap never grows past this (default 20 s). */
  maxDelayMs?: number;
  /**
   * A Retry-After longer than this is not slept through (default 60 s): the error is thrown as it
   * is, retryable and with its retryAfterMs, for the engine to re-queue the step for later rather
   * than hold a worker.
   */
  maxRetryAfterMs?: number;
  /** Cancel: a pending or sleeping retry ends at once with kind `aborted`. */
  signal?: AbortSignal;
  /** Before each wait; e.g. to log the failure and reset partial streamed text. */
  onRetry?: (info: RetryInfo) => void;
  /** [0, 1); Math.random by default. Tests pass a seeded one. */
  random?: () => number;
  /** Waits, rejecting when the signal aborts; abortableSleep by default. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const retryDefaults = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
} as const;

/**
 * The wait after failed attempt `attempt` (1-based): a uniform draw in [0, min(maxDelayMs,
 * baseDelayMs * 2^(attempt-1))), raised to retryAfterMs when the provider asked for longer.
 */
export function backoffDelayMs(
  attempt: number,
  options: { baseDelayMs?: number; maxDelayMs?: number; retryAfterMs?: number; random?: () => number } = {},
): number {
  const base = options.baseDelayMs ?? retryDefaults.baseDelayMs;
  const cap = Math.min(options.maxDelayMs ?? retryDefaults.maxDelayMs, base * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor((options.random ?? Math.random)() * cap);
  return Math.max(jittered, Math.ceil(options.retryAfterMs ?? 0));
}

/**
 * Runs `call(attempt)` until it succeeds, a failure is final, or the attempts run out; the last
 * error is thrown. Only ProviderErrors with `retryable` are retried; anything else (a bug) is
 * thrown at once.
 */
export async function callWithRetries<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? retryDefaults.maxAttempts));
  const maxRetryAfterMs = options.maxRetryAfterMs ?? retryDefaults.maxRetryAfterMs;
  const sleep = options.sleep ?? abortableSleep;
  const signal = options.signal;

  for (let attempt = 1;; attempt++) {
    if (signal?.aborted) throw cancelledError();
    try {
      return await call(attempt);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (signal?.aborted) throw error.kind === "aborted" ? error : cancelledError(error.provider);
      if (!error.retryable || attempt >= maxAttempts) throw error;
      if (error.retryAfterMs !== undefined && error.retryAfterMs > maxRetryAfterMs) throw error;
      const delayMs = backoffDelayMs(attempt, {
        baseDelayMs: options.baseDelayMs,
        maxDelayMs: options.maxDelayMs,
        retryAfterMs: error.retryAfterMs,
        random: options.random,
      });
      options.onRetry?.({ attempt, error, delayMs });
      try {
        await sleep(delayMs, signal);
      } catch (sleepError) {
        if (signal?.aborted) throw cancelledError(error.provider);
        throw sleepError;
      }
      if (signal?.aborted) throw cancelledError(error.provider);
    }
  }
}
