// The built-in demo provider: no network, no key, and the same answer for the same question, so
// demos, seeds and tests behave the same every time. Its config (private.validate_agent_config):
//   reply             the text to answer; {input}, {agent}, {model} and {hash} are filled in
//   latency_ms        how long it "thinks" (default 200); cancel and the time limit cut it short
//   fail_rate         0..1: the share of attempts that fail with a retryable server_error; which
//                     ones is decided by a hash of the input and the attempt number, so a given
//                     input fails the same way on the same attempt, every time
//   tokens_per_reply  the output tokens it reports (default: the reply's estimateTokens)
// Tools are scripted in the input: each line `@tool <name> <JSON object>` naming a tool the call
// offers is asked for in the first round; once results came back it answers its reply followed by
// one line per result (`<name> -> <result>`), so a run shows what the tools said.
// Input tokens are estimateTokens() of the system prompt and the conversation. The numbers are
// what the demo charges, not estimates of something else, so usage is not marked `estimated`.
import { configNumber, configString } from "./http.ts";
import {
  type AgentCall,
  type AgentReply,
  defaultTimeoutMs,
  deltaSink,
  estimateTokens,
  promptText,
  ProviderError,
  type ToolCall,
} from "./provider.ts";
import { abortableSleep, runWithDeadline } from "./timeouts.ts";

export const demoDefaultLatencyMs = 200;

/** FNV-1a, 32 bits: small, fast, and the same in every runtime. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The demo's answer to a call, without waiting. */
export function demoReplyText(call: AgentCall): string {
  const hash = inputHash(call).toString(16).padStart(8, "0");
  const agent = call.agent?.name ?? call.model;
  const template = configString(call.config, "reply");
  if (template !== undefined) {
    // One pass, so an input that contains "{agent}" stays as it was written.
    const values: Record<string, string> = { input: call.input, agent, model: call.model, hash };
    return template.replace(/\{(input|agent|model|hash)\}/g, (_, name: string) => values[name]);
  }
  const input = call.input.trim().replace(/\s+/g, " ");
  const quoted = input.length > 200 ? `${input.slice(0, 199)}…` : input;
  return `${agent} (demo ${hash}) received: ${quoted === "" ? "(nothing)" : quoted}`;
}

const scriptedToolLine = /^@tool\s+([a-z][a-z0-9_]{1,63})\s*(.*)$/gm;

/** The tool calls the input scripts, for tools the call offers, in the first round only. */
export function demoToolCalls(call: AgentCall): ToolCall[] {
  if ((call.toolRounds ?? []).length > 0 || !call.tools || call.tools.length === 0) return [];
  const offered = new Set(call.tools.map((tool) => tool.name));
  const calls: ToolCall[] = [];
  for (const [, name, json] of call.input.matchAll(scriptedToolLine)) {
    if (!offered.has(name)) continue;
    let args: unknown;
    try {
      args = json.trim() === "" ? {} : JSON.parse(json);
    } catch {
      args = undefined;
    }
    const object = args !== null && typeof args === "object" && !Array.isArray(args) ? args as Record<string, unknown> : undefined;
    calls.push({ id: `demo-call-${calls.length + 1}`, name, arguments: object ?? json });
  }
  return calls;
}

/** The reply after tool rounds: the usual text, then what each tool answered. */
function demoTextAfterTools(call: AgentCall, text: string): string {
  const lines = (call.toolRounds ?? []).flatMap((round) =>
    round.results.map((result) => {
      const name = round.calls.find((toolCall) => toolCall.id === result.callId)?.name ?? "tool";
      return `${name} -> ${result.isError ? "error: " : ""}${result.content}`;
    })
  );
  return lines.length === 0 ? text : `${text}\n${lines.join("\n")}`;
}

/** Whether this attempt of this call fails, by fail_rate. */
export function demoFails(call: AgentCall): boolean {
  const rate = Math.min(1, Math.max(0, configNumber(call.config, "fail_rate") ?? 0));
  if (rate === 0) return false;
  const draw = stableHash(`${inputHash(call)}:${call.attempt ?? 1}`) % 1000;
  return draw < rate * 1000;
}

export async function callDemo(call: AgentCall): Promise<AgentReply> {
  const latencyMs = Math.max(0, configNumber(call.config, "latency_ms") ?? demoDefaultLatencyMs);
  const toolCalls = demoToolCalls(call);
  const text = toolCalls.length > 0 ? "" : demoTextAfterTools(call, demoReplyText(call));
  const label = "the demo provider";
  return await runWithDeadline(
    { signal: call.signal, timeoutMs: call.timeoutMs ?? defaultTimeoutMs.demo, label, provider: "demo" },
    async (deadline) => {
      // latency_ms 0 takes no timer at all: the runtime stretches a chain of setTimeout(0) to 4 ms each.
      const think = (ms: number) => (latencyMs > 0 ? abortableSleep(ms, deadline.signal) : Promise.resolve());
      if (call.onDelta) {
        // Streamed word by word over the latency, as a model would.
        const emit = deltaSink(call);
        const pieces = text.match(/\S+\s*|\s+/g) ?? [];
        for (const piece of pieces) {
          await think(latencyMs / Math.max(1, pieces.length));
          emit(piece);
        }
        if (pieces.length === 0) await think(latencyMs);
      } else {
        await think(latencyMs);
      }
      if (demoFails(call)) {
        throw new ProviderError("server_error", `${label} failed on purpose (config.fail_rate)`, {
          provider: "demo",
          status: 500,
          code: "demo_failure",
        });
      }
      const tokensPerReply = configNumber(call.config, "tokens_per_reply");
      return {
        text,
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        usage: {
          inputTokens: estimateTokens(promptText(call)),
          outputTokens: tokensPerReply !== undefined && tokensPerReply >= 0
            ? Math.round(tokensPerReply)
            : estimateTokens(text),
        },
        model: call.model,
        finishReason: toolCalls.length > 0 ? "tool_use" : "stop",
        providerRequestId: `demo-${inputHash(call).toString(16).padStart(8, "0")}`,
      };
    },
  );
}

function inputHash(call: AgentCall): number {
  return stableHash(`${call.model}\n${call.systemPrompt}\n${call.input}`);
}
