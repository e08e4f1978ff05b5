// Where a step's provider key may go, checked once more right before the key is decrypted (the
// database already chose the key for the call's destination: private.provider_key_for_step). A key
// leaves only for the address it belongs to: a first-party key (openai, anthropic) for the
// platform's address of its provider, a custom-endpoint key for the origin it was stored for.
import {
  type AgentCall,
  agentApiPath,
  anthropicDefaultBaseUrl,
  openAiDefaultBaseUrl,
  ProviderError,
  type ProviderName,
} from "../_shared/providers/index.ts";
import { joinUrl } from "../_shared/providers/http.ts";
import type { StepCallContext } from "./engine-store.ts";

const firstPartyAddress: Partial<Record<string, { provider: ProviderName; fallback: string; name: string }>> = {
  openai: { provider: "openai-compatible", fallback: openAiDefaultBaseUrl, name: "OpenAI" },
  anthropic: { provider: "anthropic", fallback: anthropicDefaultBaseUrl, name: "Anthropic" },
};

/** The address the provider will call for `call` (as the providers choose it), or null when it has none. */
export function callDestination(call: AgentCall): string | null {
  const configured = typeof call.config.base_url === "string" && call.config.base_url !== "" ? call.config.base_url : undefined;
  switch (call.provider) {
    case "openai-compatible":
      return configured ?? call.baseUrl ?? openAiDefaultBaseUrl;
    case "anthropic":
      return configured ?? call.baseUrl ?? anthropicDefaultBaseUrl;
    case "suna":
      return configured ?? call.baseUrl ?? null;
    case "agent-api": {
      const endpoint = call.tenant?.agentsEndpointUrl;
      const path = agentApiPath(call);
      return endpoint && path ? joinUrl(endpoint, path) : endpoint ?? null;
    }
    default:
      return null;
  }
}

/** scheme://host[:port] as the URL parser writes it (the database's private.url_origin agrees), or null. */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

/**
 * Why the step's key must not be sent with `call`, as a failure for the run's timeline, or null when
 * it may: the key the database chose belongs to another address than the call's (defence in depth),
 * or no key fits the call while one of the run's keys for the provider is stored for another address.
 * Checked before decrypting, so a refused key is never even read.
 */
export function keyDestinationRefusal(
  step: StepCallContext,
  call: AgentCall,
  platformBaseUrls: Partial<Record<ProviderName, string>>,
): ProviderError | null {
  const destination = originOf(callDestination(call));
  const where = destination ?? "no valid address";
  if (step.provider_key_id) {
    const firstParty = step.provider_key_service ? firstPartyAddress[step.provider_key_service] : undefined;
    const allowed = firstParty
      ? originOf(platformBaseUrls[firstParty.provider] ?? firstParty.fallback)
      : step.provider_key_origin;
    if (allowed && destination === allowed) return null;
    return refusal(step.provider_key_service ?? "provider", step.provider_key_origin, where, firstParty?.name);
  }
  if (step.unusable_key_service) {
    return refusal(step.unusable_key_service, step.unusable_key_origin, where, firstPartyAddress[step.unusable_key_service]?.name);
  }
  return null;
}

function refusal(service: string, storedFor: string | null, destination: string, firstPartyName: string | undefined): ProviderError {
  const message = firstPartyName
    ? `the ${service} key for this run is only sent to ${firstPartyName}'s own address, and this agent calls ${destination}: ` +
      `remove the agent's base_url${service === "openai" ? `, or store an openai-compatible key for ${destination}` : ""}`
    : `the ${service} key for this run was stored for ${storedFor ?? "another address"} and is not sent to ${destination}: ` +
      `store a ${service} key for ${destination}, or point the agent back to ${storedFor ?? "its address"}`;
  return new ProviderError("bad_request", message, { code: "provider_key_host_mismatch", retryable: false });
}
