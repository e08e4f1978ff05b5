import { describe, expect, it } from "vitest";
import { testNotice } from "./key-test";

describe("a key test's outcome", () => {
  it("is a success with the provider's answer time", () => {
    const result = { ok: true, status: 200, latency_ms: 120, outcome: "accepted", message: "the provider accepted the key (2 models listed)" } as const;
    expect(testNotice("openai", result).notice).toMatchObject({
      key: "keys.testOk",
      tone: "success",
      values: { service: "keys.services.openai", latency: 120 },
      translate: ["service"],
    });
  });

  it.each([
    ["refused", "keys.testRefused"],
    ["rate_limited", "keys.testRateLimited"],
    ["provider_error", "keys.testProviderError"],
    ["timed_out", "keys.testTimedOut"],
    ["unreachable", "keys.testUnreachable"],
    ["unexpected_status", "keys.testFailed"],
    ["redirected", "keys.testFailed"],
  ] as const)("%s → %s", (outcome, key) => {
    expect(testNotice("anthropic", { ok: false, status: 401, latency_ms: 5, outcome, message: "whatever the API says" }).notice)
      .toMatchObject({ key, tone: "error" });
  });
});
