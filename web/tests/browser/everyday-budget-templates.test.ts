// The company's money and ready teams (#18), in the browser at phone and desktop widths: an owner
// sets the monthly budget and a dollar rate in the settings (typed the Brazilian way), costs then
// read in reais too, a spent budget is said on the dashboard before a run is refused; and the team
// templates gallery creates a ready team of demo agents in one click, in the page's language.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
// Intl writes a no-break space between the currency sign and the amount.
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Bia Caixa");
  await createCompany(page, "Caixa da Bia");
  owner = await apiSession(account.email, account.password);
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
});

describe("the hosts agents may call with http_request", () => {
  it("an owner lists them one per line; a bad one is named under the box and nothing is lost", async () => {
    await open(page, "/settings/company");
    const box = page.getByLabel("Hosts que a ferramenta http_request dos agentes pode chamar");
    await box.fill("api.exemplo.com.br\n\nlocalhost\n");
    await page.getByRole("button", { name: "Salvar preferências" }).click();
    await page.getByTestId("http-request-hosts-error").waitFor();
    expect(await box.inputValue()).toContain("localhost");
    expect((await callApi(owner, "GET", `/tenants/${owner.tenantId}/settings`)).http_request_hosts).toEqual([]);
    await box.fill("api.exemplo.com.br\n*.ERP.exemplo.com.br\n");
    await page.getByRole("button", { name: "Salvar preferências" }).click();
    await expect.poll(async () => (await callApi(owner, "GET", `/tenants/${owner.tenantId}/settings`)).http_request_hosts)
      .toEqual(["api.exemplo.com.br", "*.erp.exemplo.com.br"]);
    await open(page, "/settings/company");
    expect(await box.inputValue()).toBe("api.exemplo.com.br\n*.erp.exemplo.com.br");
  });
});

describe("the monthly budget", () => {
  it("an owner sets it and the dollar rate in the page's language; costs then read in reais too", async () => {
    await open(page, "/settings/company");
    const card = page.getByTestId("company-budget");
    expect(await card.innerText()).toContain("Sem limite de orçamento.");
    await page.getByLabel("Orçamento mensal (US$)").fill("1.500,50");
    await page.getByLabel("Cotação do dólar (R$ por US$)").fill("5,25");
    await page.getByRole("button", { name: "Salvar orçamento" }).click();
    await page.getByText("Orçamento salvo.").waitFor();
    const tenant = await callApi(owner, "GET", `/tenants/${owner.tenantId}`);
    expect(tenant).toMatchObject({ monthly_budget_usd: 1500.5, usd_brl_rate: 5.25 });
    await expect.poll(async () => plain(await card.innerText())).toContain("US$ 1.500,50");

    await open(page, "/");
    expect(plain(await page.getByTestId("spend-amount").innerText())).toBe("US$ 0,0000 (R$ 0,0000)");
    expect(await page.getByTestId("budget-notice").count()).toBe(0);
  });

  it("a spent budget is said on the dashboard, at phone and desktop widths", async () => {
    await callApi(owner, "PUT", `/tenants/${owner.tenantId}/budget`, { monthly_budget_usd: 0, usd_brl_rate: null });
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, "/");
      expect(plain(await page.getByTestId("budget-notice").innerText())).toContain("O orçamento de US$ 0,00 deste mês acabou");
      expect(await horizontalOverflow(page)).toBe(0);
    }
    await callApi(owner, "PUT", `/tenants/${owner.tenantId}/budget`, { monthly_budget_usd: null, usd_brl_rate: null });
  });
});

describe("the team templates gallery", () => {
  it("shows three ready teams at phone and desktop widths and creates one in a click", async () => {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open(page, "/teams");
      await page.getByRole("link", { name: "Usar um modelo" }).first().click();
      await page.waitForURL("**/teams/templates");
      expect(await page.getByTestId("team-template").count()).toBe(3);
      expect(await horizontalOverflow(page)).toBe(0);
    }
    await page.locator('[data-template="lead_qualification"]').getByRole("button", { name: "Criar esta equipe" }).click();
    await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "Qualificação de leads" }).waitFor();
    const agents = await page.locator("#team-agents").innerText();
    for (const name of ["Triagem de leads", "Qualificador", "Redator de follow-up"]) expect(agents).toContain(name);
  });

  it("in English, names the templates in English", async () => {
    await page.getByRole("button", { name: "English" }).first().click();
    await page.locator("html[lang='en']").waitFor({ state: "attached" });
    await open(page, "/teams/templates");
    expect(await page.locator('[data-template="market_research"] h2').innerText()).toBe("Market research");
    await page.getByRole("button", { name: "Português" }).first().click();
    await page.locator("html[lang='pt-BR']").waitFor({ state: "attached" });
  });
});
