import type { Sql } from "../_shared/db.ts";

export interface EventDrain {
  /** Says that an event was stored: a drain starts unless one runs, which then goes round again. */
  kick(): void;
  /** Resolves when no drain runs (tests wait on it). */
  idle(): Promise<void>;
}

export interface EventDrainOptions {
  /** Keeps the drain alive after the answer was sent (EdgeRuntime.waitUntil). */
  background: (work: Promise<unknown>) => void;
  /** Events per call of private.drain_webhook_events (one round trip; a commit per inbox batch of at most 0.25 s). */
  batchSize?: number;
  onError?: (error: unknown) => void;
}

/**
 * Processes stored events right after they are acknowledged, in batches: the first kick starts a
 * loop that calls private.drain_webhook_events until nothing is due, and kicks that arrive
 * meanwhile only make it go round once more. The procedure works one inbox per slice (an inbox
 * another worker's drain holds is left to it) and starts the due conversation turns after each
 * slice's commit, so a reply with no debounce starts here, not at the next pg_cron pass. Under load one call records many events, instead of
 * one round trip and one transaction per request; when idle, an event is processed within a round
 * trip of its 200. A drain that dies with its worker loses nothing: the events stay pending and the
 * pg_cron job (every minute) or the next kick picks them up.
 */
export function eventDrain(sql: Sql, options: EventDrainOptions): EventDrain {
  const batchSize = options.batchSize ?? 500;
  let running: Promise<void> | null = null;
  let again = false;

  const drain = async () => {
    try {
      do {
        again = false;
        for (;;) {
          const [{ processed }] = await sql<{ processed: number | null }[]>`
            call private.drain_webhook_events(${batchSize}, 10, null)`;
          if ((processed ?? 0) < batchSize) break;
        }
      } while (again);
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = null;
    }
  };

  return {
    kick() {
      if (running) {
        again = true;
        return;
      }
      running = drain();
      options.background(running);
    },
    idle: () => running ?? Promise.resolve(),
  };
}
