// What a new user tripped over in everyday use (#18), in the browser at phone and desktop widths: a
// conditional team's run form asks for the variables the team reads (true/false as a picker, so
// "sim" no longer skips an agent silently), drafts and agents without instructions are named
// before they run, a finished step under a second reads "< 1 s", a run link of another of my
// companies offers to switch there, and the PT/EN switch is the one language setting.
import { readFile } from "node:fs/promises";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, webUrl, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, createTeam, waitUntil, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Marta Lima");
  await createCompany(page, "Clínica Lima");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
});

/** The id of the company's team with exactly this name (a copy's name contains it too). */
async function teamNamed(name: string): Promise<string> {
  const teams = (await callApi(owner, "GET", `/teams?search=${encodeURIComponent(name)}`)).items as { id: string; name: string }[];
  return teams.find((team) => team.name === name)!.id;
}

const card = (name: string) => page.getByTestId("agent-status-card").and(page.getByLabel(name, { exact: true }));

describe("a conditional team's run form", () => {
  let teamId = "";

  beforeAll(async () => {
    const agent = (name: string, status = "active", system_prompt = "Responda com cuidado.") =>
      callApi(owner, "POST", "/agents", { name, provider: "demo", model: "demo-small", status, system_prompt, config: { latency_ms: 0, reply: "{agent} recebeu: {input}" } });
    const triage = await agent("Triagem");
    const onCall = await agent("Plantão");
    const writer = await agent("Redator", "draft", "");
    const team = await callApi(owner, "POST", "/teams", {
      name: "Equipe de Plantão",
      workflow_type: "conditional",
      config: { timeout_seconds: 300, max_parallel_agents: 5, continue_on_error: false },
      agents: [
        { agent_id: triage.id, role: "member", execution_order: 1 },
        {
          agent_id: onCall.id,
          role: "member",
          execution_order: 2,
          conditions: [
            { field: "variables.urgente", operator: "equals", value: true },
            { field: "variables.valor", operator: "greater_than", value: 100 },
          ],
        },
        {
          agent_id: writer.id,
          role: "member",
          execution_order: 3,
          input: { source: "combined", sources: [{ type: "variable", name: "paciente" }, { type: "initial_prompt" }], template: "Paciente {{variables.paciente}}: {{initial_prompt}}" },
        },
      ],
    });
    teamId = team.id;
  });

  it("lists the variables the team reads with typed inputs, and names the draft without instructions, at phone and desktop widths", async () => {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, `/teams/${teamId}/execute`);
      const known = page.getByTestId("known-variable");
      expect(await known.locator("label").allTextContents()).toEqual(["urgente", "valor", "paciente"]);
      expect(await known.nth(0).innerText()).toContain("Verdadeiro ou falso · usada por Plantão");
      expect(await known.nth(1).innerText()).toContain("Número · usada por Plantão");
      expect(await known.nth(2).innerText()).toContain("Texto · usada por Redator");
      expect(await page.getByLabel("urgente", { exact: true }).evaluate((element) => element.tagName)).toBe("SELECT");
      const warning = await page.getByTestId("readiness-warning").innerText();
      expect(warning).toContain("Redator é um rascunho e roda nesta equipe como está.");
      expect(warning).toContain("Redator não tem instruções");
      expect(await horizontalOverflow(page), `run form at ${width}px`).toBeLessThanOrEqual(0);
    }
  });

  it("says a number that is not one beside its field, keeping what was typed", async () => {
    await open(page, `/teams/${teamId}/execute`);
    await page.getByLabel("Pedido inicial").fill("Paciente com febre");
    await page.getByLabel("valor", { exact: true }).fill("cem");
    await page.getByLabel("paciente", { exact: true }).fill("Ana");
    await page.getByRole("button", { name: "Iniciar execução" }).click();
    await page.getByText("Informe um número.").waitFor();
    expect(await page.getByLabel("paciente", { exact: true }).inputValue()).toBe("Ana");
    expect(new URL(page.url()).pathname).toBe(`/teams/${teamId}/execute`);
  });

  it("runs the agent whose condition is true when Verdadeiro is chosen, and a finished quick step reads < 1 s", async () => {
    await open(page, `/teams/${teamId}/execute`);
    await page.getByLabel("Pedido inicial").fill("Paciente com febre alta");
    await page.getByLabel("urgente", { exact: true }).selectOption({ label: "Verdadeiro" });
    await page.getByLabel("valor", { exact: true }).fill("1.500");
    await page.getByLabel("paciente", { exact: true }).fill("Ana");
    await page.getByRole("button", { name: "Iniciar execução" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    const run = new URL(page.url()).pathname.split("/").pop() as string;
    await waitUntil("the run to finish", async () => (await callApi(owner, "GET", `/executions/${run}/status`)).status === "completed");

    await open(page, `/executions/${run}`);
    expect(await card("Plantão").getAttribute("data-status")).toBe("succeeded");
    expect(await card("Redator").getByTestId("agent-output").textContent()).toContain("Paciente Ana: Paciente com febre alta");
    // Demo agents answer at once: their steps end within a second.
    expect(await card("Triagem").getByTestId("agent-elapsed").textContent()).toBe("< 1 s");
  });
});

describe("the team wizard", () => {
  it("names a draft agent when it is chosen, and again on the review", async () => {
    await callApi(owner, "POST", "/agents", { name: "Rascunho Novo", provider: "demo", model: "demo-small", status: "draft", system_prompt: "Ajude." });
    await open(page, "/teams/new");
    await page.getByLabel("Nome", { exact: true }).fill("Equipe com rascunho");
    await page.getByRole("button", { name: "Continuar" }).click();
    await page.getByLabel("Rascunho Novo").check();
    expect(await page.getByTestId("readiness-warning").innerText()).toContain("Rascunho Novo é um rascunho e roda nesta equipe como está.");
    for (const step of ["3. Fluxo", "4. Configuração", "5. Revisão"]) await page.getByRole("button", { name: step }).click();
    expect(await page.getByTestId("readiness-warning").innerText()).toContain("Rascunho Novo é um rascunho");
  });
});

describe("a run link of another of my companies", () => {
  it("offers to switch to the company that owns it, and opens the run there", async () => {
    const other = await callApi(owner, "POST", "/tenants", { name: "Filial Norte", slug: `filial-norte-${Date.now().toString(36)}` });
    const there: ApiPerson = { token: owner.token, tenantId: other.id };
    const team = await createTeam(there, "Equipe da Filial", [0]);
    const started = await callApi(there, "POST", `/teams/${team}/execute`, { initial_prompt: "Conte o estoque" });

    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, `/executions/${started.execution_id}`);
      const offer = page.getByTestId("switch-company");
      expect(await offer.innerText()).toContain("Isto pertence a Filial Norte, outra das suas empresas.");
      expect(await horizontalOverflow(page), `404 with the offer at ${width}px`).toBeLessThanOrEqual(0);
    }
    await page.getByRole("button", { name: "Mudar para Filial Norte e abrir" }).click();
    await page.waitForURL(`**/executions/${started.execution_id}`);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Execução de Equipe da Filial");

    // Back to the first company, where the tests that follow work.
    const back = await page.request.post("/tenant", { form: { tenant_id: owner.tenantId, redirect_to: "/" }, headers: { origin: webUrl(), accept: "text/html" }, maxRedirects: 0 });
    expect(back.status()).toBe(303);
  });

  it("is a plain 404 for a run no company of mine holds", async () => {
    await open(page, "/executions/00000000-0000-4000-8000-000000000000");
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.getByTestId("switch-company").count()).toBe(0);
  });
});

describe("the language", () => {
  it("has one setting: the PT/EN switch saves the profile's language, which the settings page shows", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await open(page, "/settings");
    await page.getByRole("button", { name: "English" }).first().click();
    await page.getByRole("heading", { name: "Your profile" }).waitFor();
    expect((await callApi(owner, "GET", "/me/profile")).locale).toBe("en");
    expect(await page.getByLabel("Preferred language").inputValue()).toBe("en");
    expect(await page.getByText("The PT/EN switch at the top changes this same setting.").count()).toBe(1);
    // No second control that changes only this browser.
    expect(await page.locator('select[name="locale"]').count()).toBe(1);

    await page.getByRole("button", { name: "Português" }).first().click();
    await page.getByRole("heading", { name: "Seu perfil" }).waitFor();
    expect((await callApi(owner, "GET", "/me/profile")).locale).toBe("pt-BR");
  });
});

describe("running a run again", () => {
  it("opens the run form filled with the run's prompt and variables, to change before starting", async () => {
    const team = await teamNamed("Equipe de Plantão");
    const started = await callApi(owner, "POST", `/teams/${team}/execute`, {
      initial_prompt: "Paciente com tosse",
      variables: { urgente: false, valor: 12.5, paciente: "Bia", origem: "telefone" },
    });
    await waitUntil("the run to finish", async () => (await callApi(owner, "GET", `/executions/${started.execution_id}/status`)).status === "completed");

    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, `/executions/${started.execution_id}`);
      await page.getByRole("link", { name: "Executar de novo" }).click();
      await page.waitForURL(`**/teams/${team}/execute?from=${started.execution_id}`);
      await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
      expect(await page.getByTestId("run-again-note").innerText()).toContain("Com o pedido e as variáveis de uma execução anterior");
      expect(await page.getByLabel("Pedido inicial").inputValue()).toBe("Paciente com tosse");
      expect(await page.getByLabel("urgente", { exact: true }).inputValue()).toBe("false");
      expect(await page.getByLabel("valor", { exact: true }).inputValue()).toBe("12,5");
      expect(await page.getByLabel("paciente", { exact: true }).inputValue()).toBe("Bia");
      // A variable the team does not read by name comes back as a row of its own.
      expect(await page.getByLabel("Nome 1", { exact: true }).inputValue()).toBe("origem");
      expect(await page.getByLabel("Valor 1", { exact: true }).inputValue()).toBe("telefone");
      expect(await horizontalOverflow(page), `run form filled again at ${width}px`).toBeLessThanOrEqual(0);
    }

    await page.getByLabel("paciente", { exact: true }).fill("Bia Souza");
    await page.getByRole("button", { name: "Iniciar execução" }).click();
    await page.waitForURL((url) => /^\/executions\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(started.execution_id));
    const again = new URL(page.url()).pathname.split("/").pop() as string;
    const status = await callApi(owner, "GET", `/executions/${again}/status`);
    expect(status.initial_prompt).toBe("Paciente com tosse");
    expect(status.variables).toEqual({ urgente: false, valor: 12.5, paciente: "Bia Souza", origem: "telefone" });
  });
});

describe("duplicating", () => {
  it("an agent: a draft copy with the same instructions and settings", async () => {
    const agent = await callApi(owner, "POST", "/agents", { name: "Atendente", provider: "demo", model: "demo-small", status: "active", system_prompt: "Seja gentil.", temperature: 0.4 });
    await open(page, `/agents/${agent.id}`);
    await page.getByRole("button", { name: "Duplicar" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/agents/") && !url.pathname.endsWith(agent.id));
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Cópia de Atendente");
    const copy = await callApi(owner, "GET", `/agents/${new URL(page.url()).pathname.split("/").pop()}`);
    expect(copy).toMatchObject({ name: "Cópia de Atendente", status: "draft", system_prompt: "Seja gentil.", temperature: 0.4, provider: "demo", model: "demo-small" });
    expect((await callApi(owner, "GET", `/agents/${agent.id}`)).status).toBe("active");
  });

  it("a team: the same agents, workflow and conditions under a copy's name", async () => {
    const original = await teamNamed("Equipe de Plantão");
    await page.setViewportSize({ width: 390, height: 900 });
    await open(page, `/teams/${original}`);
    await page.getByRole("button", { name: "Duplicar" }).click();
    await page.waitForURL((url) => /^\/teams\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(original));
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Cópia de Equipe de Plantão");
    const [before, after] = await Promise.all([original, new URL(page.url()).pathname.split("/").pop()].map((id) => callApi(owner, "GET", `/teams/${id}`)));
    const shape = (team: { workflow_type: string; agents: { agent_id: string; execution_order: number; input: unknown; conditions: unknown }[] }) => ({
      workflow_type: team.workflow_type,
      agents: team.agents.map(({ agent_id, execution_order, input, conditions }) => ({ agent_id, execution_order, input, conditions })),
    });
    expect(shape(after)).toEqual(shape(before));
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});

describe("exporting a run", () => {
  let run = "";

  beforeAll(async () => {
    const team = await teamNamed("Equipe de Plantão");
    run = (await callApi(owner, "POST", `/teams/${team}/execute`, { initial_prompt: "Paciente | com dor nas costas", variables: { paciente: "Caio" } })).execution_id;
    await waitUntil("the run to finish", async () => (await callApi(owner, "GET", `/executions/${run}/status`)).status === "completed");
  });

  it("downloads Markdown in the page's language: the result, each agent's part and cost, and the log", async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    await open(page, `/executions/${run}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Markdown/ }).click()]);
    expect(download.suggestedFilename()).toBe(`renum-run-${run.slice(0, 8)}.md`);
    const markdown = await (await page.request.get(`/executions/${run}/export?format=md`)).text();
    expect(markdown).toContain("# Execução de Equipe de Plantão");
    expect(markdown).toContain("- **Situação:** Concluída");
    expect(markdown).toContain("> Paciente | com dor nas costas");
    expect(markdown).toContain("- `paciente`: Caio");
    expect(markdown).toContain("### 1. Triagem · Concluído");
    expect(markdown).toMatch(/Tokens: \d+ de entrada, \d+ de saída · Custo: US\$\s?[\d,]+ · Tempo: < 1 s/);
    // The on-call agent's condition (urgente = true) was not given: it says so in Portuguese.
    expect(markdown).toContain("### 2. Plantão · Pulado");
    expect(markdown).toContain("Pulado porque a condição não foi atendida");
    expect(markdown).toContain("| 1 |");
    expect(markdown).toContain("Execução: Na fila");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("downloads JSON with the API's data: the run, its result and every event", async () => {
    const answer = await page.request.get(`/executions/${run}/export?format=json`);
    expect(answer.headers()["content-type"]).toContain("application/json");
    const exported = await answer.json();
    const status = await callApi(owner, "GET", `/executions/${run}/status`);
    expect(exported.execution).toMatchObject({ execution_id: run, status: "completed", initial_prompt: "Paciente | com dor nas costas", variables: { paciente: "Caio" } });
    expect(exported.result.cost.total_usd).toBe(status.cost_usd);
    expect(exported.events.map((event: { seq: number }) => event.seq)).toEqual(Array.from({ length: status.last_event_seq }, (_, index) => index + 1));
  });

  it("downloads a PDF the API writes in the page's language", async () => {
    await open(page, `/executions/${run}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("run-export-pdf").click()]);
    expect(download.suggestedFilename()).toBe(`renum-run-${run.slice(0, 8)}.pdf`);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect((await page.request.get(`/executions/${run}/export?format=pdf`)).headers()["content-type"]).toBe("application/pdf");
  });

  it("refuses a format it does not write, and another company's run is not found", async () => {
    expect((await page.request.get(`/executions/${run}/export?format=docx`)).status()).toBe(400);
    expect((await page.request.get("/executions/00000000-0000-4000-8000-000000000000/export?format=json")).status()).toBe(404);
  });
});

describe("searching runs", () => {
  it("finds runs by text of the prompt or the result, at phone and desktop widths", async () => {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, "/executions");
      await page.getByLabel("Buscar").fill("dor nas COSTAS");
      await page.getByRole("button", { name: "Filtrar" }).click();
      await page.waitForURL((url) => url.searchParams.get("search") === "dor nas COSTAS");
      await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
      // A table at desktop width, cards on a phone.
      const rows = page.getByTestId(width < 768 ? "execution-card" : "execution-row");
      await expect.poll(() => rows.count()).toBe(1);
      expect(await horizontalOverflow(page), `search at ${width}px`).toBeLessThanOrEqual(0);
    }
    // A demo agent answers with what it received: the result holds the patient's name.
    await open(page, "/executions?search=Caio");
    expect(await page.getByTestId("execution-row").count()).toBeGreaterThanOrEqual(1);
    await open(page, "/executions?search=ningu%C3%A9m%20pediu%20isto");
    expect(await page.getByTestId("execution-row").count()).toBe(0);
  });
});
