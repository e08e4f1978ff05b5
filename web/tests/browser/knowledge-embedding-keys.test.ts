// The knowledge base form's embedder (#14): an owner whose company has a key shared with its runs
// picks the OpenAI-compatible embedder and that key; a key nobody shared is not offered; without a
// shared key the form says the base is lexical and offers nothing else. On a base's own page the
// owner changes its embeddings, warned that every document is read again (phone and desktop widths,
// Portuguese and English), and saving queues that re-reading.
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

const sql = postgres(stackEnv("DB_URL"), { max: 1 });
let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Otávio Semântico");
  await createCompany(page, "Semântica Ltda");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
  await sql.end();
});

describe("the knowledge base form", () => {
  it("offers only the lexical embedder while the company shares no key", async () => {
    await callApi(owner, "POST", "/api-keys", { service: "openai", api_key: "sk-unshared-0000001", tenant_id: owner.tenantId });
    await open(page, "/knowledge");
    await page.getByText("Léxico (palavras e trechos de letras, não semântico)").waitFor();
    expect(await page.getByLabel("Embeddings").count()).toBe(0);
  });

  it("lets an owner pick the OpenAI-compatible embedder with a shared key", async () => {
    const key = await callApi(owner, "POST", "/api-keys", {
      service: "openai-compatible", api_key: "sk-shared-embed-0002", tenant_id: owner.tenantId, endpoint_url: "https://embeddings.example.com/v1",
    });
    await callApi(owner, "PUT", `/api-keys/${key.id}/sharing`, { shared: true });
    await open(page, "/knowledge");
    await page.getByLabel("Nome", { exact: true }).fill("Manual semântico");
    await page.getByLabel("Embeddings").selectOption("openai_compatible");
    const keys = page.getByLabel("Chave que paga os embeddings");
    // The unshared openai key is not among the choices.
    expect(await keys.locator("option").allTextContents()).toEqual([expect.stringContaining("openai-compatible ••••0002 · https://embeddings.example.com/v1")]);
    await page.getByRole("button", { name: "Criar base" }).click();
    await page.waitForURL(/\/knowledge\/[0-9a-f-]{36}$/);
    await page.getByText("Compatível com OpenAI").first().waitFor();
    const [base] = await sql<{ embedder: string; embedding_key_id: string; embedding_model: string }[]>`
      select embedder::text, embedding_key_id, embedding_model from public.knowledge_bases where tenant_id = ${owner.tenantId} and name = 'Manual semântico'`;
    expect(base).toEqual({ embedder: "openai_compatible", embedding_key_id: key.id, embedding_model: "text-embedding-3-small" });
  });

  it("lets an owner change a base's embeddings, warning that its documents are read again, and saving queues it", async () => {
    const base = await callApi(owner, "POST", "/knowledge-bases", { name: "Manual léxico" });
    const created = await callApi(owner, "POST", "/documents", { source: "text", knowledge_base_id: base.id, title: "Horários", text: "A loja abre às nove horas." });
    const documentId = created.document.id as string;
    // Read by the lexical embedder first, so the change has something to read again.
    await expect.poll(async () => (await sql<{ status: string }[]>`select status::text from public.documents where id = ${documentId}`)[0]?.status, { timeout: 30_000 }).toBe("ready");
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, `/knowledge/${base.id}`);
      await page.getByText("Editar base", { exact: true }).click();
      const embedder = page.getByLabel("Embeddings", { exact: true });
      expect(await embedder.inputValue()).toBe("lexical");
      expect(await page.getByTestId("reembed-warning").count()).toBe(0);
      await embedder.selectOption("openai_compatible");
      expect(await page.getByTestId("reembed-warning").textContent()).toBe(
        "Salvar com outros embeddings lê o 1 documento de novo; até cada um ficar pronto, a busca o encontra só pelas palavras.",
      );
      expect(await page.getByLabel("Chave que paga os embeddings").locator("option").allTextContents()).toEqual([expect.stringContaining("••••0002")]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    }
    await page.getByRole("button", { name: "English" }).first().click();
    // The page reloads its data in English: the form shows the base's embedder again until chosen.
    await page.getByText("Edit base", { exact: true }).waitFor();
    if (!(await page.getByLabel("Embeddings", { exact: true }).isVisible())) await page.getByText("Edit base", { exact: true }).click();
    await page.getByLabel("Embeddings", { exact: true }).selectOption("openai_compatible");
    await expect.poll(() => page.getByTestId("reembed-warning").textContent()).toBe(
      "Saving with other embeddings reads the 1 document again; until each is ready, search finds it by its words only.",
    );
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Base saved.").waitFor();
    const [saved] = await sql<{ embedder: string; embedding_model: string }[]>`
      select embedder::text, embedding_model from public.knowledge_bases where id = ${base.id}`;
    expect(saved).toEqual({ embedder: "openai_compatible", embedding_model: "text-embedding-3-small" });
    const versions = await sql<{ change: string }[]>`
      select change::text from public.document_versions where document_id = ${documentId} order by version`;
    expect(versions.map((version) => version.change)).toEqual(["created", "reingested"]);
    // The saved page's form holds the new embedder; whether its "Edit base" section is open after
    // the reload is the page's own business (closed under CI load once), so it is read attached.
    await page.getByLabel("Embeddings", { exact: true }).waitFor({ state: "attached" });
    expect(await page.getByLabel("Embeddings", { exact: true }).inputValue()).toBe("openai_compatible");
  });
});
