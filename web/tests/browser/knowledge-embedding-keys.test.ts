// The knowledge base form's embedder (#14): an owner whose company has a key shared with its runs
// picks the OpenAI-compatible embedder and that key; a key nobody shared is not offered; without a
// shared key the form says the base is lexical and offers nothing else.
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";
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
});
