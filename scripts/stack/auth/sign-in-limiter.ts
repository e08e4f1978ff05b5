// Sign-in and sign-up limits per client IP, as GoTrue applies its [auth.rate_limit] (tollbooth
// token buckets, keyed in performRateLimiting): the key is the `Sb-Forwarded-For` address when a
// server forwards its browser's (GOTRUE_SECURITY_SB_FORWARDED_FOR_ENABLED, on here), else the first
// value of the rate-limit header (GOTRUE_RATE_LIMIT_HEADER, X-Forwarded-For as hosted projects set
// it). A request with neither is not limited, as GoTrue does when it cannot tell clients apart (the
// gateway, like `supabase start`'s Kong, adds no X-Forwarded-For for Auth).
//
// A bucket holds `burst` requests and refills at `perFiveMinutes` per 5 minutes; an empty bucket
// answers 429 over_request_rate_limit. `sign_in_sign_ups` (password grant, sign-up) and
// `token_refresh` (the refresh-token grant) each have their own buckets, with GoTrue's burst of 30.
import { isIP } from "node:net";
import { AuthError } from "./errors.ts";

export const defaultBurst = 30;

// Bounds the memory a client spraying forged addresses can take.
const maxTrackedClients = 50_000;

interface Bucket {
  tokens: number;
  at: number;
}

export type LimitKind = "sign_in_sign_ups" | "token_refresh";

/** GoTrue's sbff.parseSBFFHeader and performRateLimitingWithHeader: the client's key, or null. */
export function rateLimitKey(header: (name: string) => string | undefined): string | null {
  const forwardedFor = header("sb-forwarded-for");
  if (forwardedFor) {
    const first = forwardedFor.split(",")[0].trim();
    if (isIP(first)) return first;
  }
  const first = (header("x-forwarded-for") ?? "").split(",")[0].trim();
  return first === "" ? null : first;
}

export class SignInLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly burst = defaultBurst) {}

  /** Takes one request from `key`'s bucket of `kind`, or throws GoTrue's 429. */
  take(kind: LimitKind, key: string | null, perFiveMinutes: number, now = Date.now()): void {
    if (key === null) return;
    const id = `${kind} ${key}`;
    const refillPerMs = perFiveMinutes / 300_000;
    const previous = this.buckets.get(id) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, previous.tokens + (now - previous.at) * refillPerMs);
    if (tokens < 1) {
      this.buckets.set(id, { tokens, at: now });
      throw new AuthError(429, "over_request_rate_limit", "Request rate limit reached");
    }
    if (!this.buckets.has(id) && this.buckets.size >= maxTrackedClients) this.forgetFull(now, refillPerMs);
    this.buckets.set(id, { tokens: tokens - 1, at: now });
  }

  private forgetFull(now: number, refillPerMs: number): void {
    for (const [id, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * refillPerMs >= this.burst) this.buckets.delete(id);
    }
    for (const id of this.buckets.keys()) {
      if (this.buckets.size < maxTrackedClients) break;
      this.buckets.delete(id);
    }
  }
}
