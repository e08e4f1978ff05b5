// Changing a knowledge base's embedder end to end on the stack: a lexical base with a document is
// switched to openai_compatible with a key the owner shared (the fake embeddings server, real HTTP);
// the change queues a re-ingest of the document's text in the same transaction, the ingest function
// re-embeds it with the fake's vectors, and the search playground finds it by them. A key the
// server refuses fails the re-embedding with the translated code while the previous chunks stay
// findable by their words (never scored against the new embedder's query).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeEmbedding, startFakeEmbeddings } from "../../scripts/fakes/fake-embeddings.ts";
import type { FakeServer } from "../../scripts/fakes/fake-http.ts";
import { addMember, type ApiUser, call, cleanUp, createTenant, expectStatus, settledDocument, signUp, testDatabase } from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 60_000 });

const sql = testDatabase();
const people: ApiUser[] = [];
const goodKey = `sk-reembed-good-${crypto.randomUUID().slice(0, 8)}`;
const wrongKey = `sk-reembed-wrong-${crypto.randomUUID().slice(0, 8)}`;
const text = "O reembolso de despesas de viagem exige a nota fiscal e a aprovação do gestor.";
let fake: FakeServer;
let owner: ApiUser;
let member: ApiUser;
let analyst: ApiUser;
let company: string;
let baseId: string;
let documentId: string;

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

/** The owner's company key for the fake's address, shared with the company's runs. */
async function sharedKey(apiKey: string): Promise<string> {
  const key = await expectStatus(call(owner, "POST", "/api-keys", {
    body: { service: "openai-compatible", api_key: apiKey, tenant_id: company, endpoint_url: `${fake.url}/v1` },
  }), 201);
  await expectStatus(call(owner, "PUT", `/api-keys/${key.id}/sharing`, { body: { shared: true } }), 200);
  return key.id;
}

async function chunks(): Promise<{ version: number; embedder: string; embedding: string }[]> {
  return [...await sql<{ version: number; embedder: string; embedding: string }[]>`
    select version, embedder::text, embedding::text from public.document_chunks where document_id = ${documentId} order by chunk_index`];
}

beforeAll(async () => {
  fake = await startFakeEmbeddings({ apiKey: goodKey });
  [owner, member, analyst] = await Promise.all(["reembed-owner", "reembed-member", "reembed-analyst"].map((label) => signUp(label)));
  people.push(owner, member, analyst);
  company = await createTenant(owner, "Reembeddings Ltda");
  await sql`update public.tenants set plan = 'enterprise' where id = ${company}`;
  await addMember(sql, company, member, "member");
  await addMember(sql, company, analyst, "analyst");
  const base = await expectStatus(call(member, "POST", "/knowledge-bases", { tenant: company, body: { name: "Viagens" } }), 201);
  baseId = base.id;
  const created = await expectStatus(call(member, "POST", "/documents", {
    tenant: company,
    body: { source: "text", knowledge_base_id: baseId, title: "Reembolso", text },
  }), 201);
  documentId = created.document.id;
  expect(await settledDocument(sql, documentId, 1)).toMatchObject({ status: "ready", current_version: 1 });
});

afterAll(async () => {
  await fake?.close();
  await cleanUp(sql, people);
  await sql.end();
});

describe("changing a knowledge base's embedder", () => {
  it("is for those who manage knowledge, with a key shared with the company", async () => {
    expectError(await call(analyst, "PATCH", `/knowledge-bases/${baseId}`, { tenant: company, body: { embedder: "gte_small" } }), 403, "forbidden");
    expectError(await call(member, "PATCH", `/knowledge-bases/${baseId}`, { tenant: company, body: { embedder: "openai_compatible" } }), 422, "validation_failed");
    expectError(await call(member, "PATCH", `/knowledge-bases/${baseId}`, {
      tenant: company,
      body: { embedder: "lexical", embedding_key_id: crypto.randomUUID() },
    }), 422, "validation_failed");
    expect(await chunks()).toMatchObject([{ version: 1, embedder: "lexical" }]);
  });

  it("re-embeds the document with the new embedder, and search finds it by the new vectors", async () => {
    const key = await sharedKey(goodKey);
    const base = await expectStatus(call(member, "PATCH", `/knowledge-bases/${baseId}`, {
      tenant: company,
      body: { embedder: "openai_compatible", embedding_key_id: key },
    }), 200);
    expect(base).toMatchObject({ embedder: "openai_compatible", embedding_model: "text-embedding-3-small", embedding_key_id: key });

    expect(await settledDocument(sql, documentId, 2)).toMatchObject({ status: "ready", current_version: 2, latest_version: 2, chunk_count: 1 });
    const [version] = await sql<{ change: string; pasted_text: string }[]>`
      select change::text, pasted_text from public.document_versions where document_id = ${documentId} and version = 2`;
    expect(version).toEqual({ change: "reingested", pasted_text: text });
    const [chunk] = await chunks();
    expect(chunk).toMatchObject({ version: 2, embedder: "openai_compatible" });
    const stored = JSON.parse(chunk.embedding) as number[];
    const expected = fakeEmbedding(text);
    stored.forEach((value, index) => expect(value).toBeCloseTo(expected[index], 5));
    expect(fake.requests.some((request) => request.headers.authorization === `Bearer ${goodKey}`)).toBe(true);

    const found = await expectStatus(call(member, "POST", `/knowledge-bases/${baseId}/search`, {
      tenant: company,
      body: { query: "reembolso de despesas de viagem", min_score: 0 },
    }), 200);
    expect(found.items[0]).toMatchObject({ document_id: documentId, version: 2 });
    expect(found.items[0].vector_score).toBeGreaterThan(0.3);
  });

  it("keeps the previous chunks findable by their words when the new key is refused", async () => {
    // Back to lexical (re-embedded, version 3), then to openai_compatible with a key the server refuses.
    const lexical = await expectStatus(call(owner, "PATCH", `/knowledge-bases/${baseId}`, { tenant: company, body: { embedder: "lexical" } }), 200);
    expect(lexical).toMatchObject({ embedder: "lexical", embedding_model: "lexical-v1", embedding_key_id: null });
    expect(await settledDocument(sql, documentId, 3)).toMatchObject({ status: "ready", current_version: 3 });
    expect(await chunks()).toMatchObject([{ version: 3, embedder: "lexical" }]);

    const refused = await sharedKey(wrongKey);
    await expectStatus(call(owner, "PATCH", `/knowledge-bases/${baseId}`, {
      tenant: company,
      body: { embedder: "openai_compatible", embedding_key_id: refused },
    }), 200);
    const settled = await settledDocument(sql, documentId, 4);
    expect(settled).toMatchObject({ status: "failed", failure_code: "embedding_key_refused", current_version: 3, chunk_count: 1 });
    expect(await chunks()).toMatchObject([{ version: 3, embedder: "lexical" }]);

    const found = await expectStatus(call(member, "POST", `/knowledge-bases/${baseId}/search`, {
      tenant: company,
      body: { query: "nota fiscal", min_score: 0 },
    }), 200);
    expect(found.items[0]).toMatchObject({ document_id: documentId, version: 3, vector_score: 0 });
    expect(found.items[0].text_score).toBeGreaterThan(0);
  });
});
