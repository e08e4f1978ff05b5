// The company's own agents service (public.tenants.agents_endpoint_url). The contract Renum keeps:
//
// Request   POST <agents_endpoint_url>/<path>
//           path: config.path when set, else the agent type lowercased (config.agent_type, else
//           the agent's type): /sdr, /copilot, /custom, /sub_agent
//           Content-Type: application/json; Authorization: Bearer <key> when the company stored an
//           agent-api key; X-Request-Id: <request_id>
//           {"request_id": "...", "tenant": {"id": "...", "name": "..."},
//            "message": {"content": "<input>"}, "rag_options": {"enabled": bool, "top_k": int}}
//           request_id stays the same across retries of one step, so the service can deduplicate.
// Answer    2xx with a JSON object whose reply text is, in this order of precedence, the first
//           present of `reply`, `message.content`, `content`, `text`; it must be a string (a
//           present field of another type is an error, not skipped). Optional `usage`
//           {"input_tokens": int, "output_tokens": int} is taken as exact; without it usage is
//           estimated. Optional `model` (string) names what answered. Anything else is ignored.
// Errors    the service's status decides: 401/403 auth, 408 timeout, 429 rate limited (Retry-After
//           honoured), 5xx server error, other 4xx bad request.
// Time      call.timeoutMs, else config.timeout_ms, else the tenant's agents_timeout_ms, else 30 s.
import {
  asRecord,
  configNumber,
  configString,
  errorFromResponse,
  invalidResponse,
  isTokenCount,
  joinUrl,
  missingAddress,
  type ProviderContext,
  readJson,
} from "./http.ts";
import {
  type AgentCall,
  type AgentReply,
  defaultTimeoutMs,
  estimateTokens,
  hostOf,
  ProviderError,
  type Usage,
} from "./provider.ts";
import { providerFetch } from "./provider-fetch.ts";
import { runWithDeadline } from "./timeouts.ts";

export function agentApiPath(call: AgentCall): string | undefined {
  const path = configString(call.config, "path");
  if (path) return path.replace(/^\/+/, "");
  const type = configString(call.config, "agent_type") ?? call.agent?.type;
  return type ? encodeURIComponent(type.trim().toLowerCase()) : undefined;
}

export function agentApiTimeoutMs(call: AgentCall): number {
  return call.timeoutMs ?? configNumber(call.config, "timeout_ms") ?? call.tenant?.agentsTimeoutMs ??
    defaultTimeoutMs["agent-api"];
}

export function agentApiRequestBody(call: AgentCall, requestId: string): Record<string, unknown> {
  return {
    request_id: requestId,
    tenant: { id: call.tenant?.id, name: call.tenant?.name },
    message: { content: call.input },
    rag_options: { enabled: call.tenant?.ragEnabled ?? false, top_k: call.tenant?.ragTopK ?? 5 },
  };
}

export async function callAgentApi(call: AgentCall): Promise<AgentReply> {
  const endpoint = call.tenant?.agentsEndpointUrl ?? undefined;
  const context: ProviderContext = {
    label: endpoint ? `the agents endpoint at ${hostOf(endpoint)}` : "the agents endpoint",
    provider: "agent-api",
  };
  if (!call.tenant) {
    throw new ProviderError("bad_request", "the agent-api provider needs the company the call is for", {
      provider: "agent-api",
    });
  }
  if (!endpoint) throw missingAddress(context, "the company has no agents endpoint URL in its settings");
  const path = agentApiPath(call);
  if (!path) {
    throw new ProviderError("bad_request", "the agent has no type or config.path to choose the endpoint's route", {
      provider: "agent-api",
    });
  }
  const requestId = call.requestId ?? crypto.randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    "x-request-id": requestId,
  };
  if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`;
  const fetchImpl = call.fetch ?? providerFetch;
  const url = joinUrl(endpoint, path);

  return await runWithDeadline(
    { signal: call.signal, timeoutMs: agentApiTimeoutMs(call), label: context.label, provider: "agent-api" },
    async (deadline) => {
      const response = await fetchImpl(url, {
        method: "POST",
        headers,
        body: JSON.stringify(agentApiRequestBody(call, requestId)),
        signal: deadline.signal,
        redirect: "manual",
      });
      if (!response.ok) throw await errorFromResponse(response, context);
      const json = await readJson(response, context);
      const answer = asRecord(json);
      if (!answer) throw invalidResponse(context, "the answer is not a JSON object");
      const text = replyText(answer, context);
      return {
        text,
        usage: replyUsage(answer, context) ??
          { inputTokens: estimateTokens(call.input), outputTokens: estimateTokens(text), estimated: true },
        model: typeof answer.model === "string" && answer.model !== "" ? answer.model : call.model,
        finishReason: "stop",
        providerRequestId: response.headers.get("x-request-id") ?? requestId,
        raw: json,
      };
    },
  );
}

function replyText(answer: Record<string, unknown>, context: ProviderContext): string {
  const message = asRecord(answer.message);
  const candidates: [string, unknown, boolean][] = [
    ["reply", answer.reply, "reply" in answer],
    ["message.content", message?.content, message !== null && "content" in message],
    ["content", answer.content, "content" in answer],
    ["text", answer.text, "text" in answer],
  ];
  for (const [name, value, present] of candidates) {
    if (!present) continue;
    if (typeof value !== "string") throw invalidResponse(context, `${name} is not a string`);
    return value;
  }
  throw invalidResponse(context, "no reply, message.content, content or text");
}

function replyUsage(answer: Record<string, unknown>, context: ProviderContext): Usage | null {
  if (answer.usage === undefined || answer.usage === null) return null;
  const usage = asRecord(answer.usage);
  if (!usage || !isTokenCount(usage.input_tokens) || !isTokenCount(usage.output_tokens)) {
    throw invalidResponse(context, "usage must be {input_tokens, output_tokens} as non-negative integers");
  }
  return { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
}
