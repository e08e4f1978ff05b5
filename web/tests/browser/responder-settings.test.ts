// Who answers a WhatsApp number, set from /settings/inboxes (responder, #13): an owner gives a number
// a team, business hours in a time zone, an out-of-hours reply and handoff words; a mistake in the
// hours or the time zone is named at its field and nothing is stored; the company default is set
// in English on a phone; a member sees the settings but cannot change them; and on /contacts a
// handler opts a contact out of proactive messages with a reason, and back in.
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let ownerContext: BrowserContext;
let ownerPage: Page;
let memberContext: BrowserContext;
let memberPage: Page;
let owner: ApiPerson;
let inboxId = "";
let teamId = "";
const sql = postgres(stackEnv("DB_URL"), { max: 2 });

const settingsRow = async (inbox: string | null) =>
  (await sql<{ team_id: string | null; time_zone: string; business_hours: unknown; out_of_hours_reply: string | null; handoff_keywords: string[] }[]>`
    select team_id, time_zone, business_hours, out_of_hours_reply, handoff_keywords from public.responder_settings
    where tenant_id = ${owner.tenantId} and inbox_id is not distinct from ${inbox}::uuid`)[0];

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context: ownerContext, page: ownerPage } = await newPage(chromium.browser));
  const account = await signUp(ownerPage, "Renata Prado");
  await createCompany(ownerPage, "Ótica Prado");
  owner = await apiSession(account.email, account.password);
  const created = await callApi(owner, "POST", "/inboxes", {
    provider: "evolution",
    display_name: "Loja Centro",
    provider_ids: { evolution_instance_name: `responder-${Date.now()}`, evolution_base_url: "https://evolution.example.com" },
    secrets: { api_key: `responder-key-${crypto.randomUUID()}` },
  });
  inboxId = created.inbox.id;
  const [team] = await sql<{ id: string }[]>`
    insert into public.teams (tenant_id, name) values (${owner.tenantId}, 'Atendimento Loja') returning id`;
  teamId = team.id;

  ({ context: memberContext, page: memberPage } = await newPage(chromium.browser, 390));
  const member = await signUp(memberPage, "Marcos Lima");
  await sql`
    insert into public.memberships (tenant_id, user_id, role)
    select ${owner.tenantId}, u.id, 'member' from auth.users u where u.email = ${member.email}`;
});

afterAll(async () => {
  await ownerContext?.close();
  await memberContext?.close();
  await chromium?.close();
  await sql.end();
});

describe("a number's responder", () => {
  it("is set by the owner from /settings/inboxes, in Portuguese at desktop width", async () => {
    await open(ownerPage, "/settings/inboxes");
    await ownerPage.getByTestId("inbox-row").filter({ hasText: "Loja Centro" }).getByRole("link", { name: "Quem atende" }).click();
    await ownerPage.getByRole("heading", { name: "Quem atende Loja Centro" }).waitFor();
    expect(await ownerPage.getByTestId("responder-source").innerText()).toContain("Ainda sem configurações");

    const form = ownerPage.getByTestId("responder-form");
    await form.getByLabel("Equipe que responde").selectOption(teamId);
    await form.getByLabel("Responder a qualquer hora").uncheck();
    await form.getByLabel("Fuso horário").fill("America/Manaus");
    await form.getByLabel("Segunda").fill("09:00-12:00, 13:00-18:00");
    await form.getByLabel("Sábado").fill("09:00-13:00");
    await form.getByLabel("Resposta fora do horário (opcional)").fill("Voltamos às 9h.");
    await form.getByLabel("Palavras que chamam uma pessoa").fill("gerente, Humano");
    await form.getByRole("button", { name: "Salvar" }).click();
    await ownerPage.getByText("Configurações salvas.").waitFor();
    await expect.poll(() => ownerPage.getByTestId("responder-source").innerText()).toBe("Este número tem configurações próprias.");

    const row = await settingsRow(inboxId);
    expect(row).toMatchObject({ team_id: teamId, time_zone: "America/Manaus", out_of_hours_reply: "Voltamos às 9h." });
    expect(row.business_hours).toEqual({ mon: [["09:00", "12:00"], ["13:00", "18:00"]], sat: [["09:00", "13:00"]] });
    expect([...row.handoff_keywords].sort()).toEqual(["gerente", "humano"]);
    // What was saved is what the page shows again.
    await open(ownerPage, `/settings/inboxes/responder/${inboxId}`);
    expect(await form.getByLabel("Segunda").inputValue()).toBe("09:00-12:00, 13:00-18:00");
    expect(await form.getByLabel("Equipe que responde").inputValue()).toBe(teamId);
  });

  it("names a mistake in the hours and in the time zone at their fields, and stores nothing", async () => {
    await open(ownerPage, `/settings/inboxes/responder/${inboxId}`);
    const form = ownerPage.getByTestId("responder-form");
    await form.getByLabel("Terça").fill("18:00-09:00");
    await form.getByLabel("Fuso horário").fill("Marte/Olimpo");
    await form.getByRole("button", { name: "Salvar" }).click();
    await form.getByRole("alert").filter({ hasText: "Confira os campos destacados." }).waitFor();
    expect(await ownerPage.locator("#hours_tue-error").innerText()).toBe("A abertura precisa vir antes do fechamento.");
    expect(await ownerPage.locator("#time_zone-error").innerText()).toBe("Escolha um fuso horário da lista, como America/Sao_Paulo.");
    // The form keeps what was typed.
    expect(await form.getByLabel("Terça").inputValue()).toBe("18:00-09:00");
    expect((await settingsRow(inboxId)).time_zone).toBe("America/Manaus");
  });

  it("company default: set in English on a phone, and a number can go back to following it", async () => {
    await open(ownerPage, "/settings/inboxes");
    // The language switch sits in the desktop header (a phone has it in the menu): switched, then narrowed.
    await ownerPage.getByRole("button", { name: "English" }).first().click();
    await ownerPage.getByRole("link", { name: "Company default for who answers" }).waitFor();
    await ownerPage.setViewportSize({ width: 390, height: 780 });
    await ownerPage.getByRole("link", { name: "Company default for who answers" }).click();
    await ownerPage.getByRole("heading", { name: "Who answers: company default" }).waitFor();
    expect(await ownerPage.getByTestId("responder-source").innerText()).toContain("No company default yet");
    const form = ownerPage.getByTestId("responder-form");
    await form.getByLabel("Team that answers").selectOption(teamId);
    await form.getByLabel("Bot replies per conversation").fill("4");
    await form.getByLabel("Wait before replying (seconds)").fill("1.5");
    await form.getByRole("button", { name: "Save" }).click();
    await ownerPage.getByText("Settings saved.").waitFor();
    expect(await horizontalOverflow(ownerPage)).toBe(0);
    const [row] = await sql<{ max_bot_turns: number; debounce_ms: number }[]>`
      select max_bot_turns, debounce_ms from public.responder_settings where tenant_id = ${owner.tenantId} and inbox_id is null`;
    expect(row).toEqual({ max_bot_turns: 4, debounce_ms: 1500 });

    await open(ownerPage, `/settings/inboxes/responder/${inboxId}`);
    await ownerPage.getByRole("button", { name: "Follow the company default" }).click();
    await ownerPage.getByText("This number now follows the company default.").waitFor();
    await expect.poll(() => ownerPage.getByTestId("responder-source").innerText()).toContain("follows the company default");
    expect(await settingsRow(inboxId)).toBeUndefined();
    expect(await horizontalOverflow(ownerPage)).toBe(0);

    await ownerPage.setViewportSize({ width: 1280, height: 900 });
    await ownerPage.getByRole("button", { name: "Português" }).first().click();
    await ownerPage.getByRole("heading", { name: "Quem atende Loja Centro" }).waitFor();
  });

  it("is read-only for a member, at phone and desktop widths", async () => {
    for (const width of [390, 1280]) {
      await memberPage.setViewportSize({ width, height: 900 });
      await open(memberPage, `/settings/inboxes/responder/${inboxId}`);
      await memberPage.getByRole("heading", { name: "Quem atende Loja Centro" }).waitFor();
      expect(await memberPage.getByTestId("responder-read-only").innerText()).toBe("Só proprietários e administradores mudam quem atende.");
      expect(await memberPage.getByLabel("Equipe que responde").isDisabled()).toBe(true);
      expect(await memberPage.getByLabel("Segunda").isDisabled()).toBe(true);
      expect(await memberPage.getByRole("button", { name: "Salvar", exact: true }).count()).toBe(0);
      expect(await memberPage.getByRole("button", { name: "Seguir o padrão da empresa" }).count()).toBe(0);
      expect(await horizontalOverflow(memberPage)).toBe(0);
    }
  });
});

describe("opting a contact out on /contacts", () => {
  it("shows the state and reason, and a handler toggles it through the API", async () => {
    await sql`
      select private.record_webhook_message(${inboxId}, ${sql.json({
        contact_phone: "+55 11 98765-4321", contact_name: "Paula Reis", direction: "in", role: "user", type: "text", body: "Olá",
        provider_message_id: `wamid.responder-${Date.now()}`,
      })})`;
    await open(ownerPage, "/contacts");
    const row = ownerPage.getByTestId("contact-row").filter({ hasText: "Paula Reis" });
    await row.getByText("Recebe mensagens ativas.").waitFor();
    await row.getByLabel("Motivo (opcional)").fill("Pediu por telefone");
    await row.getByRole("button", { name: "Tirar das mensagens" }).click();
    await ownerPage.getByText("O contato não receberá mensagens ativas.").waitFor();
    await expect.poll(() => row.getByTestId("opted-out").innerText()).toMatch(/^Saiu em .+ · Pediu por telefone$/);
    const [contact] = await sql<{ opted_out_at: Date | null; opt_out_reason: string | null }[]>`
      select opted_out_at, opt_out_reason from public.contacts where tenant_id = ${owner.tenantId} and name = 'Paula Reis'`;
    expect(contact.opted_out_at).not.toBeNull();
    expect(contact.opt_out_reason).toBe("Pediu por telefone");

    await row.getByRole("button", { name: "Voltar a enviar mensagens" }).click();
    await ownerPage.getByText("O contato pode voltar a receber mensagens ativas.").waitFor();
    await row.getByText("Recebe mensagens ativas.").waitFor();
    const [back] = await sql<{ opted_out_at: Date | null }[]>`
      select opted_out_at from public.contacts where tenant_id = ${owner.tenantId} and name = 'Paula Reis'`;
    expect(back.opted_out_at).toBeNull();

    // A member who handles conversations sees the state too (members may handle them).
    await open(memberPage, "/contacts");
    await memberPage.getByTestId("contact-row").filter({ hasText: "Paula Reis" }).getByText("Recebe mensagens ativas.").waitFor();
  });
});
