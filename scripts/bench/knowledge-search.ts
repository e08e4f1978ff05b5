// Knowledge search and ingestion at a small scale on one stack: one company with (default) 20,000
// chunks of 384 dimensions, written the way the ingest function writes them — the real chunker,
// the lexical embedder, public.replace_document_chunks per document — which gives ingestion
// throughput in chunks per second; then, the same queries from the same `--concurrency` clients in
// the same process:
//   baseline    the vector-only nearest 5 by HNSW as the database owner (no RLS, no text part);
//   unbounded   the text half as it was before #14 — every chunk with any of the query's words
//               ranked by ts_rank_cd, best 50 — as the member under RLS;
//   vector      public.search_knowledge with only the query's embedding (top 5),
//   text        public.search_knowledge with only the query's text,
//   hybrid      public.search_knowledge with both (HNSW + tiered full text, weighted fusion), each
//               as the company's member in a transaction as `authenticated` with their claims (RLS
//               applies, as the API runs it).
// The vocabulary is small (~100 words), so every query word is in most chunks: the worst case for
// the text half. Printed: p50/p95 of each statement, throughput, the ratios, and the load.
//   npx tsx scripts/bench/knowledge-search.ts --instance work3 [--chunks 20000] [--requests 1000] [--concurrency 8]
// The stack must be running; the bench removes its company at the end.
import postgres from "postgres";
import { lexicalEmbedder, lexicalEmbedding, toVectorLiteral } from "../../supabase/functions/_shared/embeddings/index.ts";
import { withUserTransaction } from "../../supabase/functions/_shared/user-transaction.ts";
import { chunkText } from "../../supabase/functions/ingest/chunker.ts";
import { dbUrl, type InstanceName, stackInstance } from "../stack/instances.ts";
import { line, machineLoad, option, say, summarize } from "./engine-bench-support.ts";

const instance = stackInstance(option("--instance", "bench") as InstanceName);
const chunkTarget = Number(option("--chunks", "20000"));
const requests = Number(option("--requests", "1000"));
const concurrency = Number(option("--concurrency", "8"));
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

const sql = postgres(dbUrl(instance), { max: concurrency + 1, prepare: false, onnotice: () => {} });
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

const company = await seedCompany();
try {
  say(`ingesting about ${chunkTarget} chunks (chunker + lexical embedder + replace_document_chunks per document)`);
  const ingestion = await ingest(company.baseId);
  await sql`vacuum analyze public.document_chunks`;
  say(`ingested ${ingestion.chunks} chunks in ${ingestion.seconds.toFixed(1)} s`);

  const queries = Array.from({ length: requests }, () => `${word()} ${word()} ${word()}`);
  const claims = { sub: company.userId, role: "authenticated" as const, aud: "authenticated", exp: Math.floor(Date.now() / 1000) + 3600 };
  const searchOnce = (parts: "hybrid" | "vector" | "text") => (query: string) => withUserTransaction(sql, claims, async (tx) => {
    const text = parts === "vector" ? "" : query;
    const embedding = parts === "text" ? null : toVectorLiteral(lexicalEmbedding(query));
    const started = performance.now();
    const rows = await tx`
      select chunk_id, score from public.search_knowledge(${text}, ${embedding}::extensions.vector,
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
  // Warm both paths (plans, caches) before timing.
  await measure("warm-up", queries.slice(0, 50), hybridOnce);
  await measure("warm-up", queries.slice(0, 50), vectorOnce);
  await measure("warm-up", queries.slice(0, 50), unboundedTextOnce);
  const baseline = await measure("vector-only HNSW top 5, owner (baseline)", queries, vectorOnce);
  const unbounded = await measure("unbounded text half (before #14), member", queries, unboundedTextOnce);
  const vectorPart = await measure("search_knowledge vector only, member", queries, searchOnce("vector"));
  const textPart = await measure("search_knowledge text only, member", queries, searchOnce("text"));
  const hybrid = await measure("search_knowledge hybrid top 5, member under RLS", queries, hybridOnce);

  console.log("");
  console.log(machineLoad());
  console.log(`ingestion: ${ingestion.chunks} chunks in ${ingestion.seconds.toFixed(1)} s = ${(ingestion.chunks / ingestion.seconds).toFixed(0)} chunks/s (lexical embedder, one replace per document of ~${chunksPerDocument} chunks)`);
  for (const result of [baseline, unbounded, vectorPart, textPart, hybrid]) console.log(`${line(result.label, result.summary)}  ${result.perSecond.toFixed(0)} q/s (${concurrency} clients)`);
  console.log(`ratio hybrid / vector-only: p50 ${(hybrid.summary.p50 / baseline.summary.p50).toFixed(2)}x, p95 ${(hybrid.summary.p95 / baseline.summary.p95).toFixed(2)}x, throughput ${(hybrid.perSecond / baseline.perSecond).toFixed(2)}x`);
  console.log(`ratio text only / unbounded text half: p50 ${(textPart.summary.p50 / unbounded.summary.p50).toFixed(2)}x, p95 ${(textPart.summary.p95 / unbounded.summary.p95).toFixed(2)}x`);
} finally {
  await sql`delete from public.tenants where id = ${company.tenantId}`;
  await sql`delete from auth.users where id = ${company.userId}`;
  await sql.end();
}
