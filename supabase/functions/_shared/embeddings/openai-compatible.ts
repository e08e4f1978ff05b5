// OpenAI-compatible /v1/embeddings (OpenAI's text-embedding-3-small with `dimensions: 384`, or any
// server speaking the same API), with the tenant's key, through the egress rules.
// https://platform.openai.com/docs/api-reference/embeddings/create
import { egressFetch, type EgressFetch, isEgressError } from "../egress.ts";
import { assertEmbedding, type Embedder, EmbeddingError } from "./embedder.ts";
import { embeddingDimension } from "./lexical.ts";

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** The API's base URL, with or without a trailing /v1 (default https://api.openai.com). */
  baseUrl?: string;
  model?: string;
  /** Texts per request (OpenAI takes up to 2048; smaller batches keep each answer small). */
  batchSize?: number;
  timeoutMs?: number;
  fetch?: EgressFetch;
}

export const defaultOpenAiEmbeddingModel = "text-embedding-3-small";

export function openAiCompatibleEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const model = options.model ?? defaultOpenAiEmbeddingModel;
  const base = (options.baseUrl ?? "https://api.openai.com").replace(/\/+$/, "").replace(/\/v1$/, "");
  const endpoint = `${base}/v1/embeddings`;
  const batchSize = options.batchSize ?? 96;
  const send = options.fetch ?? egressFetch({ timeoutMs: options.timeoutMs ?? 60_000, maxResponseBytes: 64 * 1024 * 1024 });

  async function embedBatch(texts: readonly string[]): Promise<number[][]> {
    let response: Response;
    try {
      response = await send(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${options.apiKey}` },
        body: JSON.stringify({ model, input: texts, dimensions: embeddingDimension, encoding_format: "float" }),
      });
    } catch (error) {
      const why = isEgressError(error) ? error.message : "the embeddings server could not be reached";
      throw new EmbeddingError("embedding_request_failed", why, !isEgressError(error) || error.code === "host_not_found");
    }
    if (!response.ok) {
      await response.body?.cancel();
      // The key itself refused: no retry helps; someone must give the base another key.
      if (response.status === 401 || response.status === 403) {
        throw new EmbeddingError("embedding_key_refused", `the embeddings server refused the key (${response.status})`);
      }
      const retryable = response.status === 429 || response.status >= 500;
      throw new EmbeddingError("embedding_request_failed", `the embeddings server answered ${response.status}`, retryable);
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      throw new EmbeddingError("embedding_answer_invalid", "the embeddings answer is not JSON");
    }
    const data = (answer as { data?: unknown })?.data;
    if (!Array.isArray(data) || data.length !== texts.length) {
      throw new EmbeddingError("embedding_answer_invalid", `the embeddings answer has no vector for each of the ${texts.length} texts`);
    }
    const vectors = new Array<number[]>(texts.length);
    for (const item of data as { index?: unknown; embedding?: unknown }[]) {
      const index = item?.index;
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= texts.length || vectors[index]) {
        throw new EmbeddingError("embedding_answer_invalid", "the embeddings answer's indexes do not match the texts");
      }
      vectors[index] = assertEmbedding(item.embedding, index);
    }
    return vectors;
  }

  return {
    kind: "openai_compatible",
    model,
    async embed(texts) {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        vectors.push(...await embedBatch(texts.slice(start, start + batchSize)));
      }
      return vectors;
    },
  };
}
