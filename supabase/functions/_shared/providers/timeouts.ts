// Cancel and time limit, combined into the one signal every request of a call carries, and told
// apart afterwards: the caller's cancel is `aborted` (final), the time limit is `timeout` (retryable).
import { type EgressError, isEgressError } from "../egress.ts";
import { ProviderError, type ProviderName } from "./provider.ts";

export interface Deadline {
  /** Aborts when the caller cancels or the time limit passes; give it to every fetch of the call. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** What ended the call, if anything did yet. A cancel wins over a timeout that fired with it. */
  reason(): "aborted" | "timeout" | null;
  /** The error for reason(); a cancel when nothing fired (the caller asked for it anyway). */
  error(): ProviderError;
}

export interface DeadlineOptions {
  /** The caller's cancel signal. */
  signal?: AbortSignal;
  timeoutMs: number;
  /** Who is being waited for, as a person reads it: "Anthropic", "the agents endpoint". */
  label: string;
  provider?: ProviderName;
}

export function startDeadline(options: DeadlineOptions): Deadline {
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
  const timer = AbortSignal.timeout(timeoutMs);
  const cancel = options.signal;
  const signal = cancel ? AbortSignal.any([cancel, timer]) : timer;
  const reason = () => (cancel?.aborted ? "aborted" : timer.aborted ? "timeout" : null);
  return {
    signal,
    timeoutMs,
    reason,
    error: () =>
      reason() === "timeout"
        ? new ProviderError("timeout", `${options.label} did not answer within ${formatMs(timeoutMs)}`, {
          provider: options.provider,
        })
        : cancelledError(options.provider),
  };
}

export function cancelledError(provider?: ProviderName): ProviderError {
  return new ProviderError("aborted", "the call was cancelled", { provider });
}

/**
 * Turns whatever a request threw into a ProviderError: our own errors pass through; anything else
 * is the deadline's doing when it fired, and otherwise a failed connection (refused, reset, cut
 * midway), retryable. The message names the low-level code, never the thrown text.
 */
export function classifyFailure(
  error: unknown,
  deadline: Deadline,
  label: string,
  provider?: ProviderName,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (deadline.reason() !== null) return deadline.error();
  if (isEgressError(error)) return egressFailure(error, label, provider);
  const code = lowLevelCode(error);
  return new ProviderError("connection", `could not reach ${label}${code ? ` (${code})` : ""}`, {
    provider,
    cause: error,
  });
}

// The egress rules refused the address (never retried: it will not change by itself), could not
// resolve the host (retried, as DNS hiccups pass), or cut an answer that was too large.
function egressFailure(error: EgressError, label: string, provider?: ProviderName): ProviderError {
  const options = { provider, code: error.code };
  switch (error.code) {
    case "host_not_found":
      return new ProviderError("connection", `could not reach ${label} (${error.code})`, options);
    case "response_too_large":
      return new ProviderError("invalid_response", `${label} sent an answer larger than Renum reads`, options);
    default:
      return new ProviderError("bad_request", `${label} is not an address Renum calls: ${error.message}`, options);
  }
}

/**
 * Runs `work` under a deadline and classifies what it throws. A call whose signal has already
 * aborted never reaches the network.
 */
export async function runWithDeadline<T>(
  options: DeadlineOptions,
  work: (deadline: Deadline) => Promise<T>,
): Promise<T> {
  if (options.signal?.aborted) throw cancelledError(options.provider);
  const deadline = startDeadline(options);
  try {
    return await work(deadline);
  } catch (error) {
    throw classifyFailure(error, deadline, options.label, options.provider);
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (timers are cleared). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// ECONNREFUSED, UND_ERR_SOCKET, ENOTFOUND...: what failed, without the thrown message.
function lowLevelCode(error: unknown): string | null {
  const plain = /^[A-Za-z][A-Za-z0-9_]{1,40}$/;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && plain.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  if (error instanceof TypeError) return "network error";
  return null;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
