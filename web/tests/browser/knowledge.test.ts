// Knowledge in the browser (#14): a builder creates a base, adds pasted text and a file (the API's
// two-step upload, through Storage), watches ingestion finish, searches it in the playground with
// both score parts, keeps versions, deletes; the agent form picks the base. An analyst sees the
// bases read-only at phone and desktop widths, in both languages; another company's link and a
// deleted base's link answer the 404 page.
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

const sql = postgres(stackEnv("DB_URL"), { max: 1 });
let chromium: LaunchedBrowser;
let ownerContext: BrowserContext;
let ownerPage: Page;
let owner: ApiPerson;
let baseId = "";

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context: ownerContext, page: ownerPage } = await newPage(chromium.browser));
  const account = await signUp(ownerPage, "Kátia Livreira");
  await createCompany(ownerPage, "Livraria Kátia");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await ownerContext?.close();
  await chromium?.close();
  await sql.end();
});

/** What sticks out sideways, named (so a failure says which element it is). */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${String(element.className).slice(0, 80)}`),
  );
}

/** Waits (the page refreshes itself while documents are queued) until the document is ready. */
async function readyRow(page: Page, title: string) {
  const row = page.getByTestId("document-row").filter({ hasText: title });
  await row.and(page.locator("[data-status=ready]")).waitFor({ timeout: 60_000 });
  return row;
}

describe("a builder", () => {
  it("creates a base from the navigation and lands on it", async () => {
    await open(ownerPage, "/");
    await ownerPage.getByRole("link", { name: "Conhecimento" }).first().click();
    await ownerPage.getByText("Nenhuma base de conhecimento ainda").waitFor();
    await ownerPage.getByLabel("Nome", { exact: true }).fill("Manual da Livraria");
    await ownerPage.getByLabel("Descrição").fill("Trocas, horários e entregas");
    await ownerPage.getByRole("button", { name: "Criar base" }).click();
    await ownerPage.waitForURL(/\/knowledge\/[0-9a-f-]{36}$/);
    baseId = ownerPage.url().split("/").pop() ?? "";
    await ownerPage.getByText("Base Manual da Livraria criada.").waitFor();
    expect(await ownerPage.getByRole("heading", { level: 1 }).textContent()).toBe("Manual da Livraria");
  });

  it("adds pasted text and a file, sees both become ready, and finds them in the playground with both score parts", async () => {
    const textForm = ownerPage.getByRole("form", { name: "Adicionar texto" });
    await textForm.getByLabel("Título").fill("Política de trocas");
    await textForm.getByLabel("Texto", { exact: true }).fill("Trocas de livros são aceitas em até trinta dias, com a nota fiscal e o livro sem marcas.");
    await textForm.getByRole("button", { name: "Adicionar texto" }).click();
    await ownerPage.getByText("Documento Política de trocas adicionado; a leitura começou.").waitFor();

    const uploadForm = ownerPage.getByRole("form", { name: "Enviar arquivo" });
    await uploadForm.getByLabel("Arquivo (texto, Markdown, HTML, CSV, PDF ou Word .docx)").setInputFiles({
      name: "horarios.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Horários\n\nA livraria abre de segunda a sábado, das nove às dezenove horas.\n"),
    });
    await uploadForm.getByRole("button", { name: "Enviar arquivo" }).click();
    await ownerPage.getByText("Documento horarios.md adicionado; a leitura começou.").waitFor();

    await readyRow(ownerPage, "Política de trocas");
    const fileRow = await readyRow(ownerPage, "horarios.md");
    expect(await fileRow.innerText()).toContain("Arquivo");
    const [stored] = await sql<{ objects: number }[]>`
      select count(*)::int as objects from storage.objects o
      join public.documents d on o.name like d.tenant_id || '/' || d.id || '/%'
      where o.bucket_id = 'documents' and d.knowledge_base_id = ${baseId}`;
    expect(stored.objects).toBe(1);

    await ownerPage.getByRole("searchbox", { name: "Pergunta ou palavras" }).fill("livraria abre sábado");
    await ownerPage.getByRole("button", { name: "Buscar" }).click();
    const first = ownerPage.getByTestId("search-result").first();
    await first.waitFor();
    const shown = await first.innerText();
    expect(shown).toContain("horarios.md");
    expect(shown).toMatch(/nota \d\.\d\d · vetor \d\.\d\d · texto \d\.\d\d/);

    await ownerPage.getByRole("searchbox", { name: "Pergunta ou palavras" }).fill("xilogravura");
    await ownerPage.getByRole("button", { name: "Buscar" }).click();
    await ownerPage.getByTestId("search-empty").waitFor();
  });

  it("keeps versions of a text, reads it again, and deletes a document", async () => {
    await ownerPage.getByRole("link", { name: "Política de trocas" }).click();
    const detail = ownerPage.getByTestId("document-detail");
    await detail.waitFor();
    await detail.getByRole("textbox", { name: "Nova versão do texto" }).fill("Trocas de livros são aceitas em até quinze dias, com a nota fiscal.");
    await detail.getByRole("button", { name: "Salvar nova versão" }).click();
    await ownerPage.getByText("Nova versão adicionada; a leitura começou.").waitFor();
    await expect.poll(() => detail.getByTestId("document-versions").locator("li").count()).toBe(2);
    expect(await detail.getByTestId("document-versions").innerText()).toContain("versão 2 · substituída");
    await readyRow(ownerPage, "Política de trocas");

    await detail.getByRole("button", { name: "Ler de novo" }).click();
    await ownerPage.getByText("O documento será lido de novo.").waitFor();
    await expect.poll(() => detail.getByTestId("document-versions").locator("li").count()).toBe(3);
    await readyRow(ownerPage, "Política de trocas");

    await detail.getByRole("button", { name: "Excluir" }).click();
    await ownerPage.getByRole("alertdialog").getByRole("button", { name: "Excluir" }).click();
    await ownerPage.getByText("Documento excluído.").waitFor();
    await expect.poll(() => ownerPage.getByTestId("document-row").count()).toBe(1);
  });

  it("refuses a private address, saying why", async () => {
    const urlForm = ownerPage.getByRole("form", { name: "Adicionar endereço" });
    await urlForm.getByLabel("Título").fill("Intranet");
    await urlForm.getByLabel("Endereço", { exact: true }).fill("http://127.0.0.1/precos");
    await urlForm.getByRole("button", { name: "Adicionar endereço" }).click();
    await urlForm.getByRole("alert").waitFor();
    expect(await ownerPage.getByTestId("document-row").count()).toBe(1);
  });

  it("picks the base on the agent form", async () => {
    await open(ownerPage, "/agents/new");
    await ownerPage.getByLabel("Nome", { exact: true }).fill("Atendente da livraria");
    const picker = ownerPage.getByTestId("agent-knowledge-bases");
    await picker.getByLabel(/Manual da Livraria/).check();
    await ownerPage.getByRole("button", { name: "Criar agente" }).click();
    await ownerPage.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
    const [agent] = await sql<{ knowledge_base_ids: string[] }[]>`
      select knowledge_base_ids from public.agents where tenant_id = ${owner.tenantId} and name = 'Atendente da livraria'`;
    expect(agent.knowledge_base_ids).toEqual([baseId]);
    // Unticked and saved: the agent no longer searches it.
    await ownerPage.getByTestId("agent-knowledge-bases").getByLabel(/Manual da Livraria/).uncheck();
    await ownerPage.getByRole("button", { name: "Salvar" }).first().click();
    await expect.poll(async () => (await sql`select knowledge_base_ids from public.agents where tenant_id = ${owner.tenantId} and name = 'Atendente da livraria'`)[0].knowledge_base_ids).toEqual([]);
  });
});

describe("a run of an agent that searches the base", () => {
  /** A run of a demo agent that searches the base, answering after `latencyMs`. */
  async function searchingRun(name: string, latencyMs: number): Promise<string> {
    const agent = await callApi(owner, "POST", "/agents", {
      name,
      provider: "demo",
      model: "demo-small",
      status: "active",
      config: { latency_ms: latencyMs },
      knowledge_base_ids: [baseId],
    });
    const team = await callApi(owner, "POST", "/teams", {
      name: `Balcão ${name}`,
      workflow_type: "sequential",
      config: { timeout_seconds: 300, max_parallel_agents: 5, continue_on_error: false },
      agents: [{ agent_id: agent.id, role: "member", execution_order: 1 }],
    });
    const started = await callApi(owner, "POST", `/teams/${team.id}/execute`, { initial_prompt: "A livraria abre no sábado?" });
    return started.execution_id;
  }

  const runStatus = async (id: string) => (await sql<{ status: string }[]>`select status::text from public.executions where id = ${id}`)[0]?.status;

  it("shows the passages its agent was given, each linking to its document", async () => {
    const runId = await searchingRun("Livreiro", 0);
    // The finished run's page, whose status read carries the passages.
    await expect.poll(() => runStatus(runId), { timeout: 60_000 }).toBe("completed");
    await open(ownerPage, `/executions/${runId}`);
    const sources = ownerPage.getByTestId("agent-sources");
    await sources.waitFor();
    expect(await sources.getByTestId("agent-source").first().innerText()).toBe("[1] horarios.md — Horários");
    await sources.getByRole("link", { name: "horarios.md" }).first().click();
    await ownerPage.waitForURL(new RegExp(`/knowledge/${baseId}\\?document=`));
    await ownerPage.getByTestId("document-detail").waitFor();
  });

  it("opened while its agent works, the monitor shows the passages once the result is in", async () => {
    // Opened at once: the page's status read may come before the agent searched and its log read
    // after the result (then the page reads the status again on arrival), or the result arrives live.
    for (const [name, latencyMs] of [["Livreira rápida", 0], ["Livreira pensativa", 2_000]] as const) {
      const runId = await searchingRun(name, latencyMs);
      await open(ownerPage, `/executions/${runId}`);
      const sources = ownerPage.getByTestId("agent-sources");
      await sources.waitFor();
      expect(await sources.getByTestId("agent-source").first().innerText()).toBe("[1] horarios.md — Horários");
    }
  });
});

describe("an analyst of the company", () => {
  it("reads the bases without a way to change them, at phone and desktop widths, in Portuguese and English", async () => {
    const { context, page } = await newPage(chromium.browser, 390);
    const analyst = await signUp(page, "Ana Leitora");
    await sql`
      insert into public.memberships (tenant_id, user_id, role)
      select ${owner.tenantId}, u.id, 'analyst' from auth.users u where u.email = ${analyst.email}`;
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, "/knowledge");
      await page.getByTestId("knowledge-read-only").waitFor();
      expect(await page.getByRole("button", { name: "Criar base" }).count()).toBe(0);
      expect(await horizontalOverflow(page), (await overflowing(page)).join(" | ")).toBeLessThanOrEqual(0);
      await open(page, `/knowledge/${baseId}`);
      await page.getByRole("heading", { level: 1, name: "Manual da Livraria" }).waitFor();
      for (const action of ["Adicionar texto", "Enviar arquivo", "Excluir base", "Editar base"]) {
        expect(await page.getByRole("button", { name: action }).or(page.getByText(action, { exact: true })).count(), action).toBe(0);
      }
      expect(await page.getByTestId("document-row").count()).toBe(1);
      expect(await horizontalOverflow(page), (await overflowing(page)).join(" | ")).toBeLessThanOrEqual(0);
    }
    await page.getByRole("button", { name: "English" }).first().click();
    await expect.poll(() => page.getByTestId("knowledge-read-only").textContent()).toBe("Your role in this company lets you consult the bases, not change them.");
    expect(await page.getByRole("heading", { name: "Documents" }).isVisible()).toBe(true);
    await page.getByRole("searchbox", { name: "Question or words" }).fill("livraria abre");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    expect(await page.getByTestId("search-result").first().innerText()).toMatch(/score \d\.\d\d · vector \d\.\d\d · text \d\.\d\d/);
    await context.close();
  });
});

describe("links that lead nowhere", () => {
  it("another company's base and a deleted base answer the 404 page", async () => {
    const other = await newPage(chromium.browser, 390);
    await signUp(other.page, "Otávio Vizinho");
    await createCompany(other.page, "Sebo do Otávio");
    const answer = await other.page.goto(`/knowledge/${baseId}`);
    expect(answer?.status()).toBe(404);
    expect(await other.page.getByRole("heading", { level: 1 }).textContent()).toBe("Página não encontrada");
    expect(await other.page.content()).not.toContain("Manual da Livraria");
    await other.context.close();

    const doomed = await callApi(owner, "POST", "/knowledge-bases", { name: "Base temporária" });
    await open(ownerPage, `/knowledge/${doomed.id}`);
    await ownerPage.getByRole("button", { name: "Excluir base" }).click();
    await ownerPage.getByRole("alertdialog").getByRole("button", { name: "Excluir base" }).click();
    await ownerPage.waitForURL((url) => url.pathname === "/knowledge");
    await ownerPage.getByText("Base excluída.").waitFor();
    expect(await ownerPage.getByTestId("knowledge-base-row").count()).toBe(1);
    const gone = await ownerPage.goto(`/knowledge/${doomed.id}`);
    expect(gone?.status()).toBe(404);
    expect(await ownerPage.getByRole("heading", { level: 1 }).textContent()).toBe("Página não encontrada");
  });
});
