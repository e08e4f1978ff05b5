// Embedders for knowledge bases. Which one a base uses is knowledge_bases.embedder:
// - lexical (the default, keyless, offline): hashed words and trigrams — lexical, not semantic;
// - openai_compatible: /v1/embeddings with the tenant's key (text-embedding-3-small at 384 dims);
// - gte_small: the edge runtime's built-in model on hosted Supabase (Supabase.ai.Session).
import { type Embedder, EmbeddingError } from "./embedder.ts";
import { lexicalEmbedding, lexicalModel } from "./lexical.ts";
import { type OpenAiEmbedderOptions, openAiCompatibleEmbedder } from "./openai-compatible.ts";

export { assertEmbedding, type Embedder, EmbeddingError, toVectorLiteral } from "./embedder.ts";
export { embeddingDimension, lexicalEmbedding, lexicalModel, lexicalWords } from "./lexical.ts";
export { defaultOpenAiEmbeddingModel, openAiCompatibleEmbedder } from "./openai-compatible.ts";

export const lexicalEmbedder: Embedder = {
  kind: "lexical",
  model: lexicalModel,
  embed: (texts) => Promise.resolve(texts.map((text) => lexicalEmbedding(text))),
};

interface SupabaseAiSession {
  run(input: string, options: { mean_pool: boolean; normalize: boolean }): Promise<number[]>;
}
interface SupabaseAi {
  Session: new (model: string) => SupabaseAiSession;
}

/** gte-small inside the hosted edge runtime; refuses where the runtime has no AI session. */
export function gteSmallEmbedder(): Embedder {
  const ai = (globalThis as { Supabase?: { ai?: SupabaseAi } }).Supabase?.ai;
  if (!ai) throw new EmbeddingError("embedding_unavailable", "gte-small runs only in Supabase's hosted edge runtime");
  const session = new ai.Session("gte-small");
  return {
    kind: "gte_small",
    model: "gte-small",
    async embed(texts) {
      const vectors: number[][] = [];
      for (const text of texts) vectors.push(await session.run(text, { mean_pool: true, normalize: true }));
      return vectors;
    },
  };
}

export interface KnowledgeBaseEmbedding {
  embedder: "lexical" | "openai_compatible" | "gte_small";
  embedding_model: string;
}

/** The embedder a knowledge base records; openai_compatible needs the tenant's key. */
export function embedderFor(base: KnowledgeBaseEmbedding, openAi?: Omit<OpenAiEmbedderOptions, "model">): Embedder {
  switch (base.embedder) {
    case "lexical":
      return lexicalEmbedder;
    case "gte_small":
      return gteSmallEmbedder();
    case "openai_compatible":
      if (!openAi) throw new EmbeddingError("embedding_unavailable", "this knowledge base needs an OpenAI-compatible key");
      return openAiCompatibleEmbedder({ ...openAi, model: base.embedding_model });
  }
}
