// A company's whole first journey, in the browser: sign up, create the company, add a provider key
// (only its last four characters shown), two demo agents, then one team per strategy — sequential,
// parallel with a leader, pipeline, conditional with a condition that holds — each made with the
// wizard, started from its execute page and followed live on the monitor until every agent is done,
// with a result and a cost; last, the dashboard counts the four runs of today and a spend above zero.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";
import { apiSession, callApi } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let account: { email: string; password: string };
const company = "Ateliê Bordado";
const agentNames = ["Pesquisadora", "Revisora"] as const;
const secretKey = `sk-${crypto.randomUUID()}-Q7rT`;
// When each run was started (before the click, after the monitor opened): "today" on the dashboard
// starts at midnight in São Paulo, which a run of this file may straddle.
const runTimes: { before: number; after: number }[] = [];

/** A call to the API as the person (password sign-in against the stack's Auth), in their first company. */
async function apiAs(email: string, password: string) {
  const person = await apiSession(email, password);
  return (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => callApi(person, method, path, body);
}

// Intl puts a no-break space between the currency sign and the amount.
const plain = (text: string | null) => (text ?? "").replace(/\u00a0|\u202f/g, " ");
const amount = (text: string) => Number(plain(text).replace(/[^\d,]/g, "").replace(",", "."));
const cards = () => page.getByTestId("agent-status-card");
const saoPauloDay = (time: number) => new Date(time).toLocaleDateString("en-CA", { timeZone: "America/Sao_Paulo" });
const live = { timeout: 60_000 };

/** The wizard from /teams/new: a name, both agents, the strategy (and what it needs), then create. */
async function createTeam(name: string, strategy: string, workflow: () => Promise<void> = async () => {}): Promise<string> {
  await open(page, "/teams/new");
  await page.getByLabel("Nome", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Continuar" }).click();
  for (const agent of agentNames) await page.getByLabel(agent).check();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.getByRole("radio", { name: strategy }).check();
  await workflow();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.locator("[data-testid=wizard-step][data-step=config]").waitFor();
  await page.getByRole("button", { name: "Continuar" }).click();
  await page.locator("[data-testid=wizard-step][data-step=review]").waitFor();
  await page.getByRole("button", { name: "Criar equipe" }).click();
  await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/, live);
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(name);
  return new URL(page.url()).pathname;
}

/** Runs the team from its execute page and follows the run on the monitor, on one page, to its end. */
async function runAndWatch(teamUrl: string, prompt: string): Promise<void> {
  await open(page, `${teamUrl}/execute`);
  await page.getByLabel("Pedido inicial").fill(prompt);
  const before = Date.now();
  await page.getByRole("button", { name: "Iniciar execução" }).click();
  await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/, live);
  runTimes.push({ before, after: Date.now() });
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  // A mark that a reload or a navigation would wipe: the run is followed on this one page.
  await page.evaluate(() => ((window as unknown as { journeyMark: string }).journeyMark = "same page"));

  await expect.poll(() => cards().count(), live).toBe(agentNames.length);
  // The run is still under way when the monitor opens: what follows arrives live.
  const first = await cards().evaluateAll((items) => items.map((item) => item.getAttribute("data-status")));
  expect(first.some((status) => status !== "succeeded"), `statuses when the monitor opened: ${first.join(", ")}`).toBe(true);
  for (let index = 0; index < agentNames.length; index++) {
    await cards().nth(index).and(page.locator('[data-status="succeeded"]')).waitFor(live);
  }
  await page.locator('[data-testid="execution-status"] [data-status="completed"]').waitFor(live);
  expect(await page.evaluate(() => (window as unknown as { journeyMark?: string }).journeyMark)).toBe("same page");

  for (let index = 0; index < agentNames.length; index++) {
    expect(amount(await cards().nth(index).getByTestId("agent-cost").textContent() ?? ""), `cost of agent ${index + 1}`).toBeGreaterThan(0);
  }
  await expect.poll(async () => ((await page.getByTestId("result-summary").textContent()) ?? "").trim().length, live).toBeGreaterThan(0);
  const total = plain(await page.getByTestId("total-cost").textContent());
  expect(total).toMatch(/^US\$ \d+,\d+$/);
  expect(amount(total)).toBeGreaterThan(0);
}

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
});

describe("a company's first journey, from sign-up to four runs on the dashboard", () => {
  it("signs up through the login page and creates its company", async () => {
    account = await signUp(page, "Marina Teixeira");
    await createCompany(page, company);
    expect(await page.getByTestId("tenant-switcher").textContent()).toContain(company);
  });

  it("adds a provider key and sees only its last four characters", async () => {
    await open(page, "/settings/keys");
    await page.getByLabel("Serviço").selectOption("openai");
    await page.getByLabel("Chave de API").fill(secretKey);
    await page.getByLabel(`Esta empresa (${company})`).check();
    await page.getByRole("button", { name: "Adicionar chave" }).click();

    const key = page.getByTestId("provider-key");
    await expect.poll(() => key.count()).toBe(1);
    expect(await key.textContent()).toContain("•••• Q7rT");
    await open(page, "/settings/keys");
    expect(await page.content()).not.toContain(secretKey.slice(0, -4));
  });

  it("has two demo agents that answer after a short while", async () => {
    const api = await apiAs(account.email, account.password);
    for (const name of agentNames) {
      await api("POST", "/agents", { name, provider: "demo", model: "demo-small", status: "active", config: { latency_ms: 1500 } });
    }
    await open(page, "/agents");
    await expect.poll(() => page.getByTestId("agent-row").count()).toBe(agentNames.length);
  });

  it("builds a sequential team and watches its run to the end", async () => {
    const team = await createTeam("Equipe Sequencial", "Sequencial");
    await runAndWatch(team, "Descreva a coleção de bordados de verão.");
  });

  it("builds a parallel team with a leader and watches its run to the end", async () => {
    const team = await createTeam("Equipe Paralela", "Paralela", async () => {
      await page.getByLabel(`Papel — ${agentNames[0]}`).selectOption("leader");
    });
    expect(await page.getByTestId("team-agents").textContent()).toContain("Líder");
    await runAndWatch(team, "Liste ideias de bordado para o Dia das Mães.");
  });

  it("builds a pipeline team and watches its run to the end", async () => {
    const team = await createTeam("Equipe Pipeline", "Pipeline");
    await runAndWatch(team, "Escreva e revise o texto de um anúncio de toalhas bordadas.");
  });

  it("builds a conditional team whose condition holds and watches its run to the end", async () => {
    const team = await createTeam("Equipe Condicional", "Condicional", async () => {
      await page.getByRole("button", { name: `Adicionar condição — ${agentNames[1]}` }).click();
      await page.getByLabel("Campo").selectOption("initial_prompt");
      await page.getByLabel("Operador").selectOption("contains");
      await page.getByLabel("Valor").fill("bordado");
    });
    await runAndWatch(team, "Um cliente pediu um orçamento de bordado para uniformes.");
  });

  it("sees today's four runs and a spend above zero on the dashboard", async () => {
    expect(runTimes.length).toBe(4);
    await open(page, "/");
    const today = saoPauloDay(Date.now());
    // Normally all four; only when São Paulo's midnight fell during the journey, those after it.
    const surely = runTimes.filter((run) => saoPauloDay(run.before) === today).length;
    const maybe = runTimes.filter((run) => saoPauloDay(run.after) === today).length;
    const runsToday = Number((await page.getByTestId("stat-today").textContent())?.replace(/\D/g, ""));
    if (surely === 4) expect(runsToday).toBe(4);
    else {
      expect(runsToday).toBeGreaterThanOrEqual(surely);
      expect(runsToday).toBeLessThanOrEqual(maybe);
    }
    const spend = plain(await page.getByTestId("spend-amount").textContent());
    expect(spend).toMatch(/^US\$ \d+,\d+$/);
    expect(amount(spend)).toBeGreaterThan(0);
    expect(await page.getByTestId("stat-teams").textContent()).toContain("4");
  });
});
