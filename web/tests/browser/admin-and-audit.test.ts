// The people around a company, in the browser: a profile's name and photo reach the header at once;
// the owner reads the audit log of what they did, a plain member cannot; a platform admin suspends
// the company from /admin, and its people then see it read-only; /admin is not there for anyone else.
import { mkdirSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, makePlatformAdmin } from "../../src/tests/database";
import { launchChromium, newPage, open, webUrl, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";

let chromium: LaunchedBrowser;
const contexts: BrowserContext[] = [];
let owner: Page;
let member: Page;
let admin: Page;
let tenantId = "";
const companyName = `Livraria Página ${Date.now().toString(36)}`;
const screenshots = process.env.SCREENSHOT_DIR;

async function screenshot(page: Page, name: string, width: number) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.setViewportSize({ width, height: 900 });
  await page.screenshot({ path: `${screenshots}/${name}-${width}.png`, fullPage: true });
}

async function person(): Promise<Page> {
  const { context, page } = await newPage(chromium.browser);
  contexts.push(context);
  return page;
}

/** What the account menu says about the person (it closes again afterwards). */
async function accountMenu(page: Page): Promise<string> {
  await page.getByTestId("user-menu").click();
  const menu = page.getByRole("menu");
  await menu.waitFor();
  const text = (await menu.textContent()) ?? "";
  await page.keyboard.press("Escape");
  await menu.waitFor({ state: "hidden" });
  return text;
}

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await chromium?.close();
});

describe("the profile in the header", () => {
  it("shows the name and initials from sign-up, then the saved name and photo at once, and the initials again without it", async () => {
    owner = await person();
    await signUp(owner, "Helena Prado");
    await createCompany(owner, companyName);
    tenantId = (await owner.context().cookies()).find((cookie) => cookie.name === "renum-tenant")!.value;
    expect(await owner.getByTestId("user-menu").textContent()).toContain("HP");
    expect(await accountMenu(owner)).toContain("Helena Prado");

    await open(owner, "/settings");
    await owner.getByLabel("Nome", { exact: true }).fill("Helena Moura");
    const photo = `${webUrl()}/favicon.svg`;
    await owner.getByLabel("Endereço da foto (opcional)").fill(photo);
    await owner.getByRole("button", { name: "Salvar perfil" }).click();
    const headerPhoto = owner.getByTestId("user-menu").locator("img");
    await expect.poll(() => headerPhoto.getAttribute("src")).toBe(photo);
    expect(await headerPhoto.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    expect(await accountMenu(owner)).toContain("Helena Moura");

    await owner.getByRole("button", { name: "Remover foto" }).click();
    await owner.getByRole("button", { name: "Salvar perfil" }).click();
    await expect.poll(() => headerPhoto.count()).toBe(0);
    expect(await owner.getByTestId("user-menu").textContent()).toContain("HM");
  });

  it("refuses a photo address that is not http(s) before sending it", async () => {
    await owner.getByLabel("Endereço da foto (opcional)").fill("ftp://fotos.example.test/helena.png");
    await owner.getByRole("button", { name: "Salvar perfil" }).click();
    expect(await owner.getByLabel("Endereço da foto (opcional)").evaluate((input: HTMLInputElement) => input.validity.valid)).toBe(false);
    await open(owner, "/settings");
    expect(await owner.getByLabel("Endereço da foto (opcional)").inputValue()).toBe("");
  });
});

describe("the audit log", () => {
  it("shows the owner what they did, in words, and filters it", async () => {
    await open(owner, "/settings");
    await owner.getByRole("link", { name: "Auditoria" }).click();
    await owner.waitForURL("**/settings/audit");
    const log = owner.getByTestId("audit-log");
    const text = (await log.textContent())?.replace(/\s+/g, " ") ?? "";
    expect(text).toContain(`Criou a empresa: ${companyName}`);
    expect(text).toContain("Entrou na empresa como proprietário: Helena Moura");
    expect(text).toContain("Helena Moura");

    await owner.getByLabel("Item", { exact: true }).selectOption("memberships");
    await owner.getByRole("button", { name: "Filtrar" }).click();
    await owner.waitForURL(/table_name=memberships/);
    await expect.poll(async () => (await log.locator("tbody tr").allTextContents()).length).toBe(1);
    await owner.getByLabel("Ação", { exact: true }).selectOption("delete");
    await owner.getByRole("button", { name: "Filtrar" }).click();
    await owner.getByText("Nenhum registro encontrado").waitFor();
    await screenshot(owner, "audit-log", 390);
    await owner.getByRole("link", { name: "Limpar filtros" }).first().click();
    await owner.waitForURL((url) => url.pathname === "/settings/audit" && url.search === "");
    await screenshot(owner, "audit-log", 1280);
    expect(await horizontalOverflow(owner)).toBe(0);
  });

  it("is neither listed nor shown to a member who is not an owner or admin", async () => {
    member = await person();
    const { email } = await signUp(member, "Igor Nunes");
    await addMember(tenantId, email, "member");
    await open(member, "/settings");
    expect(await member.getByRole("link", { name: "Perfil" }).isVisible()).toBe(true);
    expect(await member.getByRole("link", { name: "Auditoria" }).count()).toBe(0);
    await open(member, "/settings/audit");
    expect(await member.getByTestId("audit-forbidden").textContent()).toContain("Só para proprietários e administradores");
    expect(await member.getByTestId("audit-log").count()).toBe(0);
  });
});

describe("the platform admin panel", () => {
  it("is not found by anyone who is not a platform admin, and not in their menu", async () => {
    for (const page of [owner, member]) {
      const answer = await page.goto("/admin");
      expect(answer?.status()).toBe(404);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Página não encontrada");
      await open(page, "/");
      expect(await accountMenu(page)).not.toContain("Painel da plataforma");
    }
  });

  it("lets a platform admin find the company and suspend it after confirming", async () => {
    admin = await person();
    const { email } = await signUp(admin, "Renata Suporte");
    await makePlatformAdmin(email);
    await open(admin, "/tenants/new");
    await admin.getByTestId("user-menu").click();
    await admin.getByRole("menuitem", { name: "Painel da plataforma" }).click();
    await admin.waitForURL("**/admin");
    expect(await admin.getByRole("heading", { level: 1 }).textContent()).toBe("Painel da plataforma");

    await admin.getByLabel("Buscar empresas").fill(companyName);
    await admin.getByRole("button", { name: "Buscar" }).click();
    await admin.waitForURL(/search=/);
    const rows = admin.getByTestId("admin-tenant-row");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.textContent()).toContain("Ativa");
    await screenshot(admin, "admin-tenants", 1280);
    await rows.getByRole("link", { name: companyName }).click();
    await admin.waitForURL(`**/admin/tenants/${tenantId}`);
    const members = (await admin.getByTestId("admin-members").textContent()) ?? "";
    expect(members).toContain("Proprietário");
    expect(members).toContain("Membro");

    await admin.getByRole("button", { name: "Suspender" }).click();
    const dialog = admin.getByRole("alertdialog");
    expect(await dialog.textContent()).toContain(`Deixar ${companyName} suspensa?`);
    await dialog.getByRole("button", { name: "Suspender" }).click();
    await expect.poll(() => admin.getByTestId("tenant-status").textContent()).toContain("Suspensa");
    expect(await admin.getByRole("button", { name: "Reativar" }).isVisible()).toBe(true);
    await screenshot(admin, "admin-tenant", 390);
    expect(await horizontalOverflow(admin)).toBe(0);
  });

  it("shows the company's people that it is suspended and refuses their changes in words", async () => {
    await open(member, "/");
    expect(await member.getByTestId("tenant-status-banner").textContent()).toContain(`${companyName} está suspensa.`);

    await open(owner, "/settings/company");
    expect(await owner.getByTestId("tenant-status-banner").isVisible()).toBe(true);
    await owner.getByLabel("Nome", { exact: true }).fill("Outro nome");
    await owner.getByRole("button", { name: "Salvar dados" }).click();
    await owner.getByText("Esta empresa está suspensa ou inativa: dá para consultar os dados, mas não alterar nada.").first().waitFor();

    await open(owner, "/settings/audit");
    const text = (await owner.getByTestId("audit-log").textContent())?.replace(/\s+/g, " ") ?? "";
    expect(text).toContain("Suporte da Renum");
    expect(text).toContain("Mudou a situação da empresa para suspensa");
  });

  it("reactivates it, and the notice goes away", async () => {
    await open(admin, `/admin/tenants/${tenantId}`);
    await admin.getByRole("button", { name: "Reativar" }).click();
    await admin.getByRole("alertdialog").getByRole("button", { name: "Reativar" }).click();
    await expect.poll(() => admin.getByTestId("tenant-status").textContent()).toContain("Ativa");
    await open(member, "/");
    expect(await member.getByTestId("tenant-status-banner").count()).toBe(0);
  });
});
