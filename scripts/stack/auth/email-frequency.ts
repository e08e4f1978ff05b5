// `[auth.email] max_frequency`: how soon Auth sends the same user another email of a kind (GoTrue's
// validateSentWithinFrequencyLimit). Refused requests get 429 over_email_send_rate_limit with the
// wait in whole seconds, rounded down as Go's integer division does.
// (GoTrue's hourly `[auth.rate_limit] email_sent` applies only with custom SMTP, which a local stack has not.)
import { goTime } from "./database.ts";
import { AuthError } from "./errors.ts";

export function emailFrequencyError(sentAt: string | null, maxFrequencyMs: number, now = Date.now()): AuthError | null {
  if (sentAt === null) return null;
  const allowedAt = Date.parse(goTime(sentAt)) + maxFrequencyMs;
  if (allowedAt <= now) return null;
  const seconds = Math.floor((allowedAt - now) / 1000);
  return new AuthError(429, "over_email_send_rate_limit", `For security purposes, you can only request this after ${seconds} seconds.`);
}
