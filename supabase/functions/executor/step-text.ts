// A running step's text, streamed to the people watching its run: the provider's deltas are
// gathered and, at most every `intervalMs` (100 ms), the whole text so far is broadcast on the run's
// private Realtime topic `execution:<id>` as `step_text` {step_id, attempt, seq, text_so_far}, with
// one last send when the provider has answered. Each message carries everything written so far, so
// a watcher who joins late (or reloads) shows it all from the next message, and a lost message
// loses nothing. Nothing is stored: the run's event log keeps only the whole result, recorded as
// before. Broadcasting is the UI's business: a send that fails or is slow never fails nor holds up
// the step (at most one send is in flight; newer text replaces what waited).
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

/** Sends one step_text message on the run's topic; throws (or rejects) when it did not go out. */
export type StepTextBroadcast = (executionId: string, payload: StepTextPayload) => Promise<void>;

export interface StepTextStream {
  /** The provider's onDelta. */
  onDelta(text: string): void;
  /** Sends the whole text if anything is unsent, waiting at most `waitMs` for it to go out. */
  flush(waitMs?: number): Promise<void>;
  /** Stops sending (the attempt failed or was abandoned): nothing more goes out. */
  stop(): void;
}

export interface StepTextOptions {
  intervalMs?: number;
  now?: () => number;
  log?: (entry: Record<string, unknown>) => void;
}

const defaultIntervalMs = 100;
const defaultFlushWaitMs = 1_000;

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
    if (answer.status !== 202) throw new Error(`the Realtime broadcast answered ${answer.status}`);
  };
}

/**
 * Streams one attempt of one step. The first delta goes out at once (the first words are what a
 * watcher waits for), later ones at most every `intervalMs`.
 */
export function streamStepText(
  step: { execution_id: string; step_id: string; attempt: number },
  broadcast: StepTextBroadcast,
  options: StepTextOptions = {},
): StepTextStream {
  const intervalMs = options.intervalMs ?? defaultIntervalMs;
  const now = options.now ?? Date.now;
  let text = "";
  let sentText = "";
  let seq = 0;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  let failures = 0;

  function send(): void {
    timer = undefined;
    if (stopped || inFlight || text === sentText) return;
    const payload: StepTextPayload = { step_id: step.step_id, attempt: step.attempt, seq: ++seq, text_so_far: text };
    sentText = text;
    lastSentAt = now();
    inFlight = broadcast(step.execution_id, payload)
      .catch((error) => {
        // Said once per attempt: the step goes on, and the next message carries the whole text anyway.
        if (failures++ === 0) options.log?.({ level: "warn", msg: "step text broadcast failed", step_id: step.step_id, error: String(error) });
      })
      .finally(() => {
        inFlight = null;
        // Text that arrived while this one was on its way goes next, on the usual rhythm.
        if (text !== sentText) schedule();
      });
  }

  function schedule(): void {
    if (stopped || timer !== undefined || inFlight) return;
    const wait = lastSentAt + intervalMs - now();
    if (wait <= 0) send();
    else timer = setTimeout(send, wait);
  }

  return {
    onDelta(piece) {
      if (stopped) return;
      text += piece;
      schedule();
    },
    async flush(waitMs = defaultFlushWaitMs) {
      if (stopped) return;
      clearTimeout(timer);
      timer = undefined;
      let waited: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (waited = setTimeout(resolve, waitMs)));
      try {
        await Promise.race([
          (async () => {
            if (inFlight) await inFlight;
            clearTimeout(timer);
            timer = undefined;
            send();
            if (inFlight) await inFlight;
          })(),
          deadline,
        ]);
      } finally {
        clearTimeout(waited);
        stopped = true;
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
