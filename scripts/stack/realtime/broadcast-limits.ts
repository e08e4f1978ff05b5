// Hosted Realtime's events-per-second limit on the REST broadcast, for tests. Hosted counts the
// messages a project broadcasts per second and, past the tenant's `max_events_per_second` (100 by
// default), answers 429 `{"message": "You have exceeded your rate limit"}` and sends nothing
// (BatchBroadcast's check_rate_limit; a batch that would cross it: "Too many messages to broadcast,
// please reduce the batch size"). Locally the limit is set per topic, through
//   PUT    /realtime/v1/api/limits  {topic, max_events_per_second, retry_after_seconds?}  → 204
//   GET    /realtime/v1/api/limits?topic=…  → {topic, max_events_per_second, requests, accepted, refused}
//   DELETE /realtime/v1/api/limits?topic=…  → 204
// with the service key only: a per-project limit would reach every other test sharing the stack,
// and a test needs to count the requests one run's sender made. Topics without a limit are never
// refused (no project-wide limit here). Hosted sends no Retry-After; `retry_after_seconds` adds one,
// for the senders that honour it.

export interface TopicLimit {
  maxEventsPerSecond: number;
  retryAfterSeconds?: number;
}

interface TopicCounter extends TopicLimit {
  windowStartedAt: number;
  eventsInWindow: number;
  requests: number;
  accepted: number;
  refused: number;
}

export type Admission = { ok: true } | { ok: false; message: string; retryAfterSeconds?: number };

const windowMs = 1_000;

export class BroadcastLimits {
  private readonly topics = new Map<string, TopicCounter>();

  constructor(private readonly now: () => number = Date.now) {}

  set(topic: string, limit: TopicLimit): void {
    this.topics.set(topic, { ...limit, windowStartedAt: this.now(), eventsInWindow: 0, requests: 0, accepted: 0, refused: 0 });
  }

  clear(topic: string): void {
    this.topics.delete(topic);
  }

  /** What one batch may do, by the number of its messages per topic; counts it either way. */
  admit(messagesByTopic: Map<string, number>): Admission {
    const limited = [...messagesByTopic].flatMap(([topic, count]) => {
      const counter = this.topics.get(topic);
      return counter ? [{ counter, count }] : [];
    });
    const now = this.now();
    for (const { counter } of limited) {
      counter.requests++;
      if (now - counter.windowStartedAt >= windowMs) {
        counter.windowStartedAt = now;
        counter.eventsInWindow = 0;
      }
    }
    for (const { counter, count } of limited) {
      if (counter.eventsInWindow + count <= counter.maxEventsPerSecond) continue;
      for (const each of limited) each.counter.refused++;
      const message = counter.eventsInWindow >= counter.maxEventsPerSecond
        ? "You have exceeded your rate limit"
        : "Too many messages to broadcast, please reduce the batch size";
      return { ok: false, message, ...(counter.retryAfterSeconds !== undefined ? { retryAfterSeconds: counter.retryAfterSeconds } : {}) };
    }
    for (const { counter, count } of limited) {
      counter.eventsInWindow += count;
      counter.accepted++;
    }
    return { ok: true };
  }

  stats(topic: string) {
    const counter = this.topics.get(topic);
    if (!counter) return null;
    return { topic, max_events_per_second: counter.maxEventsPerSecond, requests: counter.requests, accepted: counter.accepted, refused: counter.refused };
  }
}
