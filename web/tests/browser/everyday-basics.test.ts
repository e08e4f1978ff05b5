// What a new user tripped over in everyday use (#18), second round, in the browser at phone and
// desktop widths: an analyst is offered only what their role allows (no "Nova equipe", no run
// button, and a page that says why instead of a form that fails on submit); an invitation card
// names who invited and can be declined; inviting twice says why; the dashboard of a company on the
// demo provider says the demo works; Enter moves the team wizard on; the key form keeps its default
// scope; the audit filter shows name and e-mail; pt-BR agrees in gender and plural; and the
// profile's language applies at sign-in on a new device.
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, createTeam, stackEnv, type ApiPerson } from "./runs";

const sql = postgres(stackEnv("DB_URL"), { max: 1 });
let chromium: LaunchedBrowser;
let ownerContext: BrowserContext;
let ownerPage: Page;
let guestContext: BrowserContext;
let guestPage: Page;
let owner: ApiPerson;
let ownerAccount: { email: string; password: string };
let guestAccount: { email: string; password: string };

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context: ownerContext, page: ownerPage } = await newPage(chromium.browser));
  ownerAccount = await signUp(ownerPage, "Olga Dona");
  await createCompany(ownerPage, "Padaria Olga");
  owner = await apiSession(ownerAccount.email, ownerAccount.password);
  ({ context: guestContext, page: guestPage } = await newPage(chromium.browser, 390));
  guestAccount = await signUp(guestPage, "Gil Convidado");
});

afterAll(async () => {
  await ownerContext?.close();
  await guestContext?.close();
  await chromium?.close();
  await sql.end();
});

describe("an invitation", () => {
  it("names who invited by name and e-mail at phone and desktop widths, and the invitee declines it from the card", async () => {
    await callApi(owner, "POST", "/members/invitations", { email: guestAccount.email, role: "analyst" });
    for (const width of [390, 1280]) {
      await guestPage.setViewportSize({ width, height: 900 });
      await open(guestPage, "/invitations");
      const card = guestPage.getByTestId("invitation-card");
      expect(await card.innerText()).toContain(`Convite de Olga Dona (${ownerAccount.email}) · como Analista`);
      expect(await horizontalOverflow(guestPage)).toBe(0);
    }
    await guestPage.getByTestId("invitation-card").getByRole("button", { name: "Recusar" }).click();
    await guestPage.getByText("Convite de Padaria Olga recusado.").waitFor();
    await guestPage.getByText("Nenhum convite pendente.").first().waitFor();
    const [row] = await sql<{ declined: boolean }[]>`
      select declined_at is not null as declined from public.invitations where email = ${guestAccount.email}`;
    expect(row.declined).toBe(true);
  });

  it("sent twice, or to a member, says which of the two it is", async () => {
    await open(ownerPage, "/settings/members");
    const invite = async (email: string) => {
      await ownerPage.getByLabel("E-mail", { exact: true }).fill(email);
      await ownerPage.getByRole("button", { name: "Enviar convite" }).click();
    };
    // Someone nobody has written to: Auth refuses a second e-mail to one address within a second
    // (max_frequency), and the test above has just invited the guest.
    const newcomer = `browser-${Date.now()}-newcomer@example.test`;
    await invite(newcomer);
    await ownerPage.getByText(`Convite enviado para ${newcomer}.`).waitFor();
    // The form empties the field after a sent invitation: filled before that, the address would be wiped.
    await expect.poll(() => ownerPage.getByLabel("E-mail", { exact: true }).inputValue()).toBe("");
    await invite(newcomer);
    await ownerPage.getByRole("alert").filter({ hasText: "Este e-mail já tem um convite pendente para esta empresa." }).waitFor();
    await invite(ownerAccount.email);
    await ownerPage.getByRole("alert").filter({ hasText: "Esta pessoa já é membro da empresa." }).waitFor();
  });
});

describe("an analyst", () => {
  let teamId = "";

  beforeAll(async () => {
    teamId = await createTeam(owner, "Equipe da Padaria", [0]);
    await sql`
      insert into public.memberships (tenant_id, user_id, role)
      select ${owner.tenantId}, u.id, 'analyst' from auth.users u where u.email = ${guestAccount.email}`;
  });

  it("is offered nothing their role does not allow: no new team, agent or invitation, no run or edit of a team", async () => {
    for (const width of [390, 1280]) {
      await guestPage.setViewportSize({ width, height: 900 });
      await open(guestPage, "/");
      await guestPage.getByRole("heading", { name: "Olá, Gil Convidado!" }).waitFor();
      const main = guestPage.locator("main");
      expect(await main.getByRole("link", { name: "Nova equipe" }).count()).toBe(0);
      expect(await main.getByRole("link", { name: "Novo agente" }).count()).toBe(0);
      expect(await main.getByRole("link", { name: "Convidar pessoas" }).count()).toBe(0);
      expect(await guestPage.getByTestId("demo-only").count()).toBe(0);

      await open(guestPage, `/teams/${teamId}`);
      await guestPage.getByRole("heading", { name: "Equipe da Padaria" }).waitFor();
      for (const action of ["Executar", "Editar", "Duplicar", "Excluir"]) {
        expect(await main.getByRole("link", { name: action, exact: true }).or(main.getByRole("button", { name: action, exact: true })).count(), action).toBe(0);
      }
      expect(await horizontalOverflow(guestPage)).toBe(0);
    }
  });

  it("opening a page only for changes gets its reason in words, in pt-BR and en", async () => {
    await open(guestPage, "/teams/new");
    expect(await guestPage.getByTestId("error-text").innerText()).toBe(
      "Com o papel de analista nesta empresa, você não pode criar nem editar equipes. Peça a um proprietário ou administrador se precisar.",
    );
    await open(guestPage, `/teams/${teamId}/execute`);
    expect(await guestPage.getByTestId("error-text").innerText()).toContain("você não pode executar equipes.");
    expect(await guestPage.getByRole("textbox").count()).toBe(0);

    await guestPage.getByRole("button", { name: "English" }).first().click();
    await guestPage.locator("html[lang='en']").waitFor({ state: "attached" });
    await open(guestPage, "/agents/new");
    expect(await guestPage.getByTestId("error-text").innerText()).toBe(
      "With the analyst role in this company, you cannot create or edit agents. Ask an owner or admin if you need to.",
    );
    await guestPage.getByRole("button", { name: "Português" }).first().click();
    await guestPage.locator("html[lang='pt-BR']").waitFor({ state: "attached" });
  });
});

describe("the owner's everyday pages", () => {
  it("the dashboard of a company on the demo provider says the demo works and what a real provider adds; the feed agrees in gender", async () => {
    await open(ownerPage, "/");
    const demo = ownerPage.getByTestId("demo-only");
    expect(await demo.innerText()).toContain("Seus agentes já funcionam, no modo demonstração");
    expect(await demo.innerText()).toContain("modelos de verdade");
    expect(await demo.innerText()).not.toContain("para seus agentes trabalharem");
    const feed = await ownerPage.getByTestId("activity-feed").innerText();
    expect(feed).toContain("Equipe criada");
    expect(feed).not.toMatch(/\(a\)|Equipe criado/);
  });

  it("Enter in the wizard's name moves to the next step", async () => {
    await open(ownerPage, "/teams/new");
    const step = ownerPage.getByTestId("wizard-step");
    expect(await step.getAttribute("data-step")).toBe("basics");
    await ownerPage.getByLabel("Nome", { exact: true }).fill("Equipe pelo teclado");
    await ownerPage.getByLabel("Nome", { exact: true }).press("Enter");
    await expect.poll(() => step.getAttribute("data-step")).toBe("agents");
  });

  it("an empty prompt counts 0 caracteres", async () => {
    await open(ownerPage, "/agents/new");
    await ownerPage.getByText(/^0 caracteres \//).waitFor();
  });

  it("the key form keeps its default scope after adding a key", async () => {
    await open(ownerPage, "/settings/keys");
    const personal = ownerPage.locator("#add-key-scope-personal");
    expect(await personal.isChecked()).toBe(true);
    await ownerPage.locator("#add-key-value").fill("sk-test-everyday-0001");
    await ownerPage.getByRole("button", { name: "Adicionar chave", exact: true }).click();
    await ownerPage.getByText(/0001/).first().waitFor();
    await expect.poll(() => personal.isChecked()).toBe(true);
    expect(await ownerPage.locator("#add-key-value").inputValue()).toBe("");
  });

  it("the audit filter names each person with their e-mail", async () => {
    await open(ownerPage, "/settings/audit");
    const options = await ownerPage.locator("#audit-actor option").allTextContents();
    expect(options).toContain(`Olga Dona (${ownerAccount.email})`);
    expect(options).toContain(`Gil Convidado (${guestAccount.email})`);
  });
});

describe("signing in on a new device", () => {
  it("applies the profile's language", async () => {
    await callApi(owner, "PATCH", "/me", { locale: "en" });
    const { context, page } = await newPage(chromium.browser);
    await open(page, "/login");
    expect(await page.locator("html").getAttribute("lang")).toBe("pt-BR");
    await page.locator("#signin-email").fill(ownerAccount.email);
    await page.locator("#signin-password").fill(ownerAccount.password);
    await page.getByRole("button", { name: "Entrar" }).last().click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("heading", { name: "Hello, Olga Dona!" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await context.close();
    await callApi(owner, "PATCH", "/me", { locale: "pt-BR" });
  });
});
