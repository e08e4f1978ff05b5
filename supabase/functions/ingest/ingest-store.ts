// The ingest function's SQL: the queue functions of 20261122002020_knowledge_ingest.sql, called as
// the database owner (the service side).
import type { Sql } from "../_shared/db.ts";
import type { Embedder } from "../_shared/embeddings/index.ts";
import { type EmbeddingPlace, knowledgeBaseEmbedder } from "../_shared/embeddings/knowledge-base-embedder.ts";
import type { DocumentSource } from "./sources.ts";

export interface IngestJob extends DocumentSource {
  document_id: string;
  tenant_id: string;
  knowledge_base_id: string;
  version: number;
  attempt: number;
  language: string;
  embedder: "lexical" | "openai_compatible" | "gte_small";
  embedding_model: string;
  chunk_size: number;
  chunk_overlap: number;
  split_by_headings: boolean;
}

export interface StoredChunk {
  content: string;
  heading_path: string[];
  /** The PDF page the chunk comes from (from 1); absent for other formats. */
  page?: number;
  token_count: number;
  embedding: number[];
}

export class IngestStore {
  constructor(private readonly sql: Sql, private readonly place: EmbeddingPlace) {}

  /** The base's embedder; an OpenAI-compatible base's key is decrypted in the name of the version's author. */
  async embedder(job: IngestJob): Promise<Embedder> {
    const [version] = await this.sql<{ created_by: string | null }[]>`
      select created_by from public.document_versions where document_id = ${job.document_id} and version = ${job.version}`;
    return await knowledgeBaseEmbedder(
      this.sql,
      { id: job.knowledge_base_id, embedder: job.embedder, embedding_model: job.embedding_model },
      { purpose: `ingest document ${job.document_id} version ${job.version}`, causedBy: version?.created_by ?? null },
      this.place,
    );
  }

  claim(worker: string, maxJobs: number, leaseSeconds: number): Promise<IngestJob[]> {
    return this.sql<IngestJob[]>`select * from private.claim_ingest_jobs(${worker}, ${maxJobs}, ${leaseSeconds})`;
  }

  async renew(job: IngestJob, worker: string, leaseSeconds: number): Promise<boolean> {
    const [{ held }] = await this.sql<{ held: boolean }[]>`
      select private.renew_ingest_lease(${job.document_id}, ${worker}, ${job.version}, ${leaseSeconds}) as held`;
    return held;
  }

  async finish(job: IngestJob, worker: string, chunks: StoredChunk[]): Promise<number> {
    const [{ written }] = await this.sql<{ written: number }[]>`
      select private.finish_ingest_job(${job.document_id}, ${worker}, ${job.version}, ${this.sql.json(chunks as never)}) as written`;
    return written;
  }

  async fail(job: IngestJob, worker: string, code: string, reason: string, retryable: boolean): Promise<string> {
    const [{ outcome }] = await this.sql<{ outcome: string }[]>`
      select private.fail_ingest_job(${job.document_id}, ${worker}, ${job.version}, ${code}, ${reason}, ${retryable}) as outcome`;
    return outcome;
  }
}
