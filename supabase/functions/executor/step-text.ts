// A running step's text, streamed to the people watching its run: the provider's deltas are
// gathered and, at most every `intervalMs` (100 ms), the whole text so far is broadcast on the run's
// private Realtime topic `execution:<id>` as `step_text` {step_id, attempt, seq, text_so_far}, with
// one last send when the provider has answered. Each message carries everything written so far, so
// a watcher who joins late (or reloads) shows it all from the next message, and a lost message
// loses nothing. Nothing is stored: the run's event log keeps only the whole result, recorded as
// before. Broadcasting is the UI's business: a send that fails or is slow never fails nor holds up
// the step (at most one send is in flight; newer text replaces what waited).
//
// Refusals: hosted Realtime answers 429 past the project's events per second (and 5xx when it is
// unwell). Then the stream backs off (Retry-After when given, else 0.5 s, 1 s, 2 s…) and the text
// written meanwhile goes out folded into one message — each carries the whole text, so skipping
// the ones in between loses nothing. After `maxFailures` refusals in a row (or one refusal that a
// retry cannot change, such as 401 or 422) the step's stream stops: its result still reaches the
// watchers through the event log, as it does for a step that never streamed.
//
// The broadcast goes through Realtime's REST API (POST <SUPABASE_URL>/realtime/v1/api/broadcast)
// with the project's service key, which Realtime lets send to any topic. It is the project's own
// address, like the executor's calls to itself, so it is a plain fetch, not the egress rules'
// (those are for addresses users give).

export const stepTextEvent = "step_text";

export interface StepTextPayload {
  step_id: string;
  /** The attempt whose text this is: a retry starts the text over, with a higher attempt. */
  attempt: number;
  /** 1, 2, 3… within the attempt: a watcher ignores one older than what it shows. */
  seq: number;
  text_so_far: string;
}

/** A broadcast Realtime answered with something other than 202. */
export class BroadcastRefused extends Error {
  override readonly name = "BroadcastRefused";
  constructor(readonly status: number, readonly retryAfterMs?: number) {
    super(`the Realtime broadcast answered ${status}`);
  }

  /** 429 and 5xx may pass later; anything else (401, 422…) will be refused again. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** Retry-After as seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1_000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Sends one step_text message on the run's topic; throws (or rejects) when it did not go out. */
export type StepTextBroadcast = (executionId: string, payload: StepTextPayload) => Promise<void>;

export interface StepTextStream {
  /** The provider's onDelta. */
  onDelta(text: string): void;
  /**
   * A new provider round of the tool loop begins: its text is appended to what the earlier rounds
   * wrote, as a new paragraph (see step-runner.ts for why appended).
   */
  newRound(): void;
  /** Sends the whole text if anything is unsent, waiting at most `waitMs` for it to go out (after any backoff). */
  flush(waitMs?: number): Promise<void>;
  /** Stops sending (the attempt failed or was abandoned): nothing more goes out. */
  stop(): void;
}

export interface StepTextOptions {
  intervalMs?: number;
  /** Refusals in a row after which the step's stream stops (3). */
  maxFailures?: number;
  /** The first wait after a refusal without Retry-After, doubled each time (500 ms). */
  backoffMs?: number;
  now?: () => number;
  log?: (entry: Record<string, unknown>) => void;
}

const defaultIntervalMs = 100;
const defaultFlushWaitMs = 1_000;
const defaultMaxFailures = 3;
const defaultBackoffMs = 500;
// A Retry-After longer than this outlasts any text worth showing: the stream waits this long at most.
const maxBackoffMs = 30_000;
// Between rounds of a tool loop: each round's text starts a paragraph of its own.
export const roundSeparator = "\n\n";

/** Realtime's REST broadcast at `supabaseUrl`, as the project's service. */
export function realtimeStepTextBroadcast(supabaseUrl: string, serviceKey: string, fetchImpl: typeof fetch = fetch): StepTextBroadcast {
  const endpoint = `${supabaseUrl.replace(/\/+$/, "")}/realtime/v1/api/broadcast`;
  return async (executionId, payload) => {
    const answer = await fetchImpl(endpoint, {
      method: "POST",
      headers: { apikey: serviceKey, Authorization: `Bearer ${serviceKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ messages: [{ topic: `execution:${executionId}`, event: stepTextEvent, payload, private: true }] }),
      signal: AbortSignal.timeout(5_000),
    });
    await answer.body?.cancel();
    if (answer.status !== 202) throw new BroadcastRefused(answer.status, retryAfterMs(answer.headers.get("retry-after")));
  };
}

/**
 * Streams one attempt of one step. The first delta goes out at once (the first words are what a
 * watcher waits for), later ones at most every `intervalMs`, and after a refusal not before the
 * backoff has passed.
 */
export function streamStepText(
  step: { execution_id: string; step_id: string; attempt: number },
  broadcast: StepTextBroadcast,
  options: StepTextOptions = {},
): StepTextStream {
  const intervalMs = options.intervalMs ?? defaultIntervalMs;
  const maxFailures = options.maxFailures ?? defaultMaxFailures;
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const now = options.now ?? Date.now;
  let text = "";
  let separatorPending = false;
  /** The text of the last send that went out, or is on its way. */
  let sentText = "";
  /** The text of the last send Realtime took. */
  let deliveredText = "";
  let seq = 0;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let notBefore = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  let finishing = false;
  let failuresInARow = 0;
  let failures = 0;
  let drained: (() => void) | undefined;

  function settleFlush(): void {
    if (drained && !inFlight && (stopped || text === deliveredText)) drained();
  }

  function giveUp(reason: string, error: unknown): void {
    stopped = true;
    clearTimeout(timer);
    timer = undefined;
    options.log?.({ level: "warn", msg: "step text streaming stopped for this attempt", reason, step_id: step.step_id, error: String(error) });
  }

  function send(): void {
    timer = undefined;
    if (stopped || inFlight || text === sentText) return;
    const payload: StepTextPayload = { step_id: step.step_id, attempt: step.attempt, seq: ++seq, text_so_far: text };
    sentText = text;
    lastSentAt = now();
    inFlight = broadcast(step.execution_id, payload)
      .then(() => {
        deliveredText = payload.text_so_far;
        failuresInARow = 0;
      })
      .catch((error) => {
        // Said once per attempt: the step goes on, and the next message carries the whole text anyway.
        if (failures++ === 0) options.log?.({ level: "warn", msg: "step text broadcast failed", step_id: step.step_id, error: String(error) });
        // What did not go out goes again (with whatever was written meanwhile) once the wait is over.
        sentText = deliveredText;
        failuresInARow++;
        const refused = error instanceof BroadcastRefused ? error : null;
        if (refused && !refused.retryable) return giveUp(`refused with ${refused.status}`, error);
        if (failuresInARow >= maxFailures) return giveUp(`${failuresInARow} failures in a row`, error);
        const wait = refused?.retryAfterMs ?? backoffMs * 2 ** (failuresInARow - 1);
        notBefore = now() + Math.min(Math.max(wait, intervalMs), maxBackoffMs);
      })
      .finally(() => {
        inFlight = null;
        // Text that arrived while this one was on its way goes next, on the usual rhythm.
        if (text !== sentText) schedule();
        settleFlush();
      });
  }

  function schedule(): void {
    if (stopped || timer !== undefined || inFlight) return;
    // The last message waits only for a backoff, not for the interval.
    const wait = Math.max(finishing ? Number.NEGATIVE_INFINITY : lastSentAt + intervalMs, notBefore) - now();
    if (wait <= 0) send();
    else timer = setTimeout(send, wait);
  }

  return {
    onDelta(piece) {
      if (stopped) return;
      if (separatorPending && piece !== "") {
        text += roundSeparator;
        separatorPending = false;
      }
      text += piece;
      schedule();
    },
    newRound() {
      separatorPending = text !== "";
    },
    async flush(waitMs = defaultFlushWaitMs) {
      if (stopped) return;
      finishing = true;
      let waited: ReturnType<typeof setTimeout> | undefined;
      try {
        await new Promise<void>((resolve) => {
          drained = resolve;
          waited = setTimeout(resolve, waitMs);
          // A send on its interval's timer goes now; one waiting out a backoff keeps waiting.
          clearTimeout(timer);
          timer = undefined;
          schedule();
          settleFlush();
        });
      } finally {
        clearTimeout(waited);
        clearTimeout(timer);
        timer = undefined;
        stopped = true;
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      settleFlush();
    },
  };
}
