// One document through ingestion: read its text, cut it by its base's settings, embed the chunks in
// batches (renewing the lease between them), and hand them to the database in one call — or record
// why not, with a code. The previous version stays searchable until the new one is written whole.
import { type Embedder, EmbeddingError } from "../_shared/embeddings/index.ts";
import { chunkText } from "./chunker.ts";
import { IngestFailure } from "./ingest-failure.ts";
import type { IngestJob, IngestStore, StoredChunk } from "./ingest-store.ts";
import { readDocumentText, type SourceReaders } from "./sources.ts";

export interface JobContext {
  store: IngestStore;
  worker: string;
  readers: SourceReaders;
  leaseSeconds: number;
  embedBatchSize: number;
  /** The embedder a base records (tests may give another). */
  embedderFor?: (job: IngestJob) => Embedder;
  log: (entry: Record<string, unknown>) => void;
}

export type JobOutcome = "ready" | "retrying" | "failed" | "superseded";

/** What the embedder sees: the headings above the chunk, then the chunk. */
const embeddingInput = (chunk: { content: string; headingPath: string[] }) =>
  chunk.headingPath.length > 0 ? `${chunk.headingPath.join(" › ")}\n${chunk.content}` : chunk.content;

function failureOf(error: unknown): IngestFailure {
  if (error instanceof IngestFailure) return error;
  if (error instanceof EmbeddingError) return new IngestFailure(error.code, error.message, error.retryable);
  return new IngestFailure("ingest_failed", "ingestion failed unexpectedly", true);
}

class LeaseLost extends Error {}

export async function runIngestJob(job: IngestJob, context: JobContext): Promise<JobOutcome> {
  try {
    const parts = await readDocumentText(job, context.readers);
    // A PDF is cut page by page, so each chunk names the page it comes from.
    const pieces = parts.flatMap((part) =>
      chunkText(part.text, { size: job.chunk_size, overlap: job.chunk_overlap, splitByHeadings: job.split_by_headings })
        .map((piece) => ({ ...piece, page: part.page }))
    );
    if (pieces.length === 0) throw new IngestFailure("document_empty", "the document has no text to search");
    const embedder = context.embedderFor?.(job) ?? await context.store.embedder(job);
    const chunks: StoredChunk[] = [];
    for (let start = 0; start < pieces.length; start += context.embedBatchSize) {
      const batch = pieces.slice(start, start + context.embedBatchSize);
      const vectors = await embedder.embed(batch.map(embeddingInput));
      batch.forEach((piece, index) =>
        chunks.push({ content: piece.content, heading_path: piece.headingPath, page: piece.page, token_count: piece.tokenCount, embedding: vectors[index] })
      );
      if (start + context.embedBatchSize < pieces.length && !(await context.store.renew(job, context.worker, context.leaseSeconds))) {
        throw new LeaseLost();
      }
    }
    await context.store.finish(job, context.worker, chunks);
    context.log({ level: "info", msg: "document ingested", document_id: job.document_id, version: job.version, chunks: chunks.length });
    return "ready";
  } catch (error) {
    if (error instanceof LeaseLost || (error as { constraint_name?: string }).constraint_name === "ingest_lease_lost") return "superseded";
    const failure = failureOf(error);
    if (failure.code === "ingest_failed") context.log({ level: "error", msg: "ingest job failed", document_id: job.document_id, error: String(error) });
    const outcome = await context.store.fail(job, context.worker, failure.code, failure.message, failure.retryable);
    context.log({ level: "info", msg: "document not ingested", document_id: job.document_id, code: failure.code, outcome });
    return outcome as JobOutcome;
  }
}
