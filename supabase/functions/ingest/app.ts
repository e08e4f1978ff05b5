import type { Sql } from "../_shared/db.ts";
import type { Embedder } from "../_shared/embeddings/index.ts";
import type { EmbeddingPlace } from "../_shared/embeddings/knowledge-base-embedder.ts";
import { createFunctionApp } from "../_shared/function-app.ts";
import type { LogSink } from "../_shared/request-log.ts";
import { requireServiceKey } from "../_shared/service-key.ts";
import { runIngestJob } from "./ingest-job.ts";
import { type IngestJob, IngestStore } from "./ingest-store.ts";
import type { SourceReaders } from "./sources.ts";

export interface IngestDependencies {
  sql: Sql;
  serviceKeys: string[];
  readers: SourceReaders;
  logSink?: LogSink;
  /** Keeps the pass running after the 202 (EdgeRuntime.waitUntil in production). */
  background: (work: Promise<unknown>) => void;
  /** Invokes this function again when a pass ran out of time with work left. */
  invokeSelf: () => Promise<void>;
  embedderFor?: (job: IngestJob) => Embedder;
  /** Where an OpenAI-compatible base's embeddings are asked for (OPENAI_BASE_URL, the egress rules). */
  embeddings: EmbeddingPlace;
  settings?: Partial<typeof defaultIngestSettings>;
}

// Well inside a function's wall clock (150 s on the free plan); a lease outlives a batch of
// embeddings by far, and is renewed between batches.
export const defaultIngestSettings = {
  jobsAtOnce: 4,
  leaseSeconds: 120,
  embedBatchSize: 64,
  budgetMs: 100_000,
};

/**
 * The `ingest` function: POST /ingest/run (service keys only) answers 202 at once and, in the
 * background, claims documents and ingests them, a few at a time, until none is left or its time
 * is up (then it calls itself). The database calls it through pg_net when versions are added, and
 * its pg_cron sweep when a document waits with nobody on it. A call while a pass is running asks
 * that pass to look again instead of starting another.
 */
export function buildIngestApp(dependencies: IngestDependencies) {
  const app = createFunctionApp({ basePath: "/ingest", webOrigins: [], logSink: dependencies.logSink });
  const store = new IngestStore(dependencies.sql, dependencies.embeddings);
  const settings = { ...defaultIngestSettings, ...dependencies.settings };
  let running: { worker: string; lookAgain: boolean } | null = null;

  async function pass(state: { worker: string; lookAgain: boolean }) {
    const log = (entry: Record<string, unknown>) => console.log(JSON.stringify({ worker: state.worker, ...entry }));
    const context = { store, worker: state.worker, readers: dependencies.readers, leaseSeconds: settings.leaseSeconds, embedBatchSize: settings.embedBatchSize, embedderFor: dependencies.embedderFor, log };
    const deadline = Date.now() + settings.budgetMs;
    for (;;) {
      if (Date.now() > deadline) {
        await dependencies.invokeSelf().catch((error) => log({ level: "error", msg: "hand-over failed", error: String(error) }));
        return;
      }
      state.lookAgain = false;
      const jobs = await store.claim(state.worker, settings.jobsAtOnce, settings.leaseSeconds);
      if (jobs.length === 0 && !state.lookAgain) return;
      await Promise.all(jobs.map((job) => runIngestJob(job, context)));
    }
  }

  app.post("/run", requireServiceKey(dependencies.serviceKeys), (c) => {
    if (running) {
      running.lookAgain = true;
      return c.json({ worker: running.worker, status: "woken" }, 202);
    }
    const state = { worker: `ingest:${crypto.randomUUID()}`, lookAgain: false };
    running = state;
    const work = pass(state)
      .catch((error) => console.log(JSON.stringify({ worker: state.worker, level: "error", msg: "ingest pass failed", error: String(error) })))
      .finally(() => {
        running = null;
      });
    dependencies.background(work);
    return c.json({ worker: state.worker, status: "started" }, 202);
  });

  return app;
}
