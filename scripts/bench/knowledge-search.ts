// Knowledge search and ingestion on one stack: one company with (default) 20,000 chunks of 384
// dimensions, up to the issue's 250,000 (`--chunks 250000`).
//
// Ingestion: the first `--ingest-chunks` (default: all, at most 20,000) are written the way the
// ingest function writes them — the real chunker, the lexical embedder, public.replace_document_chunks
// per document, the HNSW and GIN indexes kept up to date — which gives ingestion throughput in chunks
// per second. The rest are generated in SQL (one INSERT … SELECT, the HNSW index dropped and built
// again afterwards, as a bulk load is done), so 250,000 take minutes: vectors clustered like real
// embeddings (one of 1,000 random centres plus two of 5,000 random offsets), text from the same
// vocabulary.
//
// Vector query at recall@10: 100 query vectors from the same distribution, their exact top 10 by a
// sequential scan, then hnsw.ef_search raised until the HNSW top 10 finds ≥ 0.99 of them (each
// value's recall printed, the chosen one too); QPS and p50/p95 of that query at that ef_search from
// `--concurrency` clients (the issue's target: ≥ 600 QPS, p95 < 20 ms).
//
// Then the same word queries from the same clients in the same process:
//   baseline    the vector-only nearest 5 by HNSW as the database owner (no RLS, no text part);
//   top 50      the same at search_knowledge's own ef_search (100) and candidate count (50): its
//               vector half's index work alone;
//   unbounded   the text half as it was before #14 — every chunk with any of the query's words
//               ranked by ts_rank_cd, best 50 — as the member under RLS (up to 50,000 chunks: above,
//               one query takes seconds);
//   vector      public.search_knowledge with only the query's embedding (top 5),
//   text        public.search_knowledge with only the query's text,
//   hybrid      public.search_knowledge with both (HNSW at its own ef_search of 100 + tiered full
//               text, weighted fusion), each as the company's member in a transaction as
//               `authenticated` with their claims (RLS applies, as the API runs it);
//   before      text only and hybrid again with search_knowledge as 20261122002070 defined it
//               (before 20261122007500: its text tiers ran under RLS, where `@@` cannot use the GIN
//               index), installed for the run as public.bench_search_knowledge_before from that
//               migration's own text and dropped at the end; each client alternates it with the
//               current one on the same queries, so both are timed at the same load (ratios printed).
//   planned     hybrid and vector only again, each client alternating the current search_knowledge
//               (every call planned for its arguments, 20261122008500) with a copy that plpgsql
//               plans its default way (a generic plan may be kept after five calls on a connection):
//               what planning every call costs, and how many answers the cached plan changed.
// The vocabulary is small (~100 words), so every query word is in most chunks: the worst case for
// the text half. Printed: p50/p95 of each statement, throughput, the ratios, and the load.
//
// `--index-variants` measures, instead of the word queries, smaller indexes for the same vector
// query on the same base: each variant's index built for the run (size and build time printed),
// the smallest setting whose top 10 finds ≥ 0.99 of the same exact top 10, then its query timed
// alternating with the full-precision one at its chosen ef_search from the same clients (each
// client holds one connection per variant, each session at its own setting; ratios printed), and
// the index dropped. Variants (all, or those named: `--index-variants halfvec,binary`):
//   halfvec         HNSW on embedding::halfvec(384) (halfvec_cosine_ops), its top 10; ef_search raised;
//   halfvec-rerank  the same index, its best 40 re-ranked by full-precision cosine distance;
//   binary          HNSW on binary_quantize(embedding)::bit(384) (bit_hamming_ops), the best N by
//                   Hamming distance re-ranked by full-precision cosine distance; N (= ef_search) raised.
// All are unfiltered top 10s as the owner, like the recall measure above.
//   npx tsx scripts/bench/knowledge-search.ts --instance work3 [--chunks 20000] [--ingest-chunks 20000]
//                                             [--requests 1000] [--concurrency 8]
//                                             [--index-variants [halfvec,halfvec-rerank,binary]]
// The stack must be running; the bench removes its company at the end (and leaves the HNSW index as
// the migration made it).
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { lexicalEmbedder, lexicalEmbedding, toVectorLiteral } from "../../supabase/functions/_shared/embeddings/index.ts";
import { withUserTransaction } from "../../supabase/functions/_shared/user-transaction.ts";
import { chunkText } from "../../supabase/functions/ingest/chunker.ts";
import { dbUrl, type InstanceName, stackInstance } from "../stack/instances.ts";
import { flag, line, machineLoad, option, say, summarize } from "./engine-bench-support.ts";

const instance = stackInstance(option("--instance", "bench") as InstanceName);
const totalChunks = Number(option("--chunks", "20000"));
const chunkTarget = Math.min(totalChunks, Number(option("--ingest-chunks", String(Math.min(totalChunks, 20_000)))));
const recallQueries = 100;
const targetRecall = 0.99;
const efSearchSteps = [10, 20, 40, 60, 80, 100, 150, 200, 300, 400, 600, 800];
const requests = Number(option("--requests", "1000"));
const concurrency = Number(option("--concurrency", "8"));
// --index-variants [halfvec,halfvec-rerank,binary]: all three unless named.
const indexVariants = flag("--index-variants");
const variantNames = option("--index-variants", "");
const chunksPerDocument = 50;

// A deterministic vocabulary of Portuguese office words, and sentences drawn from it.
const vocabulary = (
  "férias salário reembolso contrato viagem nota fiscal benefício plano saúde dental vale refeição transporte " +
  "horário escritório reunião cliente fornecedor pagamento boleto fatura imposto desconto política segurança senha " +
  "acesso sistema cadastro documento assinatura diretor gerente equipe projeto prazo entrega relatório auditoria " +
  "treinamento onboarding desligamento admissão exame médico licença maternidade paternidade home office estoque " +
  "produto venda compra devolução garantia suporte chamado atendimento reclamação elogio meta bônus comissão"
).split(" ");
let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const word = () => vocabulary[Math.floor(random() * vocabulary.length)];
const sentence = (words: number) => Array.from({ length: words }, word).join(" ") + ".";

// Two connections per client with --index-variants (one per variant, each at its own ef_search).
const sql = postgres(dbUrl(instance), { max: concurrency * 2 + 1, prepare: false, onnotice: () => {} });
const slug = `bench-knowledge-${Date.now().toString(36)}`;

async function seedCompany(): Promise<{ userId: string; tenantId: string; baseId: string }> {
  const [{ id: userId }] = await sql<{ id: string }[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', ${`${slug}@example.test`}, '', now(),
            '{"provider":"email","providers":["email"]}', '{}', now(), now())
    returning id`;
  const [{ id: tenantId }] = await sql<{ id: string }[]>`
    insert into public.tenants (name, slug, plan, created_by) values ('Bench knowledge', ${slug}, 'enterprise', ${userId}) returning id`;
  await sql`insert into public.memberships (tenant_id, user_id, role) values (${tenantId}, ${userId}, 'member')`;
  const [{ id: baseId }] = await sql<{ id: string }[]>`
    insert into public.knowledge_bases (tenant_id, name) values (${tenantId}, 'Bench') returning id`;
  return { userId, tenantId, baseId };
}

/** Writes documents as the ingest function does; answers the chunks written and the seconds taken. */
async function ingest(baseId: string): Promise<{ chunks: number; seconds: number }> {
  let written = 0;
  const started = performance.now();
  for (let document = 0; written < chunkTarget; document++) {
    // ~1,500 characters per chunk at the base's defaults: paragraphs of about 6 sentences.
    const text = Array.from({ length: chunksPerDocument }, (_, section) =>
      `## Seção ${section + 1}\n\n${Array.from({ length: 3 }, () => Array.from({ length: 6 }, () => sentence(12)).join(" ")).join("\n\n")}`).join("\n\n");
    const pieces = chunkText(text, { size: 1500, overlap: 150, splitByHeadings: true });
    const vectors = await lexicalEmbedder.embed(pieces.map((piece) => `${piece.headingPath.join(" › ")}\n${piece.content}`));
    const chunks = pieces.map((piece, index) => ({ content: piece.content, heading_path: piece.headingPath, token_count: piece.tokenCount, embedding: vectors[index] }));
    // One transaction: the ingest function, woken by the new version after commit, finds the document ready.
    written += await sql.begin(async (tx) => {
      const [{ id }] = await tx<{ id: string }[]>`
        insert into public.documents (knowledge_base_id, title, source) values (${baseId}, ${`Documento ${document + 1}`}, 'text') returning id`;
      await tx`insert into public.document_versions (document_id, pasted_text) values (${id}, ${text})`;
      await tx`update public.documents set status = 'processing' where id = ${id}`;
      const [{ count }] = await tx<{ count: number }[]>`select public.replace_document_chunks(${id}, 1, ${tx.json(chunks as never)}) as count`;
      return count;
    }) as number;
  }
  return { chunks: written, seconds: (performance.now() - started) / 1000 };
}

const hnswIndex = "create index if not exists document_chunks_embedding_idx on public.document_chunks using hnsw (embedding extensions.vector_cosine_ops)";

/**
 * Generates `count` more chunks in SQL, as a bulk load is done: the HNSW index dropped, one INSERT …
 * SELECT (vectors: one of 1,000 random centres plus two of 5,000 random offsets; text: 12 words of
 * the vocabulary), the index built again. Answers the seconds each part took and 1,000 query
 * vectors from the same distribution (the centres and offsets live in this session only).
 */
async function bulkFill(company: { tenantId: string; baseId: string }, count: number) {
  const session = await sql.reserve();
  try {
    const started = performance.now();
    await session`drop index if exists public.document_chunks_embedding_idx`;
    const randomVector = (scale: number, of: string) =>
      session.unsafe(`array(select ((random() - 0.5) * ${scale} + 0 * ${of})::real from generate_series(1, 384))::extensions.vector(384)`);
    await session`create temporary table bench_centres as select c, ${randomVector(1, "c")} as v from generate_series(1, 1000) c`;
    await session`create temporary table bench_offsets as select o, ${randomVector(0.5, "o")} as v from generate_series(1, 5000) o`;
    const words = session.unsafe(Array.from({ length: 12 }, () => "vocab.w[1 + floor(random() * vocab.n)::int]").join(" || ' ' || "));
    // One transaction (a reserved connection has no sql.begin): the ingest function, woken by the
    // new versions after commit, finds the documents ready.
    await session`begin`;
    try {
      const documents = Math.ceil(count / 1000);
      const ids = (await session<{ id: string }[]>`
        insert into public.documents (knowledge_base_id, title, source)
        select ${company.baseId}, 'Gerado ' || d, 'text' from generate_series(1, ${documents}) d returning id`).map((row) => row.id);
      await session`insert into public.document_versions (document_id, pasted_text) select unnest(${ids}::uuid[]), 'gerado'`;
      await session`update public.documents set status = 'processing' where id = any (${ids}::uuid[])`;
      await session`
        with vocab as (select ${vocabulary}::text[] as w, ${vocabulary.length}::int as n),
             picks as (select g, 1 + floor(random() * 1000)::int as c, 1 + floor(random() * 5000)::int as o1, 1 + floor(random() * 5000)::int as o2
                       from generate_series(0, ${count - 1}) g)
        insert into public.document_chunks (tenant_id, knowledge_base_id, document_id, version, chunk_index, content, heading_path, token_count, embedding, text_search_config,
                                            embedder)
        select ${company.tenantId}, ${company.baseId}, (${ids}::uuid[])[1 + p.g / 1000], 1, p.g % 1000, ${words},
               array['Seção ' || (p.g % 50 + 1)], 12, c.v + o1.v + o2.v, 'portuguese'::regconfig,
               (select kb.embedder from public.knowledge_bases kb where kb.id = ${company.baseId})
        from picks p cross join vocab
        join bench_centres c on c.c = p.c join bench_offsets o1 on o1.o = p.o1 join bench_offsets o2 on o2.o = p.o2`;
      await session`
        update public.documents d set status = 'ready', current_version = 1,
          chunk_count = (select count(*) from public.document_chunks c where c.document_id = d.id)
        where d.id = any (${ids}::uuid[])`;
      await session`commit`;
    } catch (error) {
      await session`rollback`;
      throw error;
    }
    const inserted = (performance.now() - started) / 1000;
    say(`generated ${count} chunks in SQL in ${inserted.toFixed(1)} s; building the HNSW index`);
    const indexStarted = performance.now();
    await session`set maintenance_work_mem = '1GB'`;
    await session.unsafe(hnswIndex);
    const indexed = (performance.now() - indexStarted) / 1000;
    const queryVectors = (await session<{ v: string }[]>`
      select (c.v + o1.v + o2.v)::text as v
      from (select 1 + floor(random() * 1000)::int as c, 1 + floor(random() * 5000)::int as o1, 1 + floor(random() * 5000)::int as o2
            from generate_series(1, 1000)) p
      join bench_centres c on c.c = p.c join bench_offsets o1 on o1.o = p.o1 join bench_offsets o2 on o2.o = p.o2`).map((row) => row.v);
    return { inserted, indexed, queryVectors };
  } finally {
    // Whatever happened, the index is as the migration made it.
    await session.unsafe(hnswIndex).catch(() => undefined);
    session.release();
  }
}

/** The nearest 10 by the vector alone, as the owner with no filter (HNSW, or exact where the session disabled index scans). */
async function nearestTen(session: postgres.ReservedSql, vector: string): Promise<string[]> {
  return (await session<{ id: string }[]>`select id from public.document_chunks order by embedding operator(extensions.<=>) ${vector}::extensions.vector limit 10`)
    .map((row) => row.id);
}

/** The exact top 10 of the first 100 query vectors: a sequential scan and a sort, no index. */
async function exactTopTen(queryVectors: string[]): Promise<Set<string>[]> {
  const session = await sql.reserve();
  try {
    const started = performance.now();
    const truth: Set<string>[] = [];
    await session`set enable_indexscan = off`;
    await session`set enable_bitmapscan = off`;
    for (const vector of queryVectors.slice(0, recallQueries)) truth.push(new Set(await nearestTen(session, vector)));
    await session`reset enable_indexscan`;
    await session`reset enable_bitmapscan`;
    say(`exact top 10 of ${truth.length} queries by sequential scan in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return truth;
  } finally {
    session.release();
  }
}

/**
 * The smallest hnsw.ef_search whose top 10 finds ≥ 0.99 of the exact top 10 over the first 100
 * query vectors (each step's recall printed), then QPS and p50/p95 of the vector query at it.
 */
async function vectorAtRecall(queryVectors: string[], truth: Set<string>[]) {
  const session = await sql.reserve();
  let chosen: { efSearch: number; recall: number } | null = null;
  const recalls: string[] = [];
  try {
    const probes = queryVectors.slice(0, recallQueries);
    for (const efSearch of efSearchSteps) {
      await session.unsafe(`set hnsw.ef_search = ${efSearch}`);
      let found = 0;
      for (const [index, vector] of probes.entries()) {
        found += (await nearestTen(session, vector)).filter((id) => truth[index].has(id)).length;
      }
      const recall = found / (probes.length * 10);
      recalls.push(`ef_search ${efSearch}: recall@10 ${recall.toFixed(4)}`);
      say(recalls.at(-1)!);
      if (recall >= targetRecall) {
        chosen = { efSearch, recall };
        break;
      }
    }
  } finally {
    await session`reset hnsw.ef_search`.catch(() => undefined);
    session.release();
  }
  if (!chosen) return { chosen, recalls, result: null };
  // Each client on its own connection at the chosen ef_search, the 1,000 vectors round-robin.
  const clients = await Promise.all(Array.from({ length: concurrency }, () => sql.reserve()));
  try {
    for (const client of clients) await client.unsafe(`set hnsw.ef_search = ${chosen.efSearch}`);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(clients.map(async (client) => {
      while (next < requests) {
        const vector = queryVectors[next++ % queryVectors.length];
        const queryStarted = performance.now();
        const rows = await nearestTen(client, vector);
        latencies.push(performance.now() - queryStarted);
        if (rows.length !== 10) throw new Error("the vector query found fewer than 10 chunks");
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    return { chosen, recalls, result: { summary: summarize(latencies), perSecond: latencies.length / seconds } };
  } finally {
    // Back to the pool as they came: the later measures run at their own (default) ef_search.
    for (const client of clients) {
      await client`reset hnsw.ef_search`.catch(() => undefined);
      client.release();
    }
  }
}

/**
 * One way of answering the vector query's top 10 from an index: `steps` are the values of its knob
 * (ef_search, or the candidates re-ranked) tried in order until recall@10 ≥ 0.99.
 */
interface IndexVariant {
  name: string;
  index: string;
  /** The index to build for the run; null for the migration's own. */
  create: string | null;
  knob: string;
  steps: number[];
  settings: (step: number) => string;
  topTen: (session: postgres.ReservedSql, vector: string, step: number) => Promise<string[]>;
}

const fullPrecision: IndexVariant = {
  name: "full precision (vector, the migration's index)",
  index: "document_chunks_embedding_idx",
  create: null,
  knob: "ef_search",
  steps: efSearchSteps,
  settings: (step) => `set hnsw.ef_search = ${step}`,
  topTen: (session, vector) => nearestTen(session, vector),
};

// Half precision: the same graph over 2-byte floats (an expression index; the query orders by the
// same expression so the planner uses it).
const halfPrecision: IndexVariant = {
  name: "halfvec(384), halfvec_cosine_ops",
  index: "bench_chunks_embedding_halfvec_idx",
  create: "create index bench_chunks_embedding_halfvec_idx on public.document_chunks using hnsw ((embedding::extensions.halfvec(384)) extensions.halfvec_cosine_ops)",
  knob: "ef_search",
  steps: efSearchSteps,
  settings: (step) => `set hnsw.ef_search = ${step}`,
  topTen: async (session, vector) => (await session<{ id: string }[]>`
    select id from public.document_chunks
    order by (embedding::extensions.halfvec(384)) operator(extensions.<=>) (${vector}::extensions.vector::extensions.halfvec(384))
    limit 10`).map((row) => row.id),
};

// Half precision with an exact re-rank: its graph's best 40 by halfvec distance, ordered again by
// the full-precision distance, so rounding cannot swap chunks at the top 10's edge.
const halfPrecisionReranked: IndexVariant = {
  ...halfPrecision,
  name: "halfvec(384), halfvec_cosine_ops + exact re-rank of 40",
  steps: efSearchSteps.filter((step) => step >= 40),
  topTen: async (session, vector) => (await session<{ id: string }[]>`
    select id from (
      select id, embedding from public.document_chunks
      order by (embedding::extensions.halfvec(384)) operator(extensions.<=>) (${vector}::extensions.vector::extensions.halfvec(384))
      limit 40
    ) candidates
    order by embedding operator(extensions.<=>) ${vector}::extensions.vector
    limit 10`).map((row) => row.id),
};

// Binary quantization: one bit per dimension (its sign), Hamming distance in the graph, then the
// best `step` candidates re-ranked by exact cosine distance. HNSW answers at most ef_search rows
// (without iterative scans), so ef_search is the candidate count (at least the default 40).
const binaryQuantized: IndexVariant = {
  name: "binary_quantize()::bit(384), bit_hamming_ops + exact re-rank",
  index: "bench_chunks_embedding_binary_idx",
  create: "create index bench_chunks_embedding_binary_idx on public.document_chunks using hnsw ((extensions.binary_quantize(embedding)::bit(384)) extensions.bit_hamming_ops)",
  knob: "candidates",
  steps: [40, 80, 100, 150, 200, 300, 400, 600, 800, 1000],
  settings: (step) => `set hnsw.ef_search = ${Math.max(step, 40)}`,
  topTen: async (session, vector, step) => (await session<{ id: string }[]>`
    select id from (
      select id, embedding from public.document_chunks
      order by (extensions.binary_quantize(embedding)::bit(384)) operator(extensions.<~>) extensions.binary_quantize(${vector}::extensions.vector)
      limit ${step}
    ) candidates
    order by embedding operator(extensions.<=>) ${vector}::extensions.vector
    limit 10`).map((row) => row.id),
};

const variantsByName: Record<string, IndexVariant> = { "halfvec": halfPrecision, "halfvec-rerank": halfPrecisionReranked, "binary": binaryQuantized };
const selectedVariants = variantNames === "" || variantNames.startsWith("--") ? Object.values(variantsByName)
  : variantNames.split(",").map((name) => variantsByName[name] ?? (() => { throw new Error(`unknown index variant ${name}: ${Object.keys(variantsByName).join(", ")}`); })());

/** The smallest step of the variant whose top 10 finds ≥ 0.99 of the exact top 10 (each step's recall). */
async function variantAtRecall(variant: IndexVariant, queryVectors: string[], truth: Set<string>[]) {
  const session = await sql.reserve();
  const recalls: string[] = [];
  try {
    for (const step of variant.steps) {
      await session.unsafe(variant.settings(step));
      let found = 0;
      for (const [index, vector] of queryVectors.slice(0, recallQueries).entries()) {
        found += (await variant.topTen(session, vector, step)).filter((id) => truth[index].has(id)).length;
      }
      const recall = found / (truth.length * 10);
      recalls.push(`${variant.knob} ${step}: ${recall.toFixed(4)}`);
      say(`${variant.name}: ${recalls.at(-1)}`);
      if (recall >= targetRecall) return { step, recall, recalls };
    }
    return { step: null, recall: null, recalls };
  } finally {
    await session`reset hnsw.ef_search`.catch(() => undefined);
    session.release();
  }
}

/**
 * The full-precision query and the variant's, each at its own chosen setting, every client
 * alternating them on the same vectors — each on its own connection, whose session holds that
 * setting — so both are timed at the same load. Throughput of each alone: its calls over the
 * client time they took, times the clients.
 */
async function timeAgainstFullPrecision(variant: IndexVariant, step: number, fullEfSearch: number, queryVectors: string[]) {
  const pairs = await Promise.all(Array.from({ length: concurrency }, async () => [await sql.reserve(), await sql.reserve()] as const));
  try {
    for (const [full, other] of pairs) {
      await full.unsafe(fullPrecision.settings(fullEfSearch));
      await other.unsafe(variant.settings(step));
    }
    const runs = [{ variant: fullPrecision, step: fullEfSearch }, { variant, step }];
    const latencies: [number[], number[]] = [[], []];
    const spent = [0, 0];
    let next = 0;
    await Promise.all(pairs.map(async (sessions, client) => {
      while (next < requests) {
        const vector = queryVectors[next++ % queryVectors.length];
        for (const which of client % 2 === 0 ? [0, 1] : [1, 0]) {
          const started = performance.now();
          const rows = await runs[which].variant.topTen(sessions[which], vector, runs[which].step);
          const elapsed = performance.now() - started;
          if (rows.length !== 10) throw new Error(`${runs[which].variant.name} found fewer than 10 chunks`);
          latencies[which].push(elapsed);
          spent[which] += elapsed;
        }
      }
    }));
    const [full, other] = [0, 1].map((which) => ({
      summary: summarize(latencies[which]), perSecond: latencies[which].length / (spent[which] / 1000 / concurrency),
    }));
    return { full, other, load: machineLoad() };
  } finally {
    for (const sessions of pairs) {
      for (const session of sessions) {
        await session`reset hnsw.ef_search`.catch(() => undefined);
        session.release();
      }
    }
  }
}

async function indexSize(index: string): Promise<string> {
  const [{ size }] = await sql<{ size: string }[]>`select pg_catalog.pg_size_pretty(pg_catalog.pg_relation_size(${`public.${index}`}::regclass)) as size`;
  return size;
}

/** --index-variants: builds each variant's index on the same base, finds its setting at recall, times it against full precision, drops it. */
async function compareIndexVariants(queryVectors: string[], truth: Set<string>[], fullEfSearch: number) {
  const lines = [`index ${fullPrecision.index} (${fullPrecision.name}): ${await indexSize(fullPrecision.index)}, ef_search ${fullEfSearch}`];
  for (const [position, variant] of selectedVariants.entries()) {
    const session = await sql.reserve();
    // The previous variant's index when they share it (halfvec, then halfvec re-ranked).
    const reused = selectedVariants[position - 1]?.index === variant.index;
    try {
      const started = performance.now();
      if (!reused) {
        await session`set maintenance_work_mem = '1GB'`;
        await session.unsafe(variant.create!);
        await session`analyze public.document_chunks`;
      }
      const built = reused ? "the previous variant's" : `built in ${((performance.now() - started) / 1000).toFixed(1)} s`;
      say(`${variant.name}: index ${built}`);
      const size = await indexSize(variant.index);
      const atRecall = await variantAtRecall(variant, queryVectors, truth);
      lines.push(`index ${variant.index} (${variant.name}): ${size}, ${built}; recall@10 by ${variant.knob}: ${atRecall.recalls.join("; ")}`);
      if (atRecall.step === null) {
        lines.push(`  no ${variant.knob} up to ${variant.steps.at(-1)} reached recall@10 ${targetRecall}`);
        continue;
      }
      const timed = await timeAgainstFullPrecision(variant, atRecall.step, fullEfSearch, queryVectors);
      lines.push(`  ${timed.load}`);
      lines.push(`  ${line(`full precision at ef_search ${fullEfSearch}, alternating`, timed.full.summary)}  ${timed.full.perSecond.toFixed(0)} q/s`);
      lines.push(`  ${line(`${variant.knob} ${atRecall.step} (recall ${atRecall.recall!.toFixed(4)})`, timed.other.summary)}  ${timed.other.perSecond.toFixed(0)} q/s`);
      lines.push(`  ratio variant / full precision: p50 ${(timed.other.summary.p50 / timed.full.summary.p50).toFixed(2)}x, p95 ${(timed.other.summary.p95 / timed.full.summary.p95).toFixed(2)}x, throughput ${(timed.other.perSecond / timed.full.perSecond).toFixed(2)}x`);
    } finally {
      if (selectedVariants[position + 1]?.index !== variant.index) {
        await session.unsafe(`drop index if exists public.${variant.index}`).catch(() => undefined);
      }
      session.release();
    }
  }
  return lines;
}

// The search before 20261122007500, from its migration's text, under another name for this run.
const searchBefore = "public.bench_search_knowledge_before";
const searchBeforeMigration = new URL("../../supabase/migrations/20261122002070_knowledge_reembedding.sql", import.meta.url);

async function installSearchBefore() {
  const text = readFileSync(searchBeforeMigration, "utf8");
  const start = text.indexOf("create or replace function public.search_knowledge(");
  const end = text.indexOf("\n$$;", start) + "\n$$;".length;
  if (start < 0 || end < start) throw new Error("search_knowledge's definition was not found in 20261122002070");
  // The body names its own parameters by the function's name (search_knowledge.agent_id).
  const definition = text.slice(start, end)
    .replace("public.search_knowledge(", `${searchBefore}(`)
    .replaceAll("search_knowledge.", "bench_search_knowledge_before.");
  const session = await sql.reserve();
  try {
    // pgvector's settings (the function's SET hnsw.*) are known once its library is loaded.
    await session`select '[1]'::extensions.vector`;
    await session.unsafe(definition);
    // As the current one since 20261122008500: each call planned for its arguments, so the answers
    // compared differ by the text half only, not by which connection had switched to a generic plan.
    await session.unsafe(`alter function ${searchBefore} set plan_cache_mode = force_custom_plan`);
    await session.unsafe(`grant execute on function ${searchBefore} to authenticated`);
  } finally {
    session.release();
  }
}

// The current search as plpgsql plans it by default (before 20261122008500: a generic plan may be
// kept after five calls on a connection), copied from the database under other names for this run,
// to measure what planning every call costs and how often the cached plan answered otherwise.
const searchDefaultPlans = "public.bench_search_knowledge_default_plans";
const textCandidatesDefaultPlans = "public.bench_knowledge_text_candidates_default_plans";

async function installSearchDefaultPlans() {
  const session = await sql.reserve();
  try {
    await session`select '[1]'::extensions.vector`;
    const [{ search, candidates }] = await session`
      select pg_catalog.pg_get_functiondef('public.search_knowledge(text, extensions.vector, uuid[], integer, double precision, double precision, uuid[], jsonb, uuid)'::regprocedure) as search,
             pg_catalog.pg_get_functiondef('public.knowledge_text_candidates(text, uuid[], integer, uuid[], jsonb)'::regprocedure) as candidates`;
    if (!String(search).includes("public.knowledge_text_candidates(")) throw new Error("search_knowledge no longer calls knowledge_text_candidates");
    await session.unsafe(String(candidates)
      .replace("public.knowledge_text_candidates(", `${textCandidatesDefaultPlans}(`)
      .replaceAll("knowledge_text_candidates.", "bench_knowledge_text_candidates_default_plans."));
    await session.unsafe(String(search)
      .replace("public.search_knowledge(", `${searchDefaultPlans}(`)
      .replace("public.knowledge_text_candidates(", `${textCandidatesDefaultPlans}(`)
      .replaceAll("search_knowledge.", "bench_search_knowledge_default_plans."));
    for (const copy of [searchDefaultPlans, textCandidatesDefaultPlans]) {
      await session.unsafe(`alter function ${copy} reset plan_cache_mode`);
      await session.unsafe(`grant execute on function ${copy} to authenticated`);
    }
  } finally {
    session.release();
  }
}

async function measure(label: string, queries: string[], once: (query: string) => Promise<number>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < queries.length) latencies.push(await once(queries[next++]));
  }));
  const seconds = (performance.now() - started) / 1000;
  return { label, summary: summarize(latencies), perSecond: latencies.length / seconds };
}

/** Two statements on the same queries, each client alternating them, so both see the same load. */
async function measurePair(labels: [string, string], queries: string[], onces: [(query: string) => Promise<number>, (query: string) => Promise<number>]) {
  const latencies: [number[], number[]] = [[], []];
  const spent = [0, 0];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async (_, client) => {
    while (next < queries.length) {
      const query = queries[next++];
      // Half the clients start with each, so neither always runs second.
      for (const which of client % 2 === 0 ? [0, 1] : [1, 0]) {
        const started = performance.now();
        latencies[which].push(await onces[which](query));
        spent[which] += performance.now() - started;
      }
    }
  }));
  // Throughput of each alone: its calls over the client time they took, times the clients.
  return labels.map((label, which) => ({
    label, summary: summarize(latencies[which]), perSecond: latencies[which].length / (spent[which] / 1000 / concurrency),
  })) as [Awaited<ReturnType<typeof measure>>, Awaited<ReturnType<typeof measure>>];
}

const company = await seedCompany();
try {
  say(`ingesting about ${chunkTarget} chunks (chunker + lexical embedder + replace_document_chunks per document)`);
  const ingestion = await ingest(company.baseId);
  say(`ingested ${ingestion.chunks} chunks in ${ingestion.seconds.toFixed(1)} s`);
  const bulk = totalChunks > ingestion.chunks ? await bulkFill(company, totalChunks - ingestion.chunks) : null;
  if (bulk) say(`HNSW index over ${totalChunks} chunks built in ${bulk.indexed.toFixed(1)} s`);
  await sql`vacuum analyze public.document_chunks`;
  // Without a bulk part, query vectors like the bench's own chunks: lexical vectors of three words.
  const queryVectors = bulk?.queryVectors ?? Array.from({ length: 1000 }, () => toVectorLiteral(lexicalEmbedding(`${word()} ${word()} ${word()}`)));
  const truth = await exactTopTen(queryVectors);
  const atRecall = await vectorAtRecall(queryVectors, truth);
  const variants = indexVariants && atRecall.chosen ? await compareIndexVariants(queryVectors, truth, atRecall.chosen.efSearch) : null;

  if (variants) {
    // Only the vector query and its index variants: the word queries are measured without the option.
    console.log("");
    console.log(machineLoad());
    console.log(`chunks: ${totalChunks} of 384 dimensions (${ingestion.chunks} ingested as the function does${bulk ? `, ${totalChunks - ingestion.chunks} generated in SQL in ${bulk.inserted.toFixed(1)} s, HNSW built in ${bulk.indexed.toFixed(1)} s` : ""})`);
    console.log(`vector query recall@10 against exact search (${recallQueries} queries): ${atRecall.recalls.join("; ")}`);
    if (atRecall.chosen && atRecall.result) {
      console.log(`${line(`vector query top 10 at ef_search ${atRecall.chosen.efSearch} (recall ${atRecall.chosen.recall.toFixed(4)})`, atRecall.result.summary)}  ${atRecall.result.perSecond.toFixed(0)} q/s (${concurrency} clients)`);
    }
    for (const variantLine of variants) console.log(variantLine);
  } else {
    const queries = Array.from({ length: requests }, () => `${word()} ${word()} ${word()}`);
    const claims = { sub: company.userId, role: "authenticated" as const, aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 3600 };
    const searchOnce = (parts: "hybrid" | "vector" | "text", search = "public.search_knowledge") => (query: string) => withUserTransaction(sql, claims, async (tx) => {
      const text = parts === "vector" ? "" : query;
      const embedding = parts === "text" ? null : toVectorLiteral(lexicalEmbedding(query));
      const started = performance.now();
      const rows = await tx`
        select chunk_id, score from ${tx(search)}(${text}, ${embedding}::extensions.vector,
                                                array[${company.baseId}]::uuid[], 5, 0)`;
      const elapsed = performance.now() - started;
      if (rows.length === 0) throw new Error(`no ${parts} result for "${query}"`);
      return elapsed;
    });
    const hybridOnce = searchOnce("hybrid");
    // The text half before #14, alone: any word, every match ranked.
    const unboundedTextOnce = (query: string) => withUserTransaction(sql, claims, async (tx) => {
      const started = performance.now();
      const rows = await tx`
        with q as (
          select pg_catalog.array_to_string(array(select pg_catalog.quote_literal(l)
                   from pg_catalog.unnest(pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('portuguese', ${query}))) as l), ' | ')::tsquery as query
        )
        select c.id from public.document_chunks c, q
        where c.knowledge_base_id = ${company.baseId} and c.fts @@ q.query
        order by pg_catalog.ts_rank_cd(c.fts, q.query, 32) desc limit 50`;
      const elapsed = performance.now() - started;
      if (rows.length === 0) throw new Error(`no text match for "${query}"`);
      return elapsed;
    });
    const vectorOnce = async (query: string) => {
      const started = performance.now();
      const rows = await sql`
        select id from public.document_chunks where knowledge_base_id = ${company.baseId}
        order by embedding operator(extensions.<=>) ${toVectorLiteral(lexicalEmbedding(query))}::extensions.vector limit 5`;
      const elapsed = performance.now() - started;
      if (rows.length === 0) throw new Error(`no result for "${query}"`);
      return elapsed;
    };
    // What search_knowledge's vector half asks of HNSW: 10 × top K (50) candidates at its ef_search of
    // 100, as the owner — the like-for-like measure of its index work, beside the baseline's top 5 at
    // the default ef_search (40).
    const vectorCandidatesOnce = (query: string) => sql.begin(async (tx) => {
      await tx`set local hnsw.ef_search = 100`;
      const started = performance.now();
      const rows = await tx`
        select id from public.document_chunks where knowledge_base_id = ${company.baseId}
        order by embedding operator(extensions.<=>) ${toVectorLiteral(lexicalEmbedding(query))}::extensions.vector limit 50`;
      const elapsed = performance.now() - started;
      if (rows.length === 0) throw new Error(`no result for "${query}"`);
      return elapsed;
    }) as Promise<number>;
    // Warm both paths (plans, caches) before timing.
    await measure("warm-up", queries.slice(0, 50), hybridOnce);
    await measure("warm-up", queries.slice(0, 50), vectorOnce);
    if (totalChunks <= 50_000) await measure("warm-up", queries.slice(0, 50), unboundedTextOnce);
    const baseline = await measure("vector-only HNSW top 5, owner (baseline)", queries, vectorOnce);
    const vectorCandidates = await measure("HNSW top 50 at ef_search 100, owner", queries, vectorCandidatesOnce);
    // Above 50,000 chunks one unbounded text query takes seconds: measured only at smaller sizes.
    const unbounded = totalChunks <= 50_000 ? await measure("unbounded text half (before #14), member", queries, unboundedTextOnce) : null;
    const vectorPart = await measure("search_knowledge vector only, member", queries, searchOnce("vector"));
    const textPart = await measure("search_knowledge text only, member", queries, searchOnce("text"));
    const hybrid = await measure("search_knowledge hybrid top 5, member under RLS", queries, hybridOnce);
    await installSearchBefore();
    await measure("warm-up", queries.slice(0, 50), searchOnce("hybrid", searchBefore));
    const [textNow, textBefore] = await measurePair(["text only now, alternating with before", "before 007500: text only, member"], queries,
      [searchOnce("text"), searchOnce("text", searchBefore)]);
    const [hybridNow, hybridBefore] = await measurePair(["hybrid now, alternating with before", "before 007500: hybrid top 5, member"], queries,
      [hybridOnce, searchOnce("hybrid", searchBefore)]);
    await installSearchDefaultPlans();
    await measure("warm-up", queries.slice(0, 50), searchOnce("hybrid", searchDefaultPlans));
    const [hybridPlanned, hybridCached] = await measurePair(
      ["hybrid now (every call planned), alternating", "hybrid with plpgsql's plan cache (before 008500)"], queries,
      [hybridOnce, searchOnce("hybrid", searchDefaultPlans)]);
    const [vectorPlanned, vectorCached] = await measurePair(
      ["vector only now (every call planned), alternating", "vector only with plpgsql's plan cache (before 008500)"], queries,
      [searchOnce("vector"), searchOnce("vector", searchDefaultPlans)]);
    // Both must answer the same: the same chunks in the same order with the same scores. Compared
    // after the timed runs, when every pooled connection has run both past plpgsql's first five
    // (custom) plans: a small base's generic plan ranks the vector half exactly (a sort) instead of
    // by HNSW, so a function fresh on a connection could differ from one that is not.
    const answers = (parts: "hybrid" | "text", search: string, query: string) => withUserTransaction(sql, claims, async (tx) => {
      const rows = await tx`
        select chunk_id, round(score::numeric, 9)::text as score from ${tx(search)}(${query}, ${parts === "text" ? null : toVectorLiteral(lexicalEmbedding(query))}::extensions.vector,
                                                                         array[${company.baseId}]::uuid[], 5, 0)`;
      return JSON.stringify(rows.map((row) => [row.chunk_id, row.score]));
    });
    const sameAnswers: string[] = [];
    for (const parts of ["text", "hybrid"] as const) {
      let same = 0;
      const compared = queries.slice(0, 100);
      for (const query of compared) {
        if (await answers(parts, "public.search_knowledge", query) === await answers(parts, searchBefore, query)) same++;
      }
      sameAnswers.push(`${parts} ${same}/${compared.length}`);
    }
    // The same after the timed runs, now against the plan-cached copy: a connection that switched it
    // to a generic plan answers some queries otherwise.
    const sameAsCached: string[] = [];
    for (const parts of ["text", "hybrid"] as const) {
      let same = 0;
      const compared = queries.slice(0, 100);
      for (const query of compared) {
        if (await answers(parts, "public.search_knowledge", query) === await answers(parts, searchDefaultPlans, query)) same++;
      }
      sameAsCached.push(`${parts} ${same}/${compared.length}`);
    }

    console.log("");
    console.log(machineLoad());
    console.log(`chunks: ${totalChunks} of 384 dimensions (${ingestion.chunks} ingested as the function does${bulk ? `, ${totalChunks - ingestion.chunks} generated in SQL in ${bulk.inserted.toFixed(1)} s, HNSW built in ${bulk.indexed.toFixed(1)} s` : ""})`);
    console.log(`ingestion: ${ingestion.chunks} chunks in ${ingestion.seconds.toFixed(1)} s = ${(ingestion.chunks / ingestion.seconds).toFixed(0)} chunks/s (lexical embedder, one replace per document of ~${chunksPerDocument} chunks)`);
    console.log(`vector query recall@10 against exact search (${recallQueries} queries): ${atRecall.recalls.join("; ")}`);
    if (atRecall.chosen && atRecall.result) {
      console.log(`${line(`vector query top 10 at ef_search ${atRecall.chosen.efSearch} (recall ${atRecall.chosen.recall.toFixed(4)})`, atRecall.result.summary)}  ${atRecall.result.perSecond.toFixed(0)} q/s (${concurrency} clients; target ≥ 600 q/s, p95 < 20 ms)`);
    } else {
      console.log(`vector query: no ef_search up to ${efSearchSteps.at(-1)} reached recall@10 ${targetRecall}`);
    }
    for (const result of [baseline, vectorCandidates, unbounded, vectorPart, textPart, hybrid, textNow, textBefore, hybridNow, hybridBefore,
                          hybridPlanned, hybridCached, vectorPlanned, vectorCached]) {
      if (result) console.log(`${line(result.label, result.summary)}  ${result.perSecond.toFixed(0)} q/s (${concurrency} clients)`);
    }
    console.log(`hybrid query p95: ${hybrid.summary.p95.toFixed(2)} ms (search_knowledge at its ef_search of 100)`);
    console.log(`ratio hybrid / vector-only: p50 ${(hybrid.summary.p50 / baseline.summary.p50).toFixed(2)}x, p95 ${(hybrid.summary.p95 / baseline.summary.p95).toFixed(2)}x, throughput ${(hybrid.perSecond / baseline.perSecond).toFixed(2)}x`);
    console.log(`same answers as before 007500 (chunks, order, scores): ${sameAnswers.join(", ")}`);
    for (const [part, now, before] of [["text only", textNow, textBefore], ["hybrid", hybridNow, hybridBefore]] as const) {
      console.log(`ratio ${part} now / before 007500: p50 ${(now.summary.p50 / before.summary.p50).toFixed(2)}x, p95 ${(now.summary.p95 / before.summary.p95).toFixed(2)}x, throughput ${(now.perSecond / before.perSecond).toFixed(2)}x`);
    }
    for (const [part, planned, cached] of [["hybrid", hybridPlanned, hybridCached], ["vector only", vectorPlanned, vectorCached]] as const) {
      console.log(`ratio ${part} every call planned / plan cache: p50 ${(planned.summary.p50 / cached.summary.p50).toFixed(2)}x, p95 ${(planned.summary.p95 / cached.summary.p95).toFixed(2)}x, throughput ${(planned.perSecond / cached.perSecond).toFixed(2)}x`);
    }
    console.log(`same answers as with plpgsql's plan cache (chunks, order, scores): ${sameAsCached.join(", ")}`);
    if (unbounded) console.log(`ratio text only / unbounded text half: p50 ${(textPart.summary.p50 / unbounded.summary.p50).toFixed(2)}x, p95 ${(textPart.summary.p95 / unbounded.summary.p95).toFixed(2)}x`);
  }
} finally {
  await sql.unsafe(`drop function if exists ${searchBefore}`);
  await sql.unsafe(`drop function if exists ${searchDefaultPlans}`);
  await sql.unsafe(`drop function if exists ${textCandidatesDefaultPlans}`);
  await sql`delete from public.tenants where id = ${company.tenantId}`;
  await sql`delete from auth.users where id = ${company.userId}`;
  await sql.end();
}
