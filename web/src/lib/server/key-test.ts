import type { ApiKeyTestResult, ProviderService } from "$schemas/api-keys.ts";
import { notice } from "$lib/notice";

/** A key test's outcome in the page's words (the API describes it in English, for developers). */
export function testNotice(service: ProviderService, result: ApiKeyTestResult) {
  const values = { service: `keys.services.${service}`, status: result.status ?? 0, latency: result.latency_ms, message: result.message };
  if (result.ok) return notice("keys.testOk", values, "success", ["service"]);
  const outcomes: [RegExp, string][] = [
    [/refused the key/, "keys.testRefused"],
    [/rate limiting/, "keys.testRateLimited"],
    [/had an error/, "keys.testProviderError"],
    [/^timed out/, "keys.testTimedOut"],
    [/could not reach/, "keys.testUnreachable"],
  ];
  const key = outcomes.find(([pattern]) => pattern.test(result.message))?.[1] ?? "keys.testFailed";
  return notice(key, values, "error", ["service"]);
}
