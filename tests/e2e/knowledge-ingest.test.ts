// Ingestion end to end on the stack: a Markdown file, a PDF and a Word file uploaded to the
// documents bucket with storage-js, pasted text and a web page become ready through the ingest
// function (woken by the database through pg_net) and search_knowledge finds them, headings (and a
// PDF's pages) kept; a failure says why with a code and leaves the previous version searchable; the
// bucket's policies keep companies apart; each status is broadcast live on the base's private topic.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDocumentVersion,
  addMember,
  buildDocx,
  buildPdf,
  closeAllClients,
  collectBroadcasts,
  type Company,
  createDocument,
  createKnowledgeBase,
  type FakeWebSite,
  newCompany,
  realtimeClient,
  removeCompanies,
  searchAs,
  settledDocument,
  signUp,
  type Sql,
  startFakeWebSite,
  storageAs,
  subscribe,
  subscribed,
  testDatabase,
  waitFor,
} from "../fixtures/index.ts";

const handbook = `# Férias

Cada colaborador tem trinta dias de férias por ano, que podem ser divididos em até três períodos.

## Como pedir

O pedido de férias é feito no portal de RH com trinta dias de antecedência.

# Reembolso

Despesas de viagem são reembolsadas com nota fiscal em até dez dias úteis.
`;

describe("knowledge ingestion", () => {
  let sql: Sql;
  let company: Company;
  let other: Company;
  let baseId: string;
  let site: FakeWebSite;

  beforeAll(async () => {
    sql = testDatabase();
    company = await newCompany(sql, "knowledge-a");
    other = await newCompany(sql, "knowledge-b");
    baseId = await createKnowledgeBase(sql, company.owner, company.tenantId, "Manual do colaborador");
    site = await startFakeWebSite({
      "/politica.html": {
        contentType: "text/html; charset=utf-8",
        body: "<html><head><style>p{}</style></head><body><h1>Segurança</h1><p>Senhas devem ter doze caracteres &amp; ser trocadas a cada noventa dias.</p><script>alert(1)</script></body></html>",
      },
    });
  });

  afterAll(async () => {
    await site?.close();
    await removeCompanies(sql, [company, other].filter(Boolean));
    await sql.end();
  });

  it("ingests an uploaded Markdown file: ready, chunked by headings, found by search", async () => {
    const documentId = await createDocument(sql, company.owner, baseId, { title: "Manual", source: "upload", file_name: "manual.md", mime_type: "text/markdown" });
    const path = `${company.tenantId}/${documentId}/1/manual.md`;
    const upload = await storageAs(company.owner.token).from("documents").upload(path, new Blob([handbook], { type: "text/markdown" }), { contentType: "text/markdown" });
    expect(upload.error).toBeNull();
    const version = await addDocumentVersion(sql, company.owner, documentId, { storage_path: path });

    const document = await settledDocument(sql, documentId, version);
    expect(document).toMatchObject({ status: "ready", failure_code: null, current_version: 1, chunk_count: 3 });
    const chunks = await sql<{ heading_path: string[]; content: string }[]>`
      select heading_path, content from public.document_chunks where document_id = ${documentId} order by chunk_index`;
    expect(chunks.map((chunk) => chunk.heading_path)).toEqual([["Férias"], ["Férias", "Como pedir"], ["Reembolso"]]);

    const hits = await searchAs(sql, company.owner, "como pedir férias", [baseId]);
    expect(hits[0]).toMatchObject({ document_id: documentId, heading_path: ["Férias", "Como pedir"], version: 1 });
    expect(await searchAs(sql, other.owner, "como pedir férias", [baseId])).toEqual([]);
  });

  it("ingests a PDF page by page and a Word file with its headings", async () => {
    const upload = async (fileName: string, mimeType: string, bytes: Uint8Array<ArrayBuffer>) => {
      const documentId = await createDocument(sql, company.owner, baseId, { title: fileName, source: "upload", file_name: fileName, mime_type: mimeType });
      const path = `${company.tenantId}/${documentId}/1/${fileName}`;
      const stored = await storageAs(company.owner.token).from("documents").upload(path, new Blob([bytes], { type: mimeType }), { contentType: mimeType });
      expect(stored.error).toBeNull();
      return { documentId, version: await addDocumentVersion(sql, company.owner, documentId, { storage_path: path }) };
    };
    const pdf = await upload("regulamento.pdf", "application/pdf", buildPdf([
      ["Regulamento interno", "O uniforme é obrigatório nas lojas (exceto às sextas-feiras)."],
      ["Estacionamento", "As vagas da garagem são sorteadas a cada trimestre."],
    ]));
    const docx = await upload("onboarding.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", buildDocx([
      { heading: "Primeiro dia" },
      "O crachá é entregue pela recepção às nove horas.",
      { heading: "Equipamentos", level: 2 },
      "O notebook chega configurado & com a VPN instalada.",
    ]));

    expect(await settledDocument(sql, pdf.documentId, pdf.version)).toMatchObject({ status: "ready", failure_code: null, chunk_count: 2 });
    const pages = await sql<{ page: number; content: string }[]>`
      select page, content from public.document_chunks where document_id = ${pdf.documentId} order by chunk_index`;
    expect(pages.map((chunk) => chunk.page)).toEqual([1, 2]);
    expect(pages[0].content).toContain("O uniforme é obrigatório nas lojas (exceto às sextas-feiras).");
    const [garage] = await searchAs(sql, company.owner, "sorteio das vagas da garagem", [baseId]);
    expect(garage).toMatchObject({ document_id: pdf.documentId, page: 2 });

    expect(await settledDocument(sql, docx.documentId, docx.version)).toMatchObject({ status: "ready", failure_code: null, chunk_count: 2 });
    const sections = await sql<{ heading_path: string[]; content: string }[]>`
      select heading_path, content from public.document_chunks where document_id = ${docx.documentId} order by chunk_index`;
    expect(sections).toEqual([
      { heading_path: ["Primeiro dia"], content: "O crachá é entregue pela recepção às nove horas." },
      { heading_path: ["Primeiro dia", "Equipamentos"], content: "O notebook chega configurado & com a VPN instalada." },
    ]);
    const [laptop] = await searchAs(sql, company.owner, "notebook com VPN", [baseId]);
    expect(laptop).toMatchObject({ document_id: docx.documentId, heading_path: ["Primeiro dia", "Equipamentos"] });
  });

  it("ingests pasted text and a web page fetched through the egress rules", async () => {
    const pastedId = await createDocument(sql, company.owner, baseId, { title: "Horário", source: "text" });
    const pastedVersion = await addDocumentVersion(sql, company.owner, pastedId, { pasted_text: "O escritório abre às oito horas e fecha às dezoito horas." });
    const pageId = await createDocument(sql, company.owner, baseId, { title: "Política de senhas", source: "url", source_url: `${site.url}/politica.html` });
    const pageVersion = await addDocumentVersion(sql, company.owner, pageId, {});

    expect(await settledDocument(sql, pastedId, pastedVersion)).toMatchObject({ status: "ready", chunk_count: 1 });
    expect(await settledDocument(sql, pageId, pageVersion)).toMatchObject({ status: "ready", chunk_count: 1 });
    expect(site.requested).toContain("/politica.html");
    const [page] = await sql<{ content: string; heading_path: string[] }[]>`select content, heading_path from public.document_chunks where document_id = ${pageId}`;
    expect(page).toEqual({ content: "Senhas devem ter doze caracteres & ser trocadas a cada noventa dias.", heading_path: ["Segurança"] });
    expect((await searchAs(sql, company.owner, "que horas o escritório abre", [baseId]))[0].document_id).toBe(pastedId);
    expect((await searchAs(sql, company.owner, "troca de senhas", [baseId]))[0].document_id).toBe(pageId);
  });

  it("announces each document's status live on the base's private topic, to its company only", async () => {
    const client = realtimeClient();
    await client.setAuth(company.owner.token);
    const channel = client.channel(`knowledge:${baseId}`, { config: { private: true } });
    const received = collectBroadcasts(channel);
    await subscribed(channel);
    try {
      const id = await createDocument(sql, company.owner, baseId, { title: "Título reservado", source: "text" });
      const version = await addDocumentVersion(sql, company.owner, id, { pasted_text: "O estacionamento fecha à meia-noite." });
      expect(await settledDocument(sql, id, version)).toMatchObject({ status: "ready" });
      const statuses = await waitFor(async () => {
        const mine = received.filter((message) => message.event === "document_status" && message.payload.document_id === id);
        return mine.some((message) => message.payload.status === "ready") ? mine.map((message) => message.payload) : null;
      }, "the document's ready broadcast", 30_000, 100);
      expect(statuses.map((payload) => payload.status)).toEqual(["pending", "processing", "ready"]);
      expect(statuses[2]).toMatchObject({ knowledge_base_id: baseId, current_version: version, chunk_count: 1, failure_code: null });
      expect(JSON.stringify(received)).not.toContain("Título reservado");
      expect(JSON.stringify(received)).not.toContain("estacionamento");

      const stranger = realtimeClient();
      await stranger.setAuth(other.owner.token);
      const refused = await subscribe(stranger.channel(`knowledge:${baseId}`, { config: { private: true } }));
      expect(refused.status).toBe("CHANNEL_ERROR");
      expect(refused.error?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: knowledge:${baseId}`);
    } finally {
      await closeAllClients();
    }
  });

  it("records why a version failed, with a code, and keeps the previous version searchable", async () => {
    const documentId = await createDocument(sql, company.owner, baseId, { title: "Benefícios", source: "text" });
    await addDocumentVersion(sql, company.owner, documentId, { pasted_text: "O vale-refeição é creditado no quinto dia útil." });
    await settledDocument(sql, documentId, 1);
    // Version 2 carries no text: nothing to ingest.
    const second = await addDocumentVersion(sql, company.owner, documentId, {});
    expect(await settledDocument(sql, documentId, second)).toMatchObject({
      status: "failed", failure_code: "document_source_missing", current_version: 1, latest_version: 2, chunk_count: 1,
    });
    const hits = await searchAs(sql, company.owner, "vale-refeição quinto dia útil", [baseId]);
    expect(hits[0]).toMatchObject({ document_id: documentId, version: 1 });

    const internal = await createDocument(sql, company.owner, baseId, { title: "Metadados", source: "url", source_url: "http://169.254.169.254/latest/meta-data/" });
    const internalVersion = await addDocumentVersion(sql, company.owner, internal, {});
    const refused = await settledDocument(sql, internal, internalVersion);
    expect(refused).toMatchObject({ status: "failed", failure_code: "document_fetch_failed", failure_reason: "the address was refused (address_not_allowed)" });

    const pdf = await createDocument(sql, company.owner, baseId, { title: "Contrato", source: "upload", file_name: "contrato.pdf", mime_type: "application/pdf" });
    const pdfPath = `${company.tenantId}/${pdf}/1/contrato.pdf`;
    // Only a PDF's first line: no parser can read it.
    expect((await storageAs(company.owner.token).from("documents").upload(pdfPath, new Blob(["%PDF-1.4"], { type: "application/pdf" }), { contentType: "application/pdf" })).error).toBeNull();
    const pdfVersion = await addDocumentVersion(sql, company.owner, pdf, { storage_path: pdfPath });
    expect(await settledDocument(sql, pdf, pdfVersion)).toMatchObject({
      status: "failed", failure_code: "document_unreadable", failure_reason: "the PDF file could not be read (damaged, protected by a password, or not a PDF file)",
    });
  });

  it("keeps each company's files to itself in the documents bucket", async () => {
    const documentId = await createDocument(sql, company.owner, baseId, { title: "Segredo", source: "upload", file_name: "segredo.md" });
    const path = `${company.tenantId}/${documentId}/1/segredo.md`;
    expect((await storageAs(company.owner.token).from("documents").upload(path, new Blob(["sigilo"], { type: "text/markdown" }), { contentType: "text/markdown" })).error).toBeNull();

    const stranger = storageAs(other.owner.token).from("documents");
    expect((await stranger.download(path)).error).not.toBeNull();
    expect((await stranger.upload(`${company.tenantId}/${documentId}/2/planted.md`, new Blob(["x"], { type: "text/markdown" }), { contentType: "text/markdown" })).error).not.toBeNull();
    // Into their own folder, but naming another company's document: refused too.
    expect((await stranger.upload(`${other.tenantId}/${documentId}/1/planted.md`, new Blob(["x"], { type: "text/markdown" }), { contentType: "text/markdown" })).error).not.toBeNull();

    const analyst = await signUp("knowledge-analyst");
    await addMember(sql, company.tenantId, analyst, "analyst");
    const analystFiles = storageAs(analyst.token).from("documents");
    expect(await (await analystFiles.download(path)).data?.text()).toBe("sigilo");
    expect((await analystFiles.upload(`${company.tenantId}/${documentId}/2/analyst.md`, new Blob(["x"], { type: "text/markdown" }), { contentType: "text/markdown" })).error).not.toBeNull();
    await sql`delete from auth.users where id = ${analyst.id}`;
  });
});
