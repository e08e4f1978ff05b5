import type { ApiKeyTestResult, KeyTestOutcome, ProviderService } from "$schemas/api-keys.ts";
import { notice } from "$lib/notice";

// The outcomes with words of their own; the others (a redirect, an unexpected status) say the test failed.
const failureWords: Partial<Record<KeyTestOutcome, string>> = {
  refused: "keys.testRefused",
  rate_limited: "keys.testRateLimited",
  provider_error: "keys.testProviderError",
  timed_out: "keys.testTimedOut",
  unreachable: "keys.testUnreachable",
};

/** A key test's outcome in the page's words, from its `outcome` code (the API's message is for developers). */
export function testNotice(service: ProviderService, result: ApiKeyTestResult) {
  const values = { service: `keys.services.${service}`, status: result.status ?? 0, latency: result.latency_ms, message: result.message };
  if (result.ok) return notice("keys.testOk", values, "success", ["service"]);
  return notice(failureWords[result.outcome] ?? "keys.testFailed", values, "error", ["service"]);
}
