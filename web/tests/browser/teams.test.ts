// Building a team in the browser: two agents made through the API, then the wizard — pick both,
// choose a pipeline, see the diagram draw the arrow between them, cause a refusal the API explains
// next to the field it names (two leaders), fix it and create the team; its page; starting a run.
// Then a conditional team: an agent that runs only for one value of a run variable, an agent whose
// input combines the prompt, another agent's result and a variable in a template, with its own
// temperature; run with a variable that skips the first, and the templated text seen on the monitor.
import { mkdirSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let triage = "";
let writer = "";
let teamUrl = "";
let account = { email: "", password: "" };
const screenshots = process.env.SCREENSHOT_DIR;

/** A call to the API as the person (password sign-in against the stack's Auth), in their first company. */
async function apiAs(email: string, password: string) {
  const person = await apiSession(email, password);
  return (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => callApi(person, method, path, body);
}

async function screenshot(name: string, width: number) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.setViewportSize({ width, height: 900 });
  await page.screenshot({ path: `${screenshots}/${name}-${width}.png`, fullPage: true });
}

const edge = (from: string, to: string) => page.locator(`[data-testid=diagram-edge][data-from="${from}"][data-to="${to}"]`);

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
});

describe("a company building its first team", () => {
  it("has two agents and no team yet", async () => {
    account = await signUp(page, "Helena Matos");
    await createCompany(page, "Clínica Sorriso");
    const api = await apiAs(account.email, account.password);
    for (const name of ["Triagem", "Redator"]) {
      const agent = await api("POST", "/agents", { name, provider: "demo", model: "demo-small", status: "active" });
      if (name === "Triagem") triage = agent.id as string;
      else writer = agent.id as string;
    }
    await open(page, "/teams");
    expect(await page.getByText("Nenhuma equipe ainda").isVisible()).toBe(true);
  });

  it("picks both agents, chooses a pipeline and sees the diagram draw the flow", async () => {
    await open(page, "/teams/new");
    await page.getByRole("button", { name: "Continuar" }).click();
    expect(await page.getByText("Dê um nome à equipe.").isVisible()).toBe(true);
    await page.getByLabel("Nome", { exact: true }).fill("Atendimento ao paciente");
    await page.getByRole("button", { name: "Continuar" }).click();

    await page.getByLabel("Triagem").check();
    await page.getByLabel("Redator").check();
    await page.getByRole("button", { name: "Continuar" }).click();

    await page.getByLabel("Pipeline").check();
    const diagram = page.getByRole("img", { name: "Fluxo da equipe Atendimento ao paciente" });
    expect(await diagram.isVisible()).toBe(true);
    expect(await edge("prompt", triage).count()).toBe(1);
    expect(await edge(triage, writer).count()).toBe(1);
    expect(await edge(writer, "result").count()).toBe(1);

    // Reordering redraws the chain the other way round.
    await page.getByRole("button", { name: "Subir Redator" }).click();
    await expect.poll(() => edge(writer, triage).count()).toBe(1);
    await page.getByRole("button", { name: "Descer Redator" }).click();
    await expect.poll(() => edge(triage, writer).count()).toBe(1);

    // A condition on the writer: written on the arrow into it.
    await page.getByRole("button", { name: "Adicionar condição — Redator" }).click();
    await page.getByLabel("Campo").selectOption(`agents.${triage}.output`);
    await page.getByLabel("Valor").fill("urgente");
    const label = edge(triage, writer).getByTestId("edge-label");
    await expect.poll(() => label.count()).toBe(1);
    expect(await page.getByTestId("diagram-description").textContent()).toContain("Triagem → Redator, quando Resultado de Triagem contém “urgente”");

    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await horizontalOverflow(page), `workflow step at ${width}px`).toBeLessThanOrEqual(0);
      await screenshot("team-wizard-workflow", width);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("is told next to the role when two agents lead, and creates the team once fixed", async () => {
    await page.getByLabel("Papel — Triagem").selectOption("leader");
    await page.getByLabel("Papel — Redator").selectOption("leader");
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByLabel("Temperatura", { exact: true }).fill("0,5");
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByRole("button", { name: "Criar equipe" }).click();

    // Back on the workflow step, the error beside the second leader's role.
    await page.locator("[data-testid=wizard-step][data-step=workflow]").waitFor();
    const role = page.getByLabel("Papel — Redator");
    expect(await role.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#role-1-error").textContent()).toContain("no máximo um líder ou coordenador");
    expect(await page.getByRole("alert").first().isVisible()).toBe(true);

    await role.selectOption("member");
    await page.getByRole("button", { name: "5. Revisão" }).click();
    await page.getByRole("button", { name: "Criar equipe" }).click();
    await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/);
    teamUrl = new URL(page.url()).pathname;
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Atendimento ao paciente");
  });

  it("shows the team: its diagram, its agents in order and its settings", async () => {
    expect(await page.getByRole("img", { name: "Fluxo da equipe Atendimento ao paciente" }).isVisible()).toBe(true);
    expect(await edge(triage, writer).getByTestId("edge-label").count()).toBe(1);
    const agents = page.getByTestId("team-agents").getByRole("listitem");
    expect(await agents.allTextContents()).toEqual([expect.stringContaining("Triagem"), expect.stringContaining("Redator")]);
    expect(await page.getByText("Pipeline").first().isVisible()).toBe(true);
    // The team's temperature as Brazilians write it.
    expect(await page.getByTestId("team-temperature").textContent()).toBe("0,5");
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await horizontalOverflow(page), `team page at ${width}px`).toBeLessThanOrEqual(0);
      await screenshot("team-page", width);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await open(page, "/teams");
    expect(await page.getByTestId("team-row").allTextContents()).toEqual([expect.stringMatching(/Atendimento ao paciente.*Pipeline.*2 agentes.*Ativa/)]);
  });

  it("runs the team and follows the run", async () => {
    await open(page, teamUrl);
    await page.getByRole("link", { name: "Executar" }).click();
    await page.waitForURL(/\/execute$/);
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    await page.getByLabel("Pedido inicial").fill("Paciente com dor de dente, pede encaixe hoje.");
    await page.getByRole("button", { name: "Adicionar variável" }).click();
    await page.getByLabel("Nome 1").fill("unidade");
    await page.getByLabel("Valor 1").fill("Centro");
    await page.getByRole("button", { name: "Iniciar execução" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
  });
});

describe("a conditional team reading the run's variables", () => {
  let reviewer = "";
  let conditionalUrl = "";

  it("is built in the wizard: a condition on a variable, a combined input with a template, an agent's own temperature", async () => {
    const api = await apiAs(account.email, account.password);
    reviewer = (await api("POST", "/agents", { name: "Revisor", provider: "demo", model: "demo-small", status: "active" })).id as string;

    await open(page, "/teams/new");
    await page.getByLabel("Nome", { exact: true }).fill("Triagem condicional");
    await page.getByRole("button", { name: "Continuar" }).click();
    for (const name of ["Triagem", "Redator", "Revisor"]) await page.getByLabel(name).check();
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByRole("radio", { name: "Condicional" }).check();

    // The writer reads the prompt, the triage's result and the run's `cliente`, in its own words.
    await page.getByLabel("Entrada — Redator").selectOption("combined");
    await page.getByRole("button", { name: "Adicionar variável — Redator" }).click();
    await page.getByLabel("Nome da variável — Redator").fill("cliente");
    const template = page.getByLabel("Modelo de Redator (opcional)");
    await template.fill("Cliente ");
    await page.getByRole("button", { name: "Inserir variável cliente no modelo" }).click();
    await template.press("End");
    await template.pressSequentially(" pediu: ");
    await page.getByRole("button", { name: "Inserir Pedido inicial no modelo" }).first().click();
    await template.press("End");
    await template.pressSequentially(" | Triagem: ");
    await page.getByRole("button", { name: "Inserir Resultado de Triagem no modelo" }).first().click();
    expect(await template.inputValue()).toBe(`Cliente {{variables.cliente}} pediu: {{initial_prompt}} | Triagem: {{agent:${triage}}}`);
    const preview = page.getByTestId("workflow-agent").nth(1).getByTestId("input-preview");
    expect(await preview.textContent()).toBe("Cliente variável cliente pediu: Pedido inicial | Triagem: Resultado de Triagem");
    for (const from of ["prompt", triage, "variables"]) await expect.poll(() => edge(from, writer).count(), { message: `${from} → Redator` }).toBe(1);

    // The reviewer runs only when the run says prioridade = alta.
    await page.getByRole("button", { name: "Adicionar condição — Revisor" }).click();
    await page.getByLabel("Campo").selectOption("variables");
    await page.getByLabel("Nome da variável — Revisor").fill("prioridade");
    await page.getByLabel("Operador").selectOption("equals");
    await page.getByLabel("Valor").fill("alta");
    await expect.poll(() => page.getByTestId("diagram-description").textContent()).toContain("Redator → Revisor, quando variável prioridade igual a “alta”");
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await horizontalOverflow(page), `input and condition editors at ${width}px`).toBeLessThanOrEqual(0);
      await screenshot("team-wizard-inputs", width);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByLabel("Temperatura — Redator", { exact: true }).fill("0,5");
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.locator("[data-testid=wizard-step][data-step=review]").waitFor();
    expect(await page.getByTestId("agent-overrides").allTextContents()).toEqual(["temperatura 0,5"]);
    expect(await page.locator(`[data-node="${writer}"] [data-testid=overrides-marker]`).count()).toBe(1);
    await page.getByRole("button", { name: "Criar equipe" }).click();
    await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/);
    conditionalUrl = new URL(page.url()).pathname;
  });

  it("shows inputs, conditions and overrides in words on the team page, and the edit wizard keeps them", async () => {
    const agents = page.getByTestId("team-agent");
    const writerItem = agents.nth(1);
    expect(await writerItem.getByTestId("agent-input").textContent()).toBe("Vários, combinados: Pedido inicial + variável cliente + Triagem (com modelo)");
    expect(await writerItem.getByTestId("agent-template").textContent()).toBe("Cliente [variável cliente] pediu: [Pedido inicial] | Triagem: [Triagem]");
    expect(await writerItem.getByTestId("agent-overrides").textContent()).toBe("temperatura 0,5");
    expect((await agents.nth(2).getByTestId("agent-conditions").textContent())?.trim()).toBe("variável prioridade igual a “alta”");
    expect((await agents.nth(0).getByTestId("agent-conditions").textContent())?.trim()).toBe("Sempre");
    await screenshot("team-page-conditional", 1280);

    await open(page, `${conditionalUrl}/edit`);
    await page.getByRole("button", { name: "3. Fluxo" }).click();
    expect(await page.getByLabel("Modelo de Redator (opcional)").inputValue()).toContain("{{variables.cliente}}");
    expect(await page.getByLabel("Nome da variável — Revisor").inputValue()).toBe("prioridade");
    await page.getByRole("button", { name: "4. Configuração" }).click();
    expect(await page.getByLabel("Temperatura — Redator", { exact: true }).inputValue()).toBe("0,5");
  });

  it("runs with a variable that skips the reviewer, and the writer receives its template filled in", async () => {
    await open(page, `${conditionalUrl}/execute`);
    await page.getByLabel("Pedido inicial").fill("Dor de dente");
    // The form asks for the variables the team reads, each by name (#18).
    expect(await page.getByTestId("known-variable").locator("label").allTextContents()).toEqual(["cliente", "prioridade"]);
    await page.getByLabel("cliente", { exact: true }).fill("Ana");
    await page.getByLabel("prioridade", { exact: true }).fill("baixa");
    await page.getByRole("button", { name: "Iniciar execução" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);

    const card = (name: string) => page.getByTestId("agent-status-card").and(page.getByLabel(name, { exact: true }));
    await expect.poll(() => card("Revisor").getAttribute("data-status"), { timeout: 30_000 }).toBe("skipped");
    await expect.poll(() => card("Redator").getAttribute("data-status"), { timeout: 30_000 }).toBe("succeeded");
    expect(await card("Triagem").getAttribute("data-status")).toBe("succeeded");
    expect(await card("Revisor").textContent()).toContain("a variável \"prioridade\" igual a alta (valor recebido: baixa)");
    // The demo provider answers with what it received: the template, filled in.
    const received = await card("Redator").getByTestId("agent-output").textContent();
    expect(received).toMatch(/received: Cliente Ana pediu: Dor de dente \| Triagem: Triagem \(demo [0-9a-f]{8}\) received: Dor de dente/);
    await screenshot("monitor-conditional", 1280);
  });
});
