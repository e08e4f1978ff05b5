// The first hour of a company in Renum, in the browser: sign up, create the company, add a provider
// key (only its last four characters ever shown), create two agents, find them in the list, edit
// one (a new version appears), and see that someone of another company cannot open it.
import { mkdirSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let agentUrl = "";
const secretKey = `sk-ant-${crypto.randomUUID()}-9XyZ`;
// Screenshots for people to look at (scripts/test/run-all.ts points this into the stack's folder).
const screenshots = process.env.SCREENSHOT_DIR;

async function screenshot(name: string, width: number) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.setViewportSize({ width, height: 900 });
  await page.screenshot({ path: `${screenshots}/${name}-${width}.png`, fullPage: true });
}

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
});

describe("a new company", () => {
  it("signs up and creates its company", async () => {
    await signUp(page, "Daniela Rocha");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Bem-vindo ao Renum");
    await createCompany(page, "Doceria Açúcar");
    expect(await page.getByTestId("tenant-switcher").textContent()).toContain("Doceria Açúcar");
    expect(await page.getByText("Nenhum agente ainda").isVisible()).toBe(true);
  });

  it("adds a provider key and sees only its last four characters", async () => {
    await open(page, "/settings/keys");
    await page.getByLabel("Serviço").selectOption("anthropic");
    await page.getByLabel("Chave de API").fill(secretKey);
    await page.getByLabel("Esta empresa (Doceria Açúcar)").check();
    await page.getByRole("button", { name: "Adicionar chave" }).click();

    const key = page.getByTestId("provider-key");
    await expect.poll(() => key.count()).toBe(1);
    expect(await key.textContent()).toContain("•••• 9XyZ");
    expect(await page.getByLabel("Chave de API").inputValue()).toBe("");
    await open(page, "/settings/keys");
    expect(await page.content()).not.toContain(secretKey.slice(0, -4));
  });

  it("creates two agents and finds them in the list", async () => {
    for (const [name, prompt] of [
      ["Atendente de encomendas", "Você anota pedidos de bolos com cordialidade."],
      ["Redator de cardápios", "Você escreve descrições de doces que dão água na boca."],
    ]) {
      await open(page, "/agents/new");
      await page.getByLabel("Nome", { exact: true }).fill(name);
      await page.getByLabel("Provedor", { exact: true }).selectOption("anthropic");
      expect(await page.getByLabel("Modelo", { exact: true }).inputValue()).toBe("claude-sonnet-4-5");
      await page.getByLabel("Instruções (prompt de sistema)").fill(prompt);
      await page.getByRole("button", { name: "Criar agente" }).click();
      await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(name);
    }
    agentUrl = new URL(page.url()).pathname;

    await open(page, "/agents");
    const rows = page.getByTestId("agent-row");
    expect(await rows.allTextContents()).toEqual([expect.stringContaining("Redator de cardápios"), expect.stringContaining("Atendente de encomendas")]);
    expect(await page.getByText("2 agentes").isVisible()).toBe(true);

    await page.getByLabel("Buscar agentes").fill("encomendas");
    await page.getByRole("button", { name: "Buscar" }).click();
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining("Atendente de encomendas")]);
  });

  it("edits an agent and sees the new version in its history", async () => {
    await open(page, agentUrl);
    const versions = page.getByTestId("version-list").getByRole("listitem");
    expect(await versions.count()).toBe(1);

    await page.getByLabel("Modelo", { exact: true }).fill("claude-haiku-4-5");
    await page.getByLabel("Instruções (prompt de sistema)").fill("Você escreve descrições curtas e saborosas.");
    await page.getByRole("button", { name: "Salvar alterações" }).click();

    await expect.poll(() => versions.count()).toBe(2);
    expect(await versions.first().textContent()).toContain("Versão 2");
    expect(await versions.first().textContent()).toContain("atual");
    expect(await versions.first().textContent()).toContain("Modelo, Instruções (prompt de sistema)");
    expect(await page.getByText("Alterações salvas: agora na versão 2.").isVisible()).toBe(true);
    await open(page, agentUrl);
    expect(await page.getByLabel("Modelo", { exact: true }).inputValue()).toBe("claude-haiku-4-5");
  });

  it("fits a phone's screen and a laptop's", async () => {
    for (const path of ["/", "/agents", agentUrl]) {
      for (const width of [360, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        await open(page, path);
        expect(await horizontalOverflow(page), `${path} at ${width}px`).toBeLessThanOrEqual(0);
      }
    }
    await open(page, "/");
    await screenshot("dashboard", 360);
    await screenshot("dashboard", 1280);
    await open(page, "/agents");
    await screenshot("agents", 360);
    await screenshot("agents", 1280);
  });
});

describe("someone of another company", () => {
  it("cannot open the first company's agent: it is not found", async () => {
    const other = await newPage(chromium.browser);
    await signUp(other.page, "Eduardo Pires");
    await createCompany(other.page, "Ferragens Pires");
    const answer = await other.page.goto(agentUrl);
    expect(answer?.status()).toBe(404);
    expect(await other.page.getByRole("heading", { level: 1 }).textContent()).toBe("Página não encontrada");
    expect(await other.page.content()).not.toContain("Redator de cardápios");
    // Still inside the app: its navigation is there to go on from.
    expect(await other.page.getByRole("link", { name: "Ir para o painel" }).isVisible()).toBe(true);
    expect(await other.page.getByTestId("tenant-switcher").textContent()).toContain("Ferragens Pires");
    await other.context.close();
  });
});
