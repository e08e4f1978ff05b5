// Shared by the provider suites (Node, vitest): calls with sensible defaults, and small waits.
// Never imported by a function.
import { expect } from "vitest";
import { egressFetch } from "../egress.ts";
import { parseAllowList } from "../egress-addresses.ts";
import { type AgentCall, ProviderError, type ProviderName } from "./provider.ts";

/**
 * A call with sensible defaults. Its requests go through the egress rules with an allow-list of
 * exactly the addresses the call names (baseUrl, config.base_url, the tenant's agents endpoint,
 * read when a request is made), as the local stack allow-lists its fakes: a test that needs the
 * production rules passes `fetch: undefined`.
 */
export function agentCall(provider: ProviderName, overrides: Partial<AgentCall> = {}): AgentCall {
  const call: AgentCall = {
    provider,
    model: "test-model",
    systemPrompt: "You are a terse sales assistant.",
    input: "Which plan fits a team of five?",
    temperature: 0.3,
    maxTokens: 512,
    config: {},
    fetch: (input, init) => egressFetch({ allowList: allowListOf(call) })(input, init),
    ...overrides,
  };
  return call;
}

function allowListOf(call: AgentCall): ReturnType<typeof parseAllowList> {
  const named = [call.baseUrl, call.config.base_url, call.tenant?.agentsEndpointUrl];
  const endpoints = named.filter((url): url is string => typeof url === "string" && URL.canParse(url))
    .map((url) => new URL(url))
    .filter((url) => /^\d{1,3}(\.\d{1,3}){3}$/.test(url.hostname) && url.port !== "")
    .map((url) => `${url.hostname}:${url.port}`);
  return parseAllowList(endpoints.join(","));
}

/** The ProviderError a promise rejects with (fails the test when it resolves or throws something else). */
export async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected the call to fail, and it succeeded");
}

export async function waitFor(check: () => boolean, what = "condition", timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Cancels `call` (started with `controller.signal`) once `ready()` holds, and answers the error it
 * rejected with. No timing: a cancel that did not stop the call leaves the test to its time-out,
 * and the HTTP tests check that the connection to the fake was closed early.
 */
export async function cancelWhen(
  controller: AbortController,
  call: Promise<unknown>,
  ready: () => boolean,
): Promise<ProviderError> {
  const failure = providerFailure(call);
  await waitFor(ready, "the call to be in flight");
  controller.abort();
  return await failure;
}

/** A seeded [0, 1) generator (mulberry32), for reproducible jitter. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
