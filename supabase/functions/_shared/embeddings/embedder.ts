// One interface for every way a knowledge base turns text into vectors, 384 dimensions each.
import { embeddingDimension } from "./lexical.ts";

export interface Embedder {
  /** What knowledge_bases.embedder names: lexical, openai_compatible or gte_small. */
  readonly kind: "lexical" | "openai_compatible" | "gte_small";
  readonly model: string;
  /** One vector per text, in order, each of 384 numbers. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** An embedder that failed: the code is ours, the message too (never the remote's body). */
export class EmbeddingError extends Error {
  override readonly name = "EmbeddingError";
  constructor(
    readonly code:
      | "embedding_request_failed"
      | "embedding_answer_invalid"
      | "embedding_unavailable"
      | "embedding_key_unavailable"
      | "embedding_key_refused",
    message: string,
    /** Worth trying again later (a 429, a 5xx, a timeout). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** Checks a vector's shape: 384 finite numbers. */
export function assertEmbedding(vector: unknown, index: number): number[] {
  if (!Array.isArray(vector) || vector.length !== embeddingDimension || !vector.every((value) => typeof value === "number" && Number.isFinite(value))) {
    throw new EmbeddingError("embedding_answer_invalid", `embedding ${index} is not ${embeddingDimension} finite numbers`);
  }
  return vector as number[];
}

/** pgvector's text form, for replace_document_chunks and search_knowledge. */
export function toVectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(",")}]`;
}
