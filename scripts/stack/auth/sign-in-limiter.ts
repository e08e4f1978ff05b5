// Failed password sign-ins per email address, kept in the gateway's memory. GoTrue itself limits
// /token per IP address ([auth.rate_limit]); on one machine every caller is 127.0.0.1, so the
// stand-in limits guessing per account instead: after `maxFailures` wrong passwords (or unknown
// addresses) within `windowMs`, the address answers 429 over_request_rate_limit, even for the right
// password, until the oldest of those failures leaves the window. A successful sign-in clears the count.
export const signInFailureLimit = { maxFailures: 10, windowMs: 5 * 60_000 };

// Bounds the memory an attacker spraying random addresses can take.
const maxTrackedAddresses = 50_000;

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limit = signInFailureLimit) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < this.limit.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  isLimited(email: string, now = Date.now()): boolean {
    return this.recent(email.toLowerCase(), now).length >= this.limit.maxFailures;
  }

  recordFailure(email: string, now = Date.now()): void {
    const key = email.toLowerCase();
    const kept = this.recent(key, now);
    if (kept.length === 0 && this.failures.size >= maxTrackedAddresses) this.forgetExpired(now);
    this.failures.set(key, [...kept, now]);
  }

  clear(email: string): void {
    this.failures.delete(email.toLowerCase());
  }

  private forgetExpired(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const key of this.failures.keys()) {
      if (this.failures.size < maxTrackedAddresses) break;
      this.failures.delete(key);
    }
  }
}
