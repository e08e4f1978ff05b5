// The executor's last check before decrypting a key: the call must go to the address the key
// belongs to, whatever the database handed over (defence in depth against a wrong choice there).
import { describe, expect, it } from "vitest";
import type { AgentCall } from "../_shared/providers/index.ts";
import type { StepCallContext } from "./engine-store.ts";
import { callDestination, keyDestinationRefusal } from "./key-destination.ts";

const platform = { "openai-compatible": "http://127.0.0.1:4000", anthropic: "http://127.0.0.1:4001" };

function call(provider: AgentCall["provider"], config: Record<string, unknown> = {}, agentsEndpointUrl?: string): AgentCall {
  return {
    provider,
    model: "m",
    systemPrompt: "",
    input: "hi",
    temperature: 0.7,
    maxTokens: 10,
    config,
    baseUrl: platform[provider as keyof typeof platform],
    agent: { name: "A", type: "sdr" },
    tenant: { id: "t", name: "T", agentsEndpointUrl },
  };
}

function step(key: Partial<StepCallContext>): StepCallContext {
  return {
    tenant_name: "T",
    agents_endpoint_url: null,
    agents_timeout_ms: 30_000,
    rag_enabled: false,
    rag_top_k: 5,
    provider_key_id: null,
    provider_key_service: null,
    provider_key_origin: null,
    unusable_key_service: null,
    unusable_key_origin: null,
    ...key,
  };
}

const customKey = { provider_key_id: "k", provider_key_service: "openai-compatible", provider_key_origin: "https://llm.example.com" };

describe("keyDestinationRefusal", () => {
  it("lets a custom key go to its own origin, whatever the path and spelling", () => {
    expect(keyDestinationRefusal(step(customKey), call("openai-compatible", { base_url: "https://LLM.example.com:443/v1" }), platform)).toBeNull();
  });

  it("refuses a custom key for any other origin: host, port or scheme", () => {
    for (const base_url of ["https://llm.example.com.evil.test", "https://llm.example.com:8443", "http://llm.example.com", "http://127.0.0.1:9"]) {
      const refused = keyDestinationRefusal(step(customKey), call("openai-compatible", { base_url }), platform);
      expect(refused?.code, base_url).toBe("provider_key_host_mismatch");
      expect(refused?.retryable).toBe(false);
      expect(refused?.message).toContain("stored for https://llm.example.com");
    }
    // Without a base_url the call goes to the platform's OpenAI address: not the key's either.
    expect(keyDestinationRefusal(step(customKey), call("openai-compatible"), platform)).not.toBeNull();
  });

  it("sends a first-party key only to the platform's address for its provider", () => {
    const openai = step({ provider_key_id: "k", provider_key_service: "openai" });
    expect(keyDestinationRefusal(openai, call("openai-compatible"), platform)).toBeNull();
    expect(keyDestinationRefusal(openai, call("openai-compatible", { base_url: "https://api.openai.com" }), platform)?.message)
      .toContain("only sent to OpenAI's own address");
    const anthropic = step({ provider_key_id: "k", provider_key_service: "anthropic" });
    expect(keyDestinationRefusal(anthropic, call("anthropic"), platform)).toBeNull();
    expect(keyDestinationRefusal(anthropic, call("anthropic", { base_url: "http://127.0.0.1:4001/other" }), platform)).toBeNull();
    expect(keyDestinationRefusal(anthropic, call("anthropic", { base_url: "http://127.0.0.1:9" }), platform)).not.toBeNull();
    // An openai key is never sent for an anthropic call, nor the other way round.
    expect(keyDestinationRefusal(anthropic, call("openai-compatible"), platform)).not.toBeNull();
  });

  it("checks an agent-api key against the company's endpoint with the agent's route", () => {
    const agents = step({ provider_key_id: "k", provider_key_service: "agent-api", provider_key_origin: "https://agents.example.com" });
    expect(callDestination(call("agent-api", { path: "@evil.test/x" }, "https://agents.example.com/api"))).toBe("https://agents.example.com/api/@evil.test/x");
    expect(keyDestinationRefusal(agents, call("agent-api", { path: "@evil.test/x" }, "https://agents.example.com/api"), platform)).toBeNull();
    expect(keyDestinationRefusal(agents, call("agent-api", {}, "https://collector.test/api"), platform)).not.toBeNull();
    expect(keyDestinationRefusal(agents, call("agent-api", {}), platform)?.message).toContain("no valid address");
  });

  it("fails a step whose run has a key for another address instead of calling without it", () => {
    const refused = keyDestinationRefusal(
      step({ unusable_key_service: "suna", unusable_key_origin: "https://suna.example.com" }),
      call("suna", { base_url: "http://127.0.0.1:9" }),
      platform,
    );
    expect(refused?.message).toBe(
      "the suna key for this run was stored for https://suna.example.com and is not sent to http://127.0.0.1:9: " +
        "store a suna key for http://127.0.0.1:9, or point the agent back to https://suna.example.com",
    );
    expect(keyDestinationRefusal(step({}), call("suna", { base_url: "http://127.0.0.1:9" }), platform)).toBeNull();
  });
});
