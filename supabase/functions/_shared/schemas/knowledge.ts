// Knowledge bases and their documents: /knowledge-bases and /documents.
import { z } from "zod";
import { httpUrl, list, longText, storableString, text, timestamp, uuid } from "./common.ts";
import { Constants } from "../database.types.ts";

export const knowledgeLanguage = z.enum(Constants.public.Enums.knowledge_language);
export const knowledgeEmbedder = z.enum(Constants.public.Enums.knowledge_embedder);

export const knowledgeBase = z.object({
  id: z.string(),
  tenant_id: z.string(),
  name: z.string(),
  description: z.string(),
  language: knowledgeLanguage,
  embedder: knowledgeEmbedder,
  embedding_model: z.string(),
  /** The company key an openai_compatible base embeds with (null for the others, or when its key went away). */
  embedding_key_id: z.string().nullable(),
  embedding_dimension: z.number(),
  chunk_size: z.number(),
  chunk_overlap: z.number(),
  split_by_headings: z.boolean(),
  document_count: z.number(),
  created_by: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type KnowledgeBase = z.infer<typeof knowledgeBase>;
export const knowledgeBaseList = list(knowledgeBase);
export type KnowledgeBaseList = z.infer<typeof knowledgeBaseList>;

const chunking = {
  chunk_size: z.int({ error: "Must be a whole number." }).min(100, { error: "Must be at least 100." }).max(8000, { error: "Must be at most 8000." }),
  chunk_overlap: z.int({ error: "Must be a whole number." }).min(0, { error: "Must not be negative." }).max(7999, { error: "Must be at most 7999." }),
  split_by_headings: z.boolean(),
};

const overlapBelowSize = (body: { chunk_size?: number; chunk_overlap?: number }) =>
  body.chunk_size === undefined || body.chunk_overlap === undefined || body.chunk_overlap < body.chunk_size;
const overlapIssue = { error: "Must be smaller than chunk_size.", path: ["chunk_overlap"] };

export const createKnowledgeBaseBody = z.strictObject({
  name: text(200),
  description: longText(2000).optional(),
  language: knowledgeLanguage.optional(),
  // The keyless lexical embedder by default; gte_small on hosted Supabase; openai_compatible with a
  // key an owner or admin shared with the company (embedding_key_id; the database checks whose).
  embedder: z.enum(["lexical", "gte_small", "openai_compatible"]).optional(),
  embedding_key_id: uuid().optional(),
  chunk_size: chunking.chunk_size.optional(),
  chunk_overlap: chunking.chunk_overlap.optional(),
  split_by_headings: chunking.split_by_headings.optional(),
}).refine(overlapBelowSize, overlapIssue)
  .refine((body) => body.embedder !== "openai_compatible" || body.embedding_key_id !== undefined, {
    error: "An openai_compatible knowledge base needs the key it embeds with.",
    path: ["embedding_key_id"],
  })
  .refine((body) => body.embedder === "openai_compatible" || body.embedding_key_id === undefined, {
    error: "Only an openai_compatible knowledge base takes an embedding key.",
    path: ["embedding_key_id"],
  });

export const updateKnowledgeBaseBody = z.strictObject({
  name: text(200).optional(),
  description: longText(2000).optional(),
  // Another embedder re-embeds every document (the database queues it with the change); switching
  // to openai_compatible needs embedding_key_id, leaving it lets the key go.
  embedder: z.enum(["lexical", "gte_small", "openai_compatible"]).optional(),
  // Another shared key for the same model: no re-embedding.
  embedding_key_id: uuid().optional(),
  chunk_size: chunking.chunk_size.optional(),
  chunk_overlap: chunking.chunk_overlap.optional(),
  split_by_headings: chunking.split_by_headings.optional(),
}).refine(overlapBelowSize, overlapIssue)
  .refine((body) => body.embedder === undefined || body.embedder === "openai_compatible" || body.embedding_key_id === undefined, {
    error: "Only an openai_compatible knowledge base takes an embedding key.",
    path: ["embedding_key_id"],
  });

export const knowledgeBaseParams = z.strictObject({ id: uuid() });

export const searchBody = z.strictObject({
  query: text(2000),
  top_k: z.int({ error: "Must be a whole number." }).min(1, { error: "Must be at least 1." }).max(20, { error: "Must be at most 20." }).optional(),
  min_score: z.number().min(0, { error: "Must be between 0 and 1." }).max(1, { error: "Must be between 0 and 1." }).optional(),
  vector_weight: z.number().min(0, { error: "Must be between 0 and 1." }).max(1, { error: "Must be between 0 and 1." }).optional(),
});

export const searchResult = z.object({
  chunk_id: z.string(),
  document_id: z.string(),
  document_title: z.string(),
  version: z.number(),
  chunk_index: z.number(),
  content: z.string(),
  heading_path: z.array(z.string()),
  page: z.number().nullable(),
  vector_score: z.number(),
  text_score: z.number(),
  score: z.number(),
  snippet: z.string(),
});
export type SearchResult = z.infer<typeof searchResult>;
export const searchResultList = list(searchResult);
export type SearchResultList = z.infer<typeof searchResultList>;

// ─── documents ───────────────────────────────────────────────────────────────────────────────
export const documentStatus = z.enum(Constants.public.Enums.document_status);

export const knowledgeDocument = z.object({
  id: z.string(),
  tenant_id: z.string(),
  knowledge_base_id: z.string(),
  title: z.string(),
  source: z.enum(Constants.public.Enums.document_source),
  source_url: z.string().nullable(),
  file_name: z.string().nullable(),
  mime_type: z.string().nullable(),
  size_bytes: z.number().nullable(),
  status: documentStatus,
  failure_code: z.string().nullable(),
  failure_reason: z.string().nullable(),
  current_version: z.number().nullable(),
  latest_version: z.number(),
  chunk_count: z.number(),
  status_changed_at: timestamp(),
  created_by: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type KnowledgeDocument = z.infer<typeof knowledgeDocument>;
export const knowledgeDocumentList = list(knowledgeDocument);
export type KnowledgeDocumentList = z.infer<typeof knowledgeDocumentList>;

export const documentVersion = z.object({
  version: z.number(),
  change: z.enum(Constants.public.Enums.document_change),
  storage_path: z.string().nullable(),
  size_bytes: z.number().nullable(),
  note: z.string(),
  created_by: z.string().nullable(),
  created_at: timestamp(),
});
export type DocumentVersion = z.infer<typeof documentVersion>;

/** A document with its versions, newest first; an upload also says where its next file goes. */
export const documentDetail = z.object({
  document: knowledgeDocument,
  versions: z.array(documentVersion),
  /** For uploads: the Storage path (bucket `documents`) the next version's file is uploaded to. */
  next_upload_path: z.string().nullable(),
});
export type DocumentDetail = z.infer<typeof documentDetail>;

/** A file name as Storage and the documents table keep it: no slashes, no control characters. */
const fileName = () =>
  text(255).refine((name) => !/[/\\\p{Cc}]/u.test(name), { error: "Must be a file name, without slashes or control characters." });
const mimeType = () => z.enum(["text/plain", "text/markdown", "text/html", "text/csv"], { error: "Must be text/plain, text/markdown, text/html or text/csv." });

const documentCommon = { knowledge_base_id: uuid(), title: text(500) };

export const createDocumentBody = z.discriminatedUnion("source", [
  z.strictObject({ source: z.literal("text"), ...documentCommon, text: storableString().trim().min(1, { error: "Must not be empty." }).max(2_000_000, { error: "Must have at most 2000000 characters." }) }),
  z.strictObject({ source: z.literal("url"), ...documentCommon, url: httpUrl() }),
  z.strictObject({
    source: z.literal("upload"),
    ...documentCommon,
    file_name: fileName(),
    mime_type: mimeType(),
    size_bytes: z.int({ error: "Must be a whole number." }).min(1, { error: "Must be at least 1." }).max(20 * 1024 * 1024, { error: "Must be at most 20971520 (20 MiB)." }),
  }),
], { error: "source must be text, url or upload." });

/** A new version: the uploaded file's path (uploads), new text (pasted text), nothing (a URL is fetched again). */
export const addVersionBody = z.strictObject({
  storage_path: z.string().max(1024).optional(),
  text: storableString().trim().min(1, { error: "Must not be empty." }).max(2_000_000, { error: "Must have at most 2000000 characters." }).optional(),
  note: longText(1000).optional(),
});

export const documentParams = z.strictObject({ id: uuid() });
export const documentListQuery = z.strictObject({ knowledge_base_id: uuid() });
