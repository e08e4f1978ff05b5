// An OpenAI-compatible knowledge base end to end on the stack, against the fake embeddings server
// (real HTTP, OpenAI's /v1/embeddings wire format): the company key an owner shared pays; a
// member's unshared key is refused; pasted text becomes ready with the fake's vectors; the API's
// search playground and MCP's search_knowledge embed the query with the same key and find it; a key
// the server refuses fails the new version with a translated code while the previous version stays
// searchable; each decryption is audited in the name of whose action needed it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeEmbedding, startFakeEmbeddings } from "../../scripts/fakes/fake-embeddings.ts";
import type { FakeServer } from "../../scripts/fakes/fake-http.ts";
import {
  addMember,
  type ApiUser,
  call,
  cleanUp,
  createTeam,
  createTenant,
  expectStatus,
  runFinished,
  settledDocument,
  signUp,
  stackEnv,
  startRun,
  steps,
  testDatabase,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 60_000 });

const sql = testDatabase();
const people: ApiUser[] = [];
const goodKey = `sk-embed-good-${crypto.randomUUID().slice(0, 8)}`;
const wrongKey = `sk-embed-wrong-${crypto.randomUUID().slice(0, 8)}`;
const text = "Cada colaborador tem trinta dias de férias por ano, divididos em até três períodos.";
let fake: FakeServer;
let owner: ApiUser;
let admin: ApiUser;
let member: ApiUser;
let company: string;
let baseId: string;
let documentId: string;

function expectError(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

/** Stores `person`'s company key for the fake's address; shared by the owner when asked. */
async function companyKey(person: ApiUser, apiKey: string, shared: boolean): Promise<string> {
  const key = await expectStatus(call(person, "POST", "/api-keys", {
    body: { service: "openai-compatible", api_key: apiKey, tenant_id: company, endpoint_url: `${fake.url}/v1` },
  }), 201);
  if (shared) await expectStatus(call(owner, "PUT", `/api-keys/${key.id}/sharing`, { body: { shared: true } }), 200);
  return key.id;
}

/** The embeddings requests the fake received for exactly these inputs. */
const requestsFor = (inputs: string[]) => fake.requests.filter((request) => JSON.stringify((request.body as { input?: unknown })?.input) === JSON.stringify(inputs));

beforeAll(async () => {
  fake = await startFakeEmbeddings({ apiKey: goodKey });
  [owner, admin, member] = await Promise.all(["embed-owner", "embed-admin", "embed-member"].map((label) => signUp(label)));
  people.push(owner, admin, member);
  company = await createTenant(owner, "Embeddings Ltda");
  await sql`update public.tenants set plan = 'enterprise' where id = ${company}`;
  await addMember(sql, company, admin, "admin");
  await addMember(sql, company, member, "member");
});

afterAll(async () => {
  await fake?.close();
  await cleanUp(sql, people);
  await sql.end();
});

describe("an OpenAI-compatible knowledge base", () => {
  it("takes only a key shared with the company", async () => {
    const unshared = await companyKey(member, `sk-embed-member-${crypto.randomUUID().slice(0, 8)}`, false);
    expectError(await call(member, "POST", "/knowledge-bases", {
      tenant: company,
      body: { name: "Minha chave", embedder: "openai_compatible", embedding_key_id: unshared },
    }), 403, "embedding_key_not_usable");
    expectError(await call(member, "POST", "/knowledge-bases", { tenant: company, body: { name: "Sem chave", embedder: "openai_compatible" } }), 422, "validation_failed");

    const shared = await companyKey(owner, goodKey, true);
    // A member who manages knowledge may pick what an owner shared.
    const base = await expectStatus(call(member, "POST", "/knowledge-bases", {
      tenant: company,
      body: { name: "Manual semântico", embedder: "openai_compatible", embedding_key_id: shared },
    }), 201);
    expect(base).toMatchObject({ embedder: "openai_compatible", embedding_model: "text-embedding-3-small", embedding_key_id: shared, embedding_dimension: 384 });
    baseId = base.id;
  });

  it("ingests pasted text with the fake's vectors, paid by the shared key", async () => {
    const created = await expectStatus(call(member, "POST", "/documents", {
      tenant: company,
      body: { source: "text", knowledge_base_id: baseId, title: "Férias", text },
    }), 201);
    documentId = created.document.id;
    expect(await settledDocument(sql, documentId, 1)).toMatchObject({ status: "ready", current_version: 1, chunk_count: 1 });

    const [chunk] = await sql<{ embedding: string }[]>`select embedding::text from public.document_chunks where document_id = ${documentId}`;
    const stored = JSON.parse(chunk.embedding) as number[];
    const expected = fakeEmbedding(text);
    expect(stored).toHaveLength(384);
    stored.forEach((value, index) => expect(value).toBeCloseTo(expected[index], 5));

    const [ingested] = requestsFor([text]);
    expect(ingested.headers.authorization).toBe(`Bearer ${goodKey}`);
    expect(ingested.body).toMatchObject({ model: "text-embedding-3-small", dimensions: 384 });
    const [audit] = await sql<{ actor_id: string; key_owner_id: string }[]>`
      select actor_id, after ->> 'key_owner_id' as key_owner_id from public.audit_log
      where action = 'decrypt' and table_name = 'provider_keys' and after ->> 'purpose' like ${`%ingest document ${documentId}%`}`;
    expect(audit).toEqual({ actor_id: member.id, key_owner_id: owner.id });
  });

  it("embeds the playground's query with the same key and finds the document by its vector", async () => {
    const found = await expectStatus(call(member, "POST", `/knowledge-bases/${baseId}/search`, { tenant: company, body: { query: "férias por ano", min_score: 0 } }), 200);
    expect(found.items[0]).toMatchObject({ document_id: documentId, version: 1 });
    expect(found.items[0].vector_score).toBeGreaterThan(0.3);
    expect(requestsFor(["férias por ano"])).toHaveLength(1);
  });

  it("embeds MCP's search_knowledge query with the same key", async () => {
    const client = new Client({ name: "renum-e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${stackEnv.functionsUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${owner.token}`, "x-tenant-id": company } },
    }));
    try {
      const answer = await client.callTool({ name: "search_knowledge", arguments: { query: "trinta dias de férias", knowledge_base_ids: [baseId] } });
      expect(answer.isError).not.toBe(true);
      const hits = JSON.parse((answer.content as { text: string }[]).map((part) => part.text).join(""));
      expect(hits[0]).toMatchObject({ document_id: documentId });
      expect(requestsFor(["trinta dias de férias"])).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it("embeds an agent's retrieval before its step and its knowledge_search query with the same key", async () => {
    const agent = await expectStatus(call(owner, "POST", "/agents", {
      tenant: company,
      body: { name: "RH", provider: "demo", model: "demo-small", status: "active", config: { latency_ms: 0 }, knowledge_base_ids: [baseId], tools: ["knowledge_search"] },
    }), 201);
    const team = await createTeam({ owner, tenantId: company }, { name: "Atendimento", workflow_type: "sequential", agents: [{ agent_id: agent.id, execution_order: 1 }] });
    const input = 'Quantos dias de férias tenho?\n@tool knowledge_search {"query":"períodos de férias","top_k":1}';
    const run = await runFinished(sql, (await startRun({ owner, tenantId: company }, team, input)).id);
    expect(run.status).toBe("completed");
    const [step] = await steps(sql, run.id);
    expect(step.citations[0]).toMatchObject({ n: 1, document_id: documentId });
    expect(step.output).toContain("Cada colaborador tem trinta dias");
    expect(requestsFor([input])).toHaveLength(1);
    expect(requestsFor(["períodos de férias"])).toHaveLength(1);
  });

  it("fails a new version whose key the server refuses, saying so, and keeps the previous one searchable", async () => {
    const refused = await companyKey(admin, wrongKey, true);
    await expectStatus(call(member, "PATCH", `/knowledge-bases/${baseId}`, { tenant: company, body: { embedding_key_id: refused } }), 200);
    await expectStatus(call(member, "POST", `/documents/${documentId}/versions`, { tenant: company, body: { text: `${text} Pedidos no portal de RH.` } }), 201);

    const settled = await settledDocument(sql, documentId, 2);
    expect(settled).toMatchObject({ status: "failed", failure_code: "embedding_key_refused", current_version: 1, chunk_count: 1 });
    expect(settled.failure_reason).toBe("the embeddings server refused the key (401)");
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${wrongKey}`);

    // The query cannot be embedded with the refused key: search answers by its words, version 1.
    const found = await expectStatus(call(member, "POST", `/knowledge-bases/${baseId}/search`, { tenant: company, body: { query: "férias", min_score: 0 } }), 200);
    expect(found.items[0]).toMatchObject({ document_id: documentId, version: 1, vector_score: 0 });
  });
});
