// What a person reads about runs, in the browser (#18): a team deleted with runs behind it (the
// dialog says the runs stay; the dashboard, the list and the run's page show them as "team
// deleted"), Stop only while a run can still be stopped, and every reason the engine gives
// (a condition not met, the run stopped) and the tool list in Portuguese — each page is checked for
// English sentences reaching it.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";
import { apiSession, callApi, createTeam, waitUntil, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;

// Words of English sentences (the engine's and the API's) that no Portuguese sentence of the app
// uses: any of them in a Portuguese page is a message that reached it untranslated.
const englishWords = /\b(the|was|were|has|have|not|and|which|this|with|agent|agents|run|runs|team|stopped|failed|condition|met|value|nothing|leader)\b/i;

/** The page's visible sentences that read as English (none on a Portuguese page). */
async function englishOnPage(): Promise<string[]> {
  const text = await page.locator("main").innerText();
  return text.split("\n").map((line) => line.trim()).filter((line) => englishWords.test(line));
}

async function status(id: string): Promise<string> {
  return (await callApi(owner, "GET", `/executions/${id}/status`)).status as string;
}

async function startRun(team: string, prompt: string, variables?: Record<string, unknown>): Promise<string> {
  const started = await callApi(owner, "POST", `/teams/${team}/execute`, { initial_prompt: prompt, ...(variables ? { variables } : {}) });
  return started.execution_id as string;
}

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Rita Campos");
  await createCompany(page, "Doceria Campos");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
});

describe("a team deleted with runs behind it", () => {
  it("says the runs stay, and the dashboard, the list and the run's page show them as the deleted team's", async () => {
    const team = await createTeam(owner, "Equipe Antiga", [0]);
    const run = await startRun(team, "Liste os pedidos de hoje");
    await waitUntil("the run to finish", async () => (await status(run)) === "completed");

    await open(page, `/teams/${team}`);
    await page.getByRole("button", { name: "Excluir", exact: true }).click();
    const dialog = page.getByRole("alertdialog");
    await expect(dialog.innerText()).resolves.toContain("as execuções dela ficam no histórico");
    await dialog.getByRole("button", { name: "Excluir equipe" }).click();
    await page.waitForURL((url) => url.pathname === "/teams");

    await open(page, "/");
    await expect(page.getByTestId("recent-executions").innerText()).resolves.toContain("Equipe Antiga (equipe excluída)");
    expect(await englishOnPage()).toEqual([]);

    await open(page, "/executions");
    await expect(page.getByTestId("execution-row").first().innerText()).resolves.toContain("Equipe Antiga (equipe excluída)");

    await page.getByRole("link", { name: "Abrir execução de Equipe Antiga (equipe excluída)" }).click();
    await page.waitForURL(`**/executions/${run}`);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Execução de Equipe Antiga (equipe excluída)");
    await expect(page.getByTestId("execution-status").innerText()).resolves.toContain("Concluída");
    expect(await englishOnPage()).toEqual([]);
  });
});

describe("stopping a run", () => {
  it("offers Stop while the run works, and not once it has ended; the cancelled agents say why in Portuguese", async () => {
    const team = await createTeam(owner, "Equipe Lenta", [30_000, 0]);
    const run = await startRun(team, "Demore bastante");
    await open(page, `/executions/${run}`);
    const stop = page.getByRole("button", { name: "Parar execução" });
    await stop.waitFor();
    await stop.click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Sim, parar" }).click();
    await page.getByText("Execução interrompida.").waitFor();
    await page.locator('[data-testid="execution-status"]', { hasText: "Cancelada" }).waitFor();
    await expect(stop.count()).resolves.toBe(0);

    await open(page, `/executions/${run}`);
    await expect(page.getByRole("button", { name: "Parar execução" }).count()).resolves.toBe(0);
    await expect(page.getByTestId("agent-status-card").first().innerText()).resolves.toContain("A execução foi interrompida.");
    expect(await englishOnPage()).toEqual([]);
  });
});

describe("a conditional team's skipped agent", () => {
  it("says in Portuguese which condition was not met and what it received", async () => {
    const first = await callApi(owner, "POST", "/agents", { name: "Triagem", provider: "demo", model: "demo-small", status: "active", config: { reply: "ok" } });
    const urgent = await callApi(owner, "POST", "/agents", { name: "Plantão", provider: "demo", model: "demo-small", status: "active", config: { reply: "ok" } });
    const team = await callApi(owner, "POST", "/teams", {
      name: "Equipe Condicional",
      workflow_type: "conditional",
      config: { timeout_seconds: 300, max_parallel_agents: 5, continue_on_error: false },
      agents: [
        { agent_id: first.id, role: "member", execution_order: 1 },
        { agent_id: urgent.id, role: "member", execution_order: 2, conditions: [{ field: "variables.urgente", operator: "equals", value: true }] },
      ],
    });
    const run = await startRun(team.id, "Chegou um pedido", { urgente: "sim" });
    await waitUntil("the run to finish", async () => (await status(run)) === "completed");

    await open(page, `/executions/${run}`);
    const skipped = page.getByTestId("agent-status-card").nth(1);
    await expect(skipped.innerText()).resolves.toContain('Pulado porque a condição não foi atendida: a variável "urgente" igual a true (valor recebido: sim).');
    expect(await englishOnPage()).toEqual([]);
  });
});

describe("the tool list", () => {
  it("names and describes each tool in Portuguese", async () => {
    await open(page, "/agents/new");
    const tools = page.getByRole("group", { name: "Ferramentas" });
    await expect(tools.innerText()).resolves.toContain("Busca na web");
    await expect(tools.innerText()).resolves.toContain("Calcula uma expressão aritmética.");
    expect(await englishOnPage()).toEqual([]);
  });
});
