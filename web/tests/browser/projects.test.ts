// Projects in the browser (#17): an owner creates a survey from the navigation (the script editor
// refusing a one-option question beside its field, then taking it), launches it with a CSV file
// that has a bad row (reported by row) and to a tag, sees the report's charts fill as answers are
// recorded, reads an interview's answers, cancels another, and downloads the CSV export and the
// PDF report. A member edits but does not launch; an analyst reads at phone and desktop widths in
// Portuguese and English; another company's project link and a deleted project's link answer the
// 404 page. A free-text question's most frequent words are ranked bars with their counts (accents
// folded, stop words left out, as project_report counts them), and a question nobody answered says
// so in words.
import { readFile } from "node:fs/promises";
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
let projectId = "";
const suffix = Date.now().toString().slice(-6);
const phone = (n: number) => `+55 11 9${suffix.slice(0, 4)}-${String(n).padStart(4, "0")}`;

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context: ownerContext, page: ownerPage } = await newPage(chromium.browser));
  const account = await signUp(ownerPage, "Paula Pesquisa");
  await createCompany(ownerPage, "Pesquisas da Paula");
  owner = await apiSession(account.email, account.password);
  await callApi(owner, "POST", "/inboxes", {
    provider: "evolution",
    display_name: "Pesquisas",
    provider_ids: { evolution_instance_name: `browser-projects-${suffix}`, evolution_base_url: "https://evolution.example.com" },
    secrets: { api_key: `browser-key-${crypto.randomUUID()}` },
  });
  await sql`insert into public.contacts (tenant_id, phone, name, tags) values (${owner.tenantId}, ${`+55119${suffix.slice(0, 4)}0009`}, 'Vera Vip', '{vip}')`;
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

async function addMember(role: "member" | "analyst", name: string, width: number) {
  const opened = await newPage(chromium.browser, width);
  const account = await signUp(opened.page, name);
  await sql`
    insert into public.memberships (tenant_id, user_id, role)
    select ${owner.tenantId}, u.id, ${role}::public.member_role from auth.users u where u.email = ${account.email}`;
  return opened;
}

describe("an owner", () => {
  it("creates a survey from the navigation; the script editor says what is wrong beside the question", async () => {
    await open(ownerPage, "/");
    await ownerPage.getByRole("link", { name: "Projetos" }).first().click();
    await ownerPage.getByText("Nenhum projeto ainda").waitFor();
    await ownerPage.getByRole("link", { name: "Novo projeto" }).click();
    await ownerPage.waitForURL("**/projects/new");
    await ownerPage.getByLabel("Nome", { exact: true }).fill("Pós-venda de dezembro");
    await ownerPage.getByLabel("Número que envia").selectOption({ label: "Pesquisas" });
    await ownerPage.getByLabel("Texto do convite").fill("Olá! Pode responder duas perguntas sobre sua compra?");
    await ownerPage.getByLabel("Convites por minuto").fill("30");
    await ownerPage.getByLabel("Segunda").fill("09:00-18:00");

    const first = ownerPage.getByTestId("question-editor").nth(0);
    await first.getByLabel("Código").fill("nota");
    await first.getByLabel("Tipo de resposta").selectOption("scale_1_5");
    await first.getByLabel("Pergunta", { exact: true }).fill("De 1 a 5, como foi a entrega?");
    await ownerPage.getByRole("button", { name: "Adicionar pergunta" }).click();
    const second = ownerPage.getByTestId("question-editor").nth(1);
    await second.getByLabel("Código").fill("canal");
    await second.getByLabel("Tipo de resposta").selectOption("one_of");
    await second.getByLabel("Pergunta", { exact: true }).fill("Como nos conheceu?");
    await second.getByLabel("Opções (uma por linha)").fill("Instagram");
    await ownerPage.getByRole("button", { name: "Criar projeto" }).click();

    const error = ownerPage.getByTestId("question-options-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("Dê pelo menos 2 opções.");
    expect(await ownerPage.getByTestId("question-editor").nth(0).getByLabel("Código").inputValue()).toBe("nota");
    await ownerPage.getByTestId("question-editor").nth(1).getByLabel("Opções (uma por linha)").fill("Instagram\nIndicação\nGoogle");
    await ownerPage.getByRole("button", { name: "Criar projeto" }).click();
    await ownerPage.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    projectId = ownerPage.url().split("/").pop() ?? "";
    await ownerPage.getByText("Projeto Pós-venda de dezembro criado.").waitFor();
    const [stored] = await sql<{ questions: { id: string; options?: string[]; required: boolean }[]; sending_hours: unknown; status: string }[]>`
      select questions, sending_hours, status from public.projects where id = ${projectId}`;
    expect(stored.status).toBe("draft");
    expect(stored.questions.map((question) => question.id)).toEqual(["nota", "canal"]);
    expect(stored.questions[1].options).toEqual(["Instagram", "Indicação", "Google"]);
    expect(stored.sending_hours).toEqual({ mon: [["09:00", "18:00"]] });
  });

  it("launches with a CSV file that has a bad row, and sees which row and why", async () => {
    const csv = ["telefone;nome", `${phone(1)};Ana Souza`, "12345;Número ruim", `${phone(2)};"Bruno; o das aspas"`].join("\n");
    const upload = ownerPage.getByRole("form", { name: "Por planilha CSV" });
    await upload.getByLabel("Arquivo CSV").setInputFiles({ name: "clientes.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await upload.getByRole("button", { name: "Lançar para a planilha" }).click();
    const result = ownerPage.getByTestId("launch-result");
    await result.waitFor();
    expect(await result.innerText()).toContain("2 entrevistas novas de 2 contatos encontrados.");
    expect(await result.innerText()).toContain("3 linhas lidas, 2 contatos novos.");
    const rows = ownerPage.getByTestId("csv-row-error");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toMatch(/^3\s+12345\s+Telefone inválido$/);
    await expect.poll(() => ownerPage.getByTestId("interview-row").count()).toBe(2);
    expect(await ownerPage.getByTestId("project-status").first().textContent()).toContain("Ativo");

    await ownerPage.getByLabel("Com qualquer uma destas etiquetas").fill("vip");
    await ownerPage.getByRole("button", { name: "Lançar para a seleção" }).click();
    await expect.poll(() => ownerPage.getByTestId("launch-result").innerText()).toContain("1 entrevista nova de 1 contato encontrado.");
    await expect.poll(() => ownerPage.getByTestId("interview-row").count()).toBe(3);
  });

  it("sees the report's charts as answers are recorded, and reads an interview's answers", async () => {
    const interviews = await sql<{ id: string; name: string }[]>`
      select i.id, c.name from public.interviews i join public.contacts c on c.id = i.contact_id where i.project_id = ${projectId} order by c.name`;
    const answers: Record<string, [string, string]> = { "Ana Souza": ["5", "instagram"], "Bruno; o das aspas": ["3", "2"] };
    for (const interview of interviews) {
      const given = answers[interview.name];
      if (!given) continue;
      await sql`select private.record_interview_answer(${interview.id}, 'nota', ${given[0]})`;
      await sql`select private.record_interview_answer(${interview.id}, 'canal', ${given[1]})`;
    }
    await open(ownerPage, `/projects/${projectId}`);
    expect(await ownerPage.getByTestId("completion-rate").textContent()).toMatch(/^66,7\s?%$/);
    expect(await ownerPage.getByTestId("average-nota").textContent()).toContain("Média 4 · mín. 3 · máx. 5");
    const channel = await ownerPage.getByTestId("chart-canal").innerText();
    expect(channel.replace(/\s+/g, " ")).toBe("Instagram 1 Indicação 1 Google 0");
    const statuses = await ownerPage.getByTestId("chart-interview-statuses").innerText();
    expect(statuses.replace(/\s+/g, " ")).toContain("Concluída 2");

    await ownerPage.getByTestId("interview-row").filter({ hasText: "Ana Souza" }).getByRole("link").click();
    const detail = ownerPage.getByTestId("interview-detail");
    await detail.waitFor();
    expect((await detail.getByTestId("interview-answers").innerText()).replace(/\s+/g, " ")).toBe("De 1 a 5, como foi a entrega? 5 Como nos conheceu? Instagram");
    expect(await detail.getByRole("button", { name: "Cancelar entrevista" }).count()).toBe(0);
  });

  it("cancels an interview that has not ended, with a reason", async () => {
    await ownerPage.getByTestId("interview-row").filter({ hasText: "Vera Vip" }).getByRole("link").click();
    const detail = ownerPage.getByTestId("interview-detail");
    await detail.getByText("Vera Vip", { exact: false }).first().waitFor();
    await detail.getByLabel("Motivo").fill("Pediu para não participar");
    await detail.getByRole("button", { name: "Cancelar entrevista" }).click();
    await ownerPage.getByText("Entrevista cancelada.").waitFor();
    await expect.poll(() => detail.innerText()).toContain("Motivo do cancelamento: Pediu para não participar");
    expect(await ownerPage.getByTestId("completion-rate").textContent()).toMatch(/^100\s?%$/);
  });

  it("downloads the CSV export: one row per interview, one column per question", async () => {
    const [download] = await Promise.all([ownerPage.waitForEvent("download"), ownerPage.getByTestId("project-export").click()]);
    expect(download.suggestedFilename()).toMatch(/^project-[0-9a-f]{8}-interviews\.csv$/);
    const text = (await readFile((await download.path())!, "utf8")).replace(/^\uFEFF/, "");
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("interview_id,contact_name,contact_phone,status,created_at,invited_at,started_at,completed_at,ended_at,nota,canal");
    expect(lines).toHaveLength(4);
    expect(lines.find((line) => line.includes("Ana Souza"))).toMatch(/,completed,.*,5,Instagram$/);
    expect(lines.find((line) => line.includes("aspas"))).toContain('"Bruno; o das aspas"');
    expect(lines.find((line) => line.includes("Vera Vip"))).toMatch(/,cancelled,.*,,$/);
  });

  it("downloads the report as a PDF", async () => {
    const [download] = await Promise.all([ownerPage.waitForEvent("download"), ownerPage.getByTestId("project-export-pdf").click()]);
    expect(download.suggestedFilename()).toMatch(/^project-[0-9a-f]{8}-report\.pdf$/);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });
});

describe("the company's other people", () => {
  it("a member edits the project but is not offered launching", async () => {
    const { context, page } = await addMember("member", "Mário Membro", 1280);
    await open(page, `/projects/${projectId}`);
    await page.getByRole("heading", { level: 1, name: "Pós-venda de dezembro" }).waitFor();
    expect(await page.getByTestId("project-launch").count()).toBe(0);
    await page.getByRole("link", { name: "Editar" }).click();
    await page.waitForURL(`**/projects/${projectId}/edit`);
    await page.getByText("O roteiro fica fixo depois que o projeto sai do rascunho.").waitFor();
    await page.getByLabel("Convites por minuto").fill("12");
    await page.getByRole("button", { name: "Salvar" }).click();
    await page.waitForURL((url) => url.pathname === `/projects/${projectId}`);
    await page.getByText("Projeto salvo.").waitFor();
    const [stored] = await sql<{ send_rate_per_minute: number; questions: unknown[] }[]>`select send_rate_per_minute, questions from public.projects where id = ${projectId}`;
    expect(stored.send_rate_per_minute).toBe(12);
    expect(stored.questions).toHaveLength(2);
    await context.close();
  });

  it("an analyst reads the projects at phone and desktop widths, in Portuguese and English", async () => {
    const { context, page } = await addMember("analyst", "Ana Analista", 390);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, "/projects");
      await page.getByTestId("projects-read-only").waitFor();
      expect(await page.getByRole("link", { name: "Novo projeto" }).count()).toBe(0);
      expect((await page.getByTestId("project-row").innerText()).replace(/\s+/g, " ")).toContain("3 entrevistas · 2 concluídas");
      expect(await horizontalOverflow(page), (await overflowing(page)).join(" | ")).toBeLessThanOrEqual(0);
      await open(page, `/projects/${projectId}`);
      await page.getByRole("heading", { level: 1, name: "Pós-venda de dezembro" }).waitFor();
      for (const action of ["Editar", "Pausar", "Concluir", "Excluir projeto"]) {
        expect(await page.getByRole("button", { name: action }).or(page.getByRole("link", { name: action, exact: true })).count(), action).toBe(0);
      }
      expect(await page.getByTestId("project-launch").count()).toBe(0);
      expect(await page.getByTestId("project-export").count()).toBe(1);
      expect(await page.getByTestId("project-export-pdf").count()).toBe(1);
      expect(await horizontalOverflow(page), (await overflowing(page)).join(" | ")).toBeLessThanOrEqual(0);
    }
    await page.getByRole("button", { name: "English" }).first().click();
    await expect.poll(() => page.getByTestId("projects-read-only").textContent()).toBe("Your role in this company lets you consult the projects, not change them.");
    expect(await page.getByRole("heading", { name: "Interviews" }).isVisible()).toBe(true);
    expect((await page.getByTestId("chart-canal").innerText()).replace(/\s+/g, " ")).toBe("Instagram 1 Indicação 1 Google 0");
    expect(await page.getByTestId("average-nota").textContent()).toContain("Average 4 · min 3 · max 5");
    await page.getByRole("link", { name: "Download CSV" }).waitFor();
    // Ten sections in the bar at 1280 px, in the longer language too.
    await page.getByRole("navigation").getByRole("link", { name: "Projects" }).first().waitFor();
    expect(await horizontalOverflow(page), (await overflowing(page)).join(" | ")).toBeLessThanOrEqual(0);
    await context.close();
  });
});

describe("links that lead nowhere", () => {
  it("another company's project and its export answer 404", async () => {
    const other = await newPage(chromium.browser, 390);
    await signUp(other.page, "Otávio Vizinho");
    await createCompany(other.page, "Pesquisas do Otávio");
    const answer = await other.page.goto(`/projects/${projectId}`);
    expect(answer?.status()).toBe(404);
    expect(await other.page.getByRole("heading", { level: 1 }).textContent()).toBe("Página não encontrada");
    expect(await other.page.content()).not.toContain("Pós-venda de dezembro");
    const exported = await other.page.request.get(`/projects/${projectId}/interviews.csv`);
    expect(exported.status()).toBe(404);
    expect(await exported.text()).not.toContain("Ana Souza");
    expect((await other.page.request.get(`/projects/${projectId}/report.pdf`)).status()).toBe(404);
    expect((await other.page.goto("/projects/not-an-id"))?.status()).toBe(404);
    await other.context.close();
  });

  it("a deleted project answers 404", async () => {
    const doomed = await callApi(owner, "POST", "/projects", { name: "Rascunho descartável" });
    await open(ownerPage, `/projects/${doomed.id}`);
    await ownerPage.getByRole("button", { name: "Excluir projeto" }).click();
    await ownerPage.getByRole("alertdialog").getByRole("button", { name: "Excluir projeto" }).click();
    await ownerPage.waitForURL((url) => url.pathname === "/projects");
    await ownerPage.getByText("Projeto excluído.").waitFor();
    expect(await ownerPage.getByTestId("project-row").count()).toBe(1);
    const gone = await ownerPage.goto(`/projects/${doomed.id}`);
    expect(gone?.status()).toBe(404);
    expect(await ownerPage.getByRole("heading", { level: 1 }).textContent()).toBe("Página não encontrada");
  });
});

describe("free-text answers", () => {
  // Five answers to one free-text question: "Ótimo", "otimo" and "ÓTIMO" are one word shown as its
  // most frequent spelling; "mas" and "foi" are stop words, "a", "o", "e" and "ok" too short.
  const freeTextAnswers = [
    "Ótimo atendimento, entrega rápida e preço justo.",
    "otimo atendimento mas a entrega atrasou",
    "ÓTIMO! O atendimento foi ótimo, entrega ok.",
    "Preço alto, porém atendimento bom",
    "Ótimo.",
  ];
  const rankedWords = "ótimo 5 atendimento 4 entrega 3 preço 2 alto 1 atrasou 1 bom 1 justo 1 porém 1 rápida 1";

  it("shows the most frequent words as ranked bars with their counts, at phone and desktop widths, in Portuguese and English", async () => {
    const { context, page } = await newPage(chromium.browser, 390);
    const account = await signUp(page, "Flávia Textos");
    await createCompany(page, "Opiniões da Flávia");
    const person = await apiSession(account.email, account.password);
    const project = await callApi(person, "POST", "/projects", {
      name: "Opinião livre",
      questions: [
        { id: "opiniao", text: "O que achou da compra?", answer_type: "free_text" },
        { id: "extra", text: "Algo mais?", answer_type: "free_text", required: false },
      ],
    });
    for (const [n, answer] of freeTextAnswers.entries()) {
      const [interview] = await sql<{ id: string }[]>`
        with contact as (
          insert into public.contacts (tenant_id, phone, name) values (${person.tenantId}, ${`+55219${suffix.slice(0, 4)}${String(n).padStart(4, "0")}`}, ${`Cliente ${n}`})
          returning id)
        insert into public.interviews (tenant_id, project_id, contact_id, status, invited_at)
        select ${person.tenantId}, ${project.id}, contact.id, 'invited', now() from contact returning id`;
      await sql`select private.record_interview_answer(${interview.id}, 'opiniao', ${answer})`;
    }

    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, `/projects/${project.id}`);
      const words = page.getByTestId("words-opiniao");
      await words.waitFor();
      await page.getByText("Palavras mais frequentes nas respostas").waitFor();
      expect((await words.innerText()).replace(/\s+/g, " ").trim()).toBe(rankedWords);
      expect(await words.getByRole("listitem").count()).toBe(10);
      const labels = await words.locator("li > span:first-child").allTextContents();
      expect(labels).toEqual(rankedWords.split(" ").filter((_, index) => index % 2 === 0));
      for (const absent of ["otimo", "ÓTIMO", "mas", "foi", "ok", "a", "o", "e"]) expect(labels, absent).not.toContain(absent);
      // The bars' widths follow the counts: the first is full, the fourth is two fifths of it.
      const widths = await words.locator("li span span").evaluateAll((bars) => bars.map((bar) => (bar as HTMLElement).style.width));
      expect(widths.slice(0, 4)).toEqual(["100%", "80%", "60%", "40%"]);
      // The optional question nobody answered says so in words, no empty chart.
      expect(await page.getByTestId("words-extra").textContent()).toBe("Ainda sem palavras para mostrar.");
      expect(await page.getByTestId("words-extra").getByRole("listitem").count()).toBe(0);
      expect(await horizontalOverflow(page), (await overflowing(page)).join(" | ")).toBeLessThanOrEqual(0);
    }
    await page.getByRole("button", { name: "English" }).first().click();
    await expect.poll(() => page.getByText("Most frequent words in the answers").count()).toBe(1);
    expect((await page.getByTestId("words-opiniao").innerText()).replace(/\s+/g, " ").trim()).toBe(rankedWords);
    expect(await page.getByTestId("words-extra").textContent()).toBe("No words to show yet.");
    await page.setViewportSize({ width: 390, height: 780 });
    expect(await horizontalOverflow(page), (await overflowing(page)).join(" | ")).toBeLessThanOrEqual(0);

    // A project with a free-text question and no answers yet: the empty state in words.
    const empty = await callApi(person, "POST", "/projects", {
      name: "Ainda sem respostas",
      questions: [{ id: "opiniao", text: "O que achou?", answer_type: "free_text" }],
    });
    await open(page, `/projects/${empty.id}`);
    await expect.poll(() => page.getByTestId("words-opiniao").textContent()).toBe("No words to show yet.");
    expect(await page.getByTestId("words-opiniao").getByRole("listitem").count()).toBe(0);
    expect(await page.getByText("Most frequent words in the answers").count()).toBe(0);
    await context.close();
  });
});
