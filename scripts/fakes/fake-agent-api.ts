// A fake tenant agents service, speaking the contract of the agent-api provider
// (supabase/functions/_shared/providers/agent-api.ts): POST <endpoint>/<agent type> with
// {request_id, tenant:{id, name}, message:{content}, rag_options:{enabled, top_k}} → {reply, usage}.
import {
  type Behaviour,
  fakeReply,
  fakeTokens,
  type FakeOptions,
  type FakeServer,
  isStatusBehaviour,
  presentedKey,
  retryHeaders,
  startFakeServer,
} from "./fake-http.ts";

export interface FakeAgentApiOptions extends FakeOptions {
  /** Which of the accepted reply shapes to answer with (default `reply`). */
  replyShape?: "reply" | "message" | "content" | "text";
  /** Include usage {input_tokens, output_tokens} (default true). */
  usage?: boolean;
}

/** The reply to `content` sent to `path` (e.g. "/sdr"). */
export function fakeAgentApiReply(path: string, content: string): string {
  return fakeReply(`fake-agent-api${path}`, content);
}

export async function startFakeAgentApi(options: FakeAgentApiOptions = {}): Promise<FakeServer> {
  return await startFakeServer<Behaviour>(async (exchange, next) => {
    const { record } = exchange;
    if (record.method !== "POST" || record.path === "/") {
      return exchange.json(404, { error: { code: "not_found", message: `no route ${record.method} ${record.path}` } });
    }
    const behaviour = next();
    if (behaviour === "slow") return await exchange.hold();
    if (isStatusBehaviour(behaviour)) {
      return exchange.json(
        behaviour.status,
        behaviour.body ?? { error: { code: `http_${behaviour.status}`, message: `the fake agent service answered ${behaviour.status}` } },
        retryHeaders(behaviour),
      );
    }
    if (options.apiKey !== undefined && presentedKey(exchange.request) !== options.apiKey) {
      return exchange.json(401, { error: { code: "unauthorized", message: "invalid token" } });
    }
    const body = record.body as Record<string, unknown> | undefined;
    const tenant = body?.tenant as Record<string, unknown> | undefined;
    const message = body?.message as Record<string, unknown> | undefined;
    const rag = body?.rag_options as Record<string, unknown> | undefined;
    if (
      typeof body?.request_id !== "string" || typeof tenant?.id !== "string" || typeof message?.content !== "string" ||
      typeof rag?.enabled !== "boolean" || typeof rag?.top_k !== "number"
    ) {
      return exchange.json(422, { error: { code: "invalid_request", message: "request_id, tenant.id, message.content and rag_options are required" } });
    }
    if (behaviour === "malformed") {
      exchange.response.writeHead(200, { "content-type": "application/json" });
      return exchange.response.end(`{"reply": "unfinished`);
    }
    if (!(await exchange.latency())) return;
    const reply = fakeAgentApiReply(record.path, message.content);
    const shape = options.replyShape ?? "reply";
    const answer: Record<string, unknown> = shape === "message"
      ? { message: { role: "assistant", content: reply } }
      : { [shape]: reply };
    answer.request_id = body.request_id;
    if (options.usage !== false) answer.usage = { input_tokens: fakeTokens(message.content), output_tokens: fakeTokens(reply) };
    if (behaviour === "cut-stream") {
      const whole = JSON.stringify(answer);
      exchange.response.writeHead(200, { "content-type": "application/json", "content-length": String(whole.length) });
      await exchange.write(whole.slice(0, Math.floor(whole.length / 2)));
      return await exchange.cut();
    }
    exchange.json(200, answer, { "x-request-id": body.request_id });
  }, options);
}
