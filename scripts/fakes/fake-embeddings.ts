// A fake OpenAI-compatible embeddings API: POST /v1/embeddings with OpenAI's request and answer
// shapes and error bodies. https://platform.openai.com/docs/api-reference/embeddings/create
// Its vectors are deterministic 384-d vectors from the text: the lexical embedder in another hash
// space (seed 1), so a test can tell them from the keyless lexical embedder's and still expect
// texts sharing words to come out close.
import { lexicalEmbedding } from "../../supabase/functions/_shared/embeddings/lexical.ts";
import { type Behaviour, fakeTokens, type FakeOptions, type FakeServer, isStatusBehaviour, presentedKey, retryHeaders, startFakeServer } from "./fake-http.ts";

export const fakeEmbeddingsSeed = 1;

/** The vector the fake answers for `text`. */
export function fakeEmbedding(text: string): number[] {
  return lexicalEmbedding(text, fakeEmbeddingsSeed);
}

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

export async function startFakeEmbeddings(options: FakeOptions = {}): Promise<FakeServer> {
  return await startFakeServer<Behaviour>(async (exchange, next) => {
    const { record } = exchange;
    if (record.method !== "POST" || record.path !== "/v1/embeddings") {
      return exchange.json(404, openAiError(`Invalid URL (${record.method} ${record.path})`, "invalid_request_error", null));
    }
    const behaviour = next();
    if (behaviour === "slow") return await exchange.hold();
    if (isStatusBehaviour(behaviour)) {
      const body = behaviour.body ?? openAiError(`fake error ${behaviour.status}`, behaviour.status === 429 ? "rate_limit_exceeded" : "server_error", null);
      return exchange.json(behaviour.status, body, retryHeaders(behaviour));
    }
    if (options.apiKey !== undefined && presentedKey(exchange.request) !== options.apiKey) {
      return exchange.json(401, openAiError(`Incorrect API key provided: ${presentedKey(exchange.request)}.`, "invalid_request_error", "invalid_api_key"));
    }
    const body = record.body as Record<string, unknown> | undefined;
    if (!body || typeof body.model !== "string") {
      return exchange.json(400, openAiError("you must provide a model parameter", "invalid_request_error", null));
    }
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((input) => typeof input === "string")) {
      return exchange.json(400, openAiError("'input' must be a string or an array of strings", "invalid_request_error", null, "input"));
    }
    if (body.dimensions !== undefined && body.dimensions !== 384) {
      return exchange.json(400, openAiError("This fake only makes 384 dimensions.", "invalid_request_error", null, "dimensions"));
    }
    if (behaviour === "malformed") {
      exchange.response.writeHead(200, { "content-type": "application/json" });
      return exchange.response.end(`{"object": "list", "data": [`);
    }
    if (!(await exchange.latency())) return;
    const tokens = (inputs as string[]).reduce((sum, input) => sum + fakeTokens(input), 0);
    exchange.json(200, {
      object: "list",
      data: (inputs as string[]).map((input, index) => ({ object: "embedding", index, embedding: fakeEmbedding(input) })),
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }, options);
}
