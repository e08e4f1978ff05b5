// A knowledge base's embedder with the company key that pays for it. An openai_compatible base
// names a key (knowledge_bases.embedding_key_id) that the database hands out only while it is one
// an owner or admin shared with the company (private.decrypt_knowledge_base_key, service role,
// audited); an openai key goes to the platform's OpenAI address, an openai-compatible key only to
// the address it was stored for. Ingestion embeds chunks with it and every search path embeds the
// query with it, so both sides of a comparison live in one vector space.
import type { Sql } from "../db.ts";
import type { EgressFetch } from "../egress.ts";
import { withServiceTransaction } from "../user-transaction.ts";
import { type Embedder, EmbeddingError, toVectorLiteral } from "./embedder.ts";
import { embedderFor, type KnowledgeBaseEmbedding } from "./index.ts";

/** Where the platform's OpenAI is (OPENAI_BASE_URL) and how requests leave (the egress rules). */
export interface EmbeddingPlace {
  openAiBaseUrl: string;
  fetch?: EgressFetch;
}

export interface KnowledgeBaseKey {
  api_key: string;
  key_service: string;
  endpoint_url: string | null;
}

/** Who needs the key and why: named in the audit entry of its decryption. */
export interface KeyUse {
  purpose: string;
  causedBy: string | null;
}

/** The base's key in plaintext; EmbeddingError embedding_key_unavailable when it has no usable one. */
export async function decryptKnowledgeBaseKey(sql: Sql, baseId: string, use: KeyUse): Promise<KnowledgeBaseKey> {
  try {
    const [row] = await withServiceTransaction(sql, (tx) =>
      tx<KnowledgeBaseKey[]>`
        select api_key, key_service, endpoint_url from private.decrypt_knowledge_base_key(${baseId}, ${use.purpose}, ${use.causedBy}::uuid)`);
    return row;
  } catch (error) {
    if ((error as { constraint_name?: string }).constraint_name === "embedding_key_unavailable") {
      throw new EmbeddingError(
        "embedding_key_unavailable",
        "this knowledge base has no embedding key its company may use: an owner or admin must share one and it must be chosen for the base",
      );
    }
    throw error;
  }
}

/** The base's embedder; an openai_compatible one with its decrypted key, at the key's address. */
export async function knowledgeBaseEmbedder(sql: Sql, base: KnowledgeBaseEmbedding & { id: string }, use: KeyUse, place: EmbeddingPlace): Promise<Embedder> {
  if (base.embedder !== "openai_compatible") return embedderFor(base);
  const key = await decryptKnowledgeBaseKey(sql, base.id, use);
  const baseUrl = key.key_service === "openai" ? place.openAiBaseUrl : key.endpoint_url;
  if (!baseUrl) throw new EmbeddingError("embedding_key_unavailable", "this knowledge base's key has no address to send it to");
  return embedderFor(base, { apiKey: key.api_key, baseUrl, fetch: place.fetch });
}

export interface SearchedBase extends KnowledgeBaseEmbedding {
  id: string;
  embedding_key_id: string | null;
}

/**
 * The query's vector (pgvector's text form) for searching `bases` together: with their embedder
 * when they all embed alike — all lexical, or all OpenAI-compatible with one model and one key —
 * and null otherwise (search by words alone: their vectors live in different spaces). A key that
 * is unavailable or refused, or a server that fails, also gives null, so search still answers by
 * its words; `log` hears why.
 */
export async function queryEmbedding(
  sql: Sql,
  bases: readonly SearchedBase[],
  query: string,
  use: KeyUse,
  place: EmbeddingPlace,
  log: (entry: Record<string, unknown>) => void = () => {},
): Promise<string | null> {
  const [first] = bases;
  if (!first || query.trim() === "") return null;
  const alike = bases.every((base) =>
    base.embedder === first.embedder && base.embedding_model === first.embedding_model && base.embedding_key_id === first.embedding_key_id
  );
  if (!alike) return null;
  try {
    const embedder = await knowledgeBaseEmbedder(sql, first, use, place);
    const [vector] = await embedder.embed([query]);
    return toVectorLiteral(vector);
  } catch (error) {
    if (!(error instanceof EmbeddingError)) throw error;
    log({ level: "warn", msg: "search by words alone: the query could not be embedded", knowledge_base_id: first.id, code: error.code, reason: error.message });
    return null;
  }
}
