// The embedders: the keyless lexical one by its properties, the OpenAI-compatible client against
// the fake embeddings server on 127.0.0.1 through the egress rules.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeEmbedding, startFakeEmbeddings } from "../../../../scripts/fakes/fake-embeddings.ts";
import type { FakeServer } from "../../../../scripts/fakes/fake-http.ts";
import { egressFetch } from "../egress.ts";
import { parseAllowList } from "../egress-addresses.ts";
import { embedderFor, EmbeddingError, lexicalEmbedder, lexicalEmbedding, openAiCompatibleEmbedder, toVectorLiteral } from "./index.ts";

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index], 0);

describe("lexical embedder", () => {
  it("makes 384 numbers of unit length, the same every time", () => {
    const vector = lexicalEmbedding("Política de férias da empresa");
    expect(vector).toHaveLength(384);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
    expect(lexicalEmbedding("Política de férias da empresa")).toEqual(vector);
  });

  it("puts texts that share words closer than texts that do not, ignoring case and accents", () => {
    const query = lexicalEmbedding("ferias");
    const related = lexicalEmbedding("Cada colaborador tem trinta dias de FÉRIAS por ano");
    const unrelated = lexicalEmbedding("O reembolso de despesas exige nota fiscal");
    expect(cosine(query, related)).toBeGreaterThan(0.2);
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.15);
    // Word pieces: an inflected form is closer than an unrelated word.
    expect(cosine(lexicalEmbedding("contratos"), lexicalEmbedding("contrato"))).toBeGreaterThan(cosine(lexicalEmbedding("contratos"), lexicalEmbedding("senhas")));
  });

  it("gives all zeros for text without words, and another space for another seed", async () => {
    expect(lexicalEmbedding(" ... ").every((value) => value === 0)).toBe(true);
    expect(lexicalEmbedding("férias", 1)).not.toEqual(lexicalEmbedding("férias"));
    expect(await lexicalEmbedder.embed(["a b", "c"])).toEqual([lexicalEmbedding("a b"), lexicalEmbedding("c")]);
  });

  it("writes pgvector's text form", () => {
    expect(toVectorLiteral([0.5, -1, 0])).toBe("[0.5,-1,0]");
  });
});

describe("OpenAI-compatible embedder against the fake server", () => {
  const key = "sk-embed-0123456789abcdef";
  let fake: FakeServer;
  const fetchToFake = (input: string | URL, init?: RequestInit) =>
    egressFetch({ allowList: parseAllowList(`127.0.0.1:${new URL(fake.url).port}`) })(input, init);

  beforeEach(async () => {
    fake = await startFakeEmbeddings({ apiKey: key });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("sends OpenAI's request in batches and returns the vectors in the texts' order", async () => {
    const embedder = openAiCompatibleEmbedder({ apiKey: key, baseUrl: `${fake.url}/v1/`, batchSize: 2, fetch: fetchToFake });
    const texts = ["um", "dois", "três"];
    expect(await embedder.embed(texts)).toEqual(texts.map(fakeEmbedding));
    expect(fake.requests.map((request) => request.path)).toEqual(["/v1/embeddings", "/v1/embeddings"]);
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${key}`);
    expect(fake.requests[0].body).toEqual({ model: "text-embedding-3-small", input: ["um", "dois"], dimensions: 384, encoding_format: "float" });
    expect(embedder.kind).toBe("openai_compatible");
  });

  it("says a 429 or 5xx is worth retrying, and a refused key (401) is not, without the remote's words", async () => {
    const embedder = openAiCompatibleEmbedder({ apiKey: key, baseUrl: fake.url, fetch: fetchToFake });
    fake.script({ status: 429 }, { status: 503 });
    for (const status of [429, 503]) {
      const error = await embedder.embed(["x"]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EmbeddingError);
      expect(error).toMatchObject({ code: "embedding_request_failed", retryable: true, message: `the embeddings server answered ${status}` });
    }
    const wrongKey = openAiCompatibleEmbedder({ apiKey: "sk-wrong-key-000000000000", baseUrl: fake.url, fetch: fetchToFake });
    await expect(wrongKey.embed(["x"])).rejects.toMatchObject({ code: "embedding_key_refused", retryable: false, message: "the embeddings server refused the key (401)" });
  });

  it("refuses an answer that is not JSON or has the wrong shape", async () => {
    const embedder = openAiCompatibleEmbedder({ apiKey: key, baseUrl: fake.url, fetch: fetchToFake });
    fake.script("malformed", { status: 200, body: { data: [{ index: 0, embedding: [1, 2, 3] }] } }, { status: 200, body: { data: [] } });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "embedding_answer_invalid" });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "embedding_answer_invalid", message: "embedding 0 is not 384 finite numbers" });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "embedding_answer_invalid" });
  });

  it("goes through the egress rules: an internal address outside the allow-list is refused", async () => {
    const embedder = openAiCompatibleEmbedder({ apiKey: key, baseUrl: fake.url, fetch: egressFetch({ allowList: [] }) });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "embedding_request_failed", retryable: false });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("embedderFor", () => {
  it("picks the base's embedder; OpenAI-compatible needs a key; gte-small needs the hosted runtime", () => {
    expect(embedderFor({ embedder: "lexical", embedding_model: "lexical-v1" })).toBe(lexicalEmbedder);
    expect(() => embedderFor({ embedder: "openai_compatible", embedding_model: "text-embedding-3-small" })).toThrow(EmbeddingError);
    expect(embedderFor({ embedder: "openai_compatible", embedding_model: "m" }, { apiKey: "k" }).model).toBe("m");
    expect(() => embedderFor({ embedder: "gte_small", embedding_model: "gte-small" })).toThrow("gte-small runs only in Supabase's hosted edge runtime");
  });
});
