import { describe, expect, it } from "vitest";
import { testNotice } from "./key-test";

describe("a key test's outcome", () => {
  it("is a success with the provider's answer time", () => {
    expect(testNotice("openai", { ok: true, status: 200, latency_ms: 120, message: "the provider accepted the key (2 models listed)" }).notice).toMatchObject({
      key: "keys.testOk",
      tone: "success",
      values: { service: "keys.services.openai", latency: 120 },
      translate: ["service"],
    });
  });

  it.each([
    ["the provider refused the key (HTTP 401, invalid_api_key)", "keys.testRefused"],
    ["the provider is rate limiting this key (HTTP 429); try again later", "keys.testRateLimited"],
    ["the provider had an error (HTTP 503); try again later", "keys.testProviderError"],
    ["timed out", "keys.testTimedOut"],
    ["could not reach the provider (connection failed)", "keys.testUnreachable"],
    ["the provider answered HTTP 418", "keys.testFailed"],
  ])("%s → %s", (message, key) => {
    expect(testNotice("anthropic", { ok: false, status: 401, latency_ms: 5, message }).notice).toMatchObject({ key, tone: "error" });
  });
});
