// Supabase Auth's answers that the password pages have words for (passwordReset.errors.*).
import type { AuthError } from "@supabase/supabase-js";

const known = new Set(["same_password", "weak_password", "over_email_send_rate_limit", "reauthentication_needed", "email_address_invalid"]);

export function passwordErrorCode(error: AuthError): string {
  if (error.code === "validation_failed" && /email/i.test(error.message)) return "email_address_invalid";
  if (error.code && known.has(error.code)) return error.code;
  if (error.name === "AuthRetryableFetchError" || error.status === 0) return "unreachable";
  return "unknown";
}

/** The HTTP status to answer with: Auth's own when it is an error status, else 400. */
export function failureStatus(error: AuthError): number {
  return error.status && error.status >= 400 ? error.status : 400;
}
