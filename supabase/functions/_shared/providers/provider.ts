// The one interface between the execution engine and whatever answers for an agent: an LLM API, an
// agent runtime, the tenant's own agents service, or the offline demo. Runs in Deno edge functions
// and in Node (vitest) alike, so only Web APIs are used here and in every provider.

import { Constants, type Database } from "../database.types.ts";

/** The values of public.agent_provider. */
export type ProviderName = Database["public"]["Enums"]["agent_provider"];

export const providerNames: readonly ProviderName[] = Constants.public.Enums.agent_provider;

/** An earlier turn of the conversation (a WhatsApp thread, a previous step's exchange). */
export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

/** Who is answering: public.agents' name and type (public.agent_type). */
export interface AgentIdentity {
  id?: string;
  name: string;
  type: string;
}

/** The company the call is made for, with the settings of public.tenants that providers read. */
export interface TenantContext {
  id: string;
  name: string;
  /** public.tenants.agents_endpoint_url: where the agent-api provider sends its requests. */
  agentsEndpointUrl?: string | null;
  /** public.tenants.agents_timeout_ms (default 30000). */
  agentsTimeoutMs?: number;
  ragEnabled?: boolean;
  ragTopK?: number;
}

/**
 * One call of one agent. The engine builds it from the agent row (model, systemPrompt, temperature,
 * maxTokens, config), the tenant row, the step's input and the decrypted key, and gives it the
 * signal that fires when the run is cancelled.
 */
export interface AgentCall {
  provider: ProviderName;
  model: string;
  systemPrompt: string;
  /** The turn to answer: the step's input text. */
  input: string;
  /** Earlier turns, oldest first, sent before `input` by the providers that take a conversation. */
  history?: ChatTurn[];
  temperature: number;
  maxTokens: number;
  /** public.agents.config, as private.validate_agent_config allows it for the provider. */
  config: Record<string, unknown>;
  /** The provider key in plain text; never logged, never in an error message. */
  apiKey?: string;
  /**
   * The platform's address for the provider (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, SUNA_BASE_URL...),
   * used when config.base_url is absent. agent-api ignores it: its address is the tenant's.
   */
  baseUrl?: string;
  agent?: AgentIdentity;
  tenant?: TenantContext;
  /** Sent to providers that take one (agent-api's request_id); keep it the same across retries. */
  requestId?: string;
  /** Per-attempt time limit. When absent each provider has its own default (see defaultTimeoutMs). */
  timeoutMs?: number;
  /** Cancel: when it aborts, the in-flight request is aborted and the call throws kind `aborted`. */
  signal?: AbortSignal;
  /** Ask for a streamed answer (openai-compatible, anthropic); partial text goes to onDelta. */
  stream?: boolean;
  /** Each piece of text as it arrives (streaming providers, Suna, the demo). A retry starts over. */
  onDelta?: (text: string) => void;
  /** Called once a provider has started a remote run (Suna): record the id to stop it later. */
  onStarted?: (run: { providerRequestId: string; threadId?: string }) => void;
  /** 1 for the first attempt; the demo provider's fail_rate draws per attempt. */
  attempt?: number;
  /** The fetch to use instead of the egress rules' (providerFetch); only tests set it. */
  fetch?: FetchLike;
  /** Tools the model may call (openai-compatible, anthropic, demo); the others ignore them. */
  tools?: ToolSpec[];
  /** Earlier rounds of this step's tool loop, oldest first, sent after `input`. */
  toolRounds?: ToolRound[];
}

/** A tool as a model sees it: a name, what it does, and the JSON Schema of its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A call the model asked for. `id` is the provider's (tool_call id, tool_use id), echoed with the result. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: an object, or text that was not a JSON object. */
  arguments: Record<string, unknown> | string;
}

/** What a tool answered: the text the model reads, and whether it is an error. */
export interface ToolResult {
  callId: string;
  content: string;
  isError: boolean;
}

/** One round of the loop: the model's text and calls, and the results sent back. */
export interface ToolRound {
  text: string;
  calls: ToolCall[];
  results: ToolResult[];
}

/** What providers call to make a request: fetch, or the egress module's fetch. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export type FinishReason = "stop" | "length" | "content_filter" | "tool_use" | "other";

export interface Usage {
  /** Every input token the provider processed (cached ones included). */
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, those read from the provider's prompt cache (cheaper), when it says so. */
  cachedInputTokens?: number;
  /** True when the provider reported nothing and the numbers are estimateTokens() of the text. */
  estimated?: boolean;
}

export interface AgentReply {
  text: string;
  usage: Usage;
  /** The model that answered, as the provider names it (it may differ from the one asked for). */
  model: string;
  finishReason: FinishReason;
  /** The provider's id of the request or run (OpenAI's chatcmpl id, Anthropic's msg id, Suna's run id). */
  providerRequestId?: string;
  /** The provider's answer as received (non-streamed JSON providers only). */
  raw?: unknown;
  /** The tools the model asked to call, in order; absent or empty when it answered. */
  toolCalls?: ToolCall[];
}

export type ProviderErrorKind =
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "connection"
  | "aborted"
  | "auth"
  | "bad_request"
  | "invalid_response";

const retryableByDefault: Record<ProviderErrorKind, boolean> = {
  rate_limited: true,
  server_error: true,
  timeout: true,
  connection: true,
  aborted: false,
  auth: false,
  bad_request: false,
  invalid_response: false,
};

export interface ProviderErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  status?: number;
  provider?: ProviderName;
  /** The provider's short machine code (invalid_api_key, overloaded_error...), never its free text. */
  code?: string;
  cause?: unknown;
}

/**
 * Why a call failed, in terms the engine acts on: whether to retry, and after how long. `message`
 * is written for a person (it ends up in the run's timeline) and never contains the API key.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly provider?: ProviderName;
  readonly code?: string;

  constructor(readonly kind: ProviderErrorKind, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? retryableByDefault[kind];
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.status !== undefined) this.status = options.status;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.code !== undefined) this.code = options.code;
  }

  /** A plain object for the event log: no stack, no cause. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      status: this.status,
      provider: this.provider,
      code: this.code,
    };
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/**
 * The token estimate used wherever a provider reports no usage: one token per four characters
 * (Unicode code points), rounded up. OpenAI's rule of thumb for English; it overestimates code
 * and underestimates CJK text, and is marked `estimated` wherever it is used.
 */
export function estimateTokens(text: string): number {
  let codePoints = 0;
  for (const _ of text) codePoints++;
  return Math.ceil(codePoints / 4);
}

/** The per-attempt time limit when the call gives none. */
export const defaultTimeoutMs: Record<ProviderName, number> = {
  "openai-compatible": 120_000,
  anthropic: 120_000,
  // An agent run plans, browses and calls tools: minutes, not seconds.
  suna: 600_000,
  // The tenant's setting wins (agents_timeout_ms); this is its default.
  "agent-api": 30_000,
  // The demo's own wait is config.latency_ms (at most 600 s).
  demo: 660_000,
};

/** The conversation to send: the earlier turns, then the input as the user's turn. */
export function conversation(call: AgentCall): ChatTurn[] {
  return [...(call.history ?? []), { role: "user", content: call.input }];
}

/** Everything the model reads, for estimating input tokens when a provider reports none. */
export function promptText(call: AgentCall): string {
  return [call.systemPrompt, ...conversation(call).map((turn) => turn.content)].filter((part) => part !== "").join(
    "\n",
  );
}

/** onDelta as providers call it: a failing callback (the UI's business) never fails the call. */
export function deltaSink(call: AgentCall): (text: string) => void {
  const onDelta = call.onDelta;
  if (!onDelta) return () => {};
  return (text) => {
    if (text === "") return;
    try {
      onDelta(text);
    } catch {
      // ignored on purpose: see above
    }
  };
}

/** A host for messages ("api.openai.com"); the address itself may carry a path the user typed. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "an invalid address";
  }
}
