// The `api` function's knowledge bases and documents over HTTP, as people who signed up: a base
// made, changed and searched; documents from pasted text, a URL and an upload to Storage (the file
// first, then its version) become ready through ingestion; analysts read and cannot write; another
// company's ids are 404 with their own codes; bad input is a clear 4xx in the one error shape; a
// base agents use cannot be deleted (409 knowledge_base_in_use).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  aUuid,
  call,
  cleanUp,
  createTenant,
  expectStatus,
  settledDocument,
  signUp,
  storageAs,
  testDatabase,
} from "../fixtures/index.ts";
import { documentDetail } from "../../supabase/functions/_shared/schemas/knowledge.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let analyst: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;
let baseId: string;

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

beforeAll(async () => {
  [owner, analyst, stranger] = await Promise.all(["kb-owner", "kb-analyst", "kb-stranger"].map((label) => signUp(label)));
  people.push(owner, analyst, stranger);
  company = await createTenant(owner, "Conhecimento Ltda");
  strangersCompany = await createTenant(stranger, "Outra Base SA");
  await addMember(sql, company, analyst, "analyst");
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

describe("knowledge bases", () => {
  it("are made with defaults, listed, changed, and refused to analysts and strangers", async () => {
    const base = await expectStatus(call(owner, "POST", "/knowledge-bases", { tenant: company, body: { name: "Manual", chunk_size: 800, chunk_overlap: 80 } }), 201);
    baseId = base.id;
    expect(base).toMatchObject({ name: "Manual", language: "portuguese", embedder: "lexical", embedding_dimension: 384, chunk_size: 800, document_count: 0 });
    expect((await expectStatus(call(analyst, "GET", "/knowledge-bases", { tenant: company }), 200)).items.map((item: { id: string }) => item.id)).toEqual([baseId]);
    expect(await expectStatus(call(owner, "PATCH", `/knowledge-bases/${baseId}`, { tenant: company, body: { description: "Políticas internas" } }), 200))
      .toMatchObject({ description: "Políticas internas", chunk_size: 800 });

    expectError(await call(analyst, "POST", "/knowledge-bases", { tenant: company, body: { name: "Analista" } }), 403, "forbidden");
    expectError(await call(analyst, "PATCH", `/knowledge-bases/${baseId}`, { tenant: company, body: { name: "x" } }), 403, "forbidden");
    expectError(await call(stranger, "GET", `/knowledge-bases/${baseId}`, { tenant: strangersCompany }), 404, "knowledge_base_not_found");
    expectError(await call(stranger, "DELETE", `/knowledge-bases/${baseId}`, { tenant: strangersCompany }), 404, "knowledge_base_not_found");
    expectError(await call(stranger, "GET", "/knowledge-bases", { tenant: company }), 404, "tenant_not_found");
  });

  it("refuses bad input with the field named", async () => {
    const unknownField = await call(owner, "POST", "/knowledge-bases", { tenant: company, body: { name: "X", embedding_dimension: 1536 } });
    expectError(unknownField, 422, "validation_failed");
    const overlap = await call(owner, "POST", "/knowledge-bases", { tenant: company, body: { name: "X", chunk_size: 200, chunk_overlap: 200 } });
    expectError(overlap, 422, "validation_failed");
    expect(JSON.stringify(overlap.body)).toContain("chunk_overlap");
    expectError(await call(owner, "POST", "/knowledge-bases", { tenant: company, body: { name: 42 } }), 422, "validation_failed");
    expectError(await call(owner, "POST", "/knowledge-bases", { tenant: company, rawBody: "{not json" }), 400, "invalid_json");
    expectError(await call(owner, "GET", "/knowledge-bases/not-a-uuid", { tenant: company }), 422, "validation_failed");
    expectError(await call(null, "GET", "/knowledge-bases", { tenant: company }), 401, "unauthorized");
    expectError(await call(owner, "POST", `/knowledge-bases/${baseId}/search`, { tenant: company, body: { query: "" } }), 422, "validation_failed");
  });
});

describe("documents", () => {
  it("from pasted text, a URL and an upload become ready and searchable", async () => {
    const text = await expectStatus(call(owner, "POST", "/documents", {
      tenant: company,
      body: { source: "text", knowledge_base_id: baseId, title: "Férias", text: "# Férias\n\nCada colaborador tem trinta dias de férias por ano." },
    }), 201);
    expect(text).toMatchObject({ document: { status: "pending", latest_version: 1, source: "text" }, next_upload_path: null });
    expect(text.versions).toHaveLength(1);

    const upload = await expectStatus(call(owner, "POST", "/documents", {
      tenant: company,
      body: { source: "upload", knowledge_base_id: baseId, title: "Reembolso", file_name: "reembolso.md", mime_type: "text/markdown", size_bytes: 60 },
    }), 201);
    expect(upload.next_upload_path).toBe(`${company}/${upload.document.id}/1/reembolso.md`);
    expect(upload.document.latest_version).toBe(0);
    // The version before its file: refused, nothing written.
    expectError(await call(owner, "POST", `/documents/${upload.document.id}/versions`, { tenant: company, body: { storage_path: upload.next_upload_path } }), 422, "document_file_missing");
    const file = new Blob(["Despesas de viagem são reembolsadas com nota fiscal."], { type: "text/markdown" });
    expect((await storageAs(owner.token).from("documents").upload(upload.next_upload_path, file, { contentType: "text/markdown" })).error).toBeNull();
    expectError(await call(owner, "POST", `/documents/${upload.document.id}/versions`, { tenant: company, body: { storage_path: `${company}/${upload.document.id}/7/reembolso.md` } }), 422, "validation_failed");
    expectError(await call(owner, "POST", `/documents/${upload.document.id}/versions`, { tenant: company, body: { text: "no" } }), 422, "validation_failed");
    const uploaded = await expectStatus(call(owner, "POST", `/documents/${upload.document.id}/versions`, { tenant: company, body: { storage_path: upload.next_upload_path } }), 201);
    expect(uploaded.versions[0]).toMatchObject({ version: 1, change: "created", storage_path: upload.next_upload_path });
    // The answers are what the shared schema (and so the web app) reads: sizes are numbers, not bigint text.
    expect(documentDetail.safeParse(text).error).toBeUndefined();
    expect(documentDetail.safeParse(uploaded).error).toBeUndefined();

    expect(await settledDocument(sql, text.document.id, 1)).toMatchObject({ status: "ready" });
    expect(await settledDocument(sql, upload.document.id, 1)).toMatchObject({ status: "ready" });
    const listed = await expectStatus(call(analyst, "GET", `/documents?knowledge_base_id=${baseId}`, { tenant: company }), 200);
    expect(listed.items.map((item: { title: string; status: string }) => [item.title, item.status]).sort()).toEqual([["Férias", "ready"], ["Reembolso", "ready"]]);
    expect(listed.items[0]).not.toHaveProperty("ingest_worker");

    const search = await expectStatus(call(analyst, "POST", `/knowledge-bases/${baseId}/search`, { tenant: company, body: { query: "reembolso de despesas de viagem", top_k: 3 } }), 200);
    expect(search.items[0]).toMatchObject({ document_id: upload.document.id, document_title: "Reembolso", version: 1 });
    expect(search.items[0].vector_score).toBeGreaterThan(0);
    expect(search.items[0].text_score).toBeGreaterThan(0);
    expect(search.items[0].snippet).toContain("«");

    const again = await expectStatus(call(owner, "POST", `/documents/${text.document.id}/reingest`, { tenant: company }), 201);
    expect(again.versions[0]).toMatchObject({ version: 2, change: "reingested" });
    expect(await settledDocument(sql, text.document.id, 2)).toMatchObject({ status: "ready", current_version: 2 });
  });

  it("refuses bad input, analysts' writes and other companies' ids", async () => {
    const bad = [
      { source: "pdf", knowledge_base_id: baseId, title: "x" },
      { source: "text", knowledge_base_id: baseId, title: "x" },
      { source: "text", knowledge_base_id: baseId, title: "x", text: "y", extra: true },
      { source: "url", knowledge_base_id: baseId, title: "x", url: "ftp://example.com/a" },
      { source: "upload", knowledge_base_id: baseId, title: "x", file_name: "../a.md", mime_type: "text/markdown", size_bytes: 10 },
      { source: "upload", knowledge_base_id: baseId, title: "x", file_name: "a.pdf", mime_type: "application/pdf", size_bytes: 10 },
      { source: "upload", knowledge_base_id: baseId, title: "x", file_name: "a.md", mime_type: "text/markdown", size_bytes: 30 * 1024 * 1024 },
    ];
    for (const body of bad) expectError(await call(owner, "POST", "/documents", { tenant: company, body }), 422, "validation_failed");
    expectError(await call(owner, "POST", "/documents", {
      tenant: company, body: { source: "url", knowledge_base_id: baseId, title: "Metadados", url: "http://169.254.169.254/latest" },
    }), 422, "address_not_allowed");

    const strangersBase = await expectStatus(call(stranger, "POST", "/knowledge-bases", { tenant: strangersCompany, body: { name: "Deles" } }), 201);
    expectError(await call(owner, "POST", "/documents", { tenant: company, body: { source: "text", knowledge_base_id: strangersBase.id, title: "x", text: "y" } }), 404, "knowledge_base_not_found");
    expectError(await call(owner, "GET", `/documents?knowledge_base_id=${strangersBase.id}`, { tenant: company }), 404, "knowledge_base_not_found");
    expectError(await call(owner, "GET", `/documents/${aUuid()}`, { tenant: company }), 404, "document_not_found");

    const ours = await expectStatus(call(owner, "POST", "/documents", { tenant: company, body: { source: "text", knowledge_base_id: baseId, title: "Interno", text: "Só nosso." } }), 201);
    expectError(await call(stranger, "GET", `/documents/${ours.document.id}`, { tenant: strangersCompany }), 404, "document_not_found");
    expectError(await call(stranger, "DELETE", `/documents/${ours.document.id}`, { tenant: strangersCompany }), 404, "document_not_found");
    expectError(await call(stranger, "POST", `/documents/${ours.document.id}/versions`, { tenant: strangersCompany, body: { text: "plantado" } }), 404, "document_not_found");
    expectError(await call(analyst, "POST", `/documents/${ours.document.id}/versions`, { tenant: company, body: { text: "do analista" } }), 403, "forbidden");
    expectError(await call(analyst, "DELETE", `/documents/${ours.document.id}`, { tenant: company }), 403, "forbidden");
    expect((await call(owner, "DELETE", `/documents/${ours.document.id}`, { tenant: company })).status).toBe(204);
    expectError(await call(owner, "GET", `/documents/${ours.document.id}`, { tenant: company }), 404, "document_not_found");
  });

  it("takes its files out of Storage when a document or a whole base is deleted: no orphans", async () => {
    const filesOf = async (prefix: string) =>
      (await sql<{ count: number }[]>`select count(*)::int as count from storage.objects where bucket_id = 'documents' and name like ${`${prefix}/%`}`)[0].count;
    const uploadInto = async (knowledgeBaseId: string, name: string) => {
      const created = await expectStatus(call(owner, "POST", "/documents", {
        tenant: company,
        body: { source: "upload", knowledge_base_id: knowledgeBaseId, title: name, file_name: name, mime_type: "text/plain", size_bytes: 20 },
      }), 201);
      const file = new Blob(["Prazo de entrega: cinco dias."], { type: "text/plain" });
      expect((await storageAs(owner.token).from("documents").upload(created.next_upload_path, file, { contentType: "text/plain" })).error).toBeNull();
      return created as { document: { id: string }; next_upload_path: string };
    };

    // Two versions (two files) of one document, then the document deleted: both files go.
    const one = await uploadInto(baseId, "entrega.txt");
    await expectStatus(call(owner, "POST", `/documents/${one.document.id}/versions`, { tenant: company, body: { storage_path: one.next_upload_path } }), 201);
    const detail = await expectStatus(call(owner, "GET", `/documents/${one.document.id}`, { tenant: company }), 200);
    const second = new Blob(["Prazo de entrega: três dias."], { type: "text/plain" });
    expect((await storageAs(owner.token).from("documents").upload(detail.next_upload_path, second, { contentType: "text/plain" })).error).toBeNull();
    await expectStatus(call(owner, "POST", `/documents/${one.document.id}/versions`, { tenant: company, body: { storage_path: detail.next_upload_path } }), 201);
    const kept = await uploadInto(baseId, "guardado.txt");
    expect(await filesOf(`${company}/${one.document.id}`)).toBe(2);
    expect((await call(owner, "DELETE", `/documents/${one.document.id}`, { tenant: company })).status).toBe(204);
    expect(await filesOf(`${company}/${one.document.id}`)).toBe(0);
    // Another document's file stays.
    expect(await filesOf(`${company}/${kept.document.id}`)).toBe(1);

    // A base deleted: every document's files go, even one uploaded but never named by a version.
    const base = await expectStatus(call(owner, "POST", "/knowledge-bases", { tenant: company, body: { name: "Temporária" } }), 201);
    const unnamed = await uploadInto(base.id, "rascunho.txt");
    expect(await filesOf(`${company}/${unnamed.document.id}`)).toBe(1);
    expect((await call(owner, "DELETE", `/knowledge-bases/${base.id}`, { tenant: company })).status).toBe(204);
    expect(await filesOf(`${company}/${unnamed.document.id}`)).toBe(0);
    expect(await filesOf(`${company}/${kept.document.id}`)).toBe(1);
  });

  it("a base that agents use is not deleted: 409 knowledge_base_in_use, then 204 once they let go", async () => {
    const [{ id: agentId }] = await sql<{ id: string }[]>`
      insert into public.agents (tenant_id, name, model, knowledge_base_ids) values (${company}, 'Atendente', 'demo-small', ${[baseId]}::uuid[]) returning id`;
    const refused = await call(owner, "DELETE", `/knowledge-bases/${baseId}`, { tenant: company });
    expectError(refused, 409, "knowledge_base_in_use");
    expect(refused.body.error.details).toMatchObject({ agents: ["Atendente"] });
    await sql`update public.agents set knowledge_base_ids = '{}' where id = ${agentId}`;
    expect((await call(owner, "DELETE", `/knowledge-bases/${baseId}`, { tenant: company })).status).toBe(204);
  });
});
