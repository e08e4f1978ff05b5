// Notifications set from /settings/notifications (#13): an owner's phone for WhatsApp and SMS notices
// (a phone that is none is named at its field and nothing is stored), the company's rule per event
// (who gets it, the channels in order; a rule with nobody is named at its field), and their own
// notices turned off in English on a phone; a member changes only their own phone, notices and
// channels, and sees the company's rules read-only, at phone and desktop widths.
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, stackEnv, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let ownerContext: BrowserContext;
let ownerPage: Page;
let memberContext: BrowserContext;
let memberPage: Page;
let owner: ApiPerson;
let memberEmail = "";
const sql = postgres(stackEnv("DB_URL"), { max: 2 });

const phoneOf = async (email: string) =>
  (await sql<{ phone: string }[]>`
    select c.phone from public.notification_contacts c join auth.users u on u.id = c.user_id where u.email = ${email}`)[0]?.phone ?? null;
const preferencesOf = async (email: string) =>
  Object.fromEntries(
    (await sql<{ event: string; enabled: boolean }[]>`
      select p.event::text, p.enabled from public.notification_preferences p join auth.users u on u.id = p.user_id
      where p.tenant_id = ${owner.tenantId} and u.email = ${email}`).map((row) => [row.event, row.enabled]),
  );
const channelsOf = async (email: string) =>
  Object.fromEntries(
    (await sql<{ channel: string; enabled: boolean }[]>`
      select p.channel::text, p.enabled from public.notification_channel_preferences p join auth.users u on u.id = p.user_id
      where p.tenant_id = ${owner.tenantId} and u.email = ${email}`).map((row) => [row.channel, row.enabled]),
  );
const ruleOf = async (event: string) =>
  (await sql<{ enabled: boolean; roles: string[]; channels: string[] }[]>`
    select enabled, roles::text[] as roles, channels::text[] as channels from public.notification_rules
    where tenant_id = ${owner.tenantId} and event = ${event}::public.notification_event`)[0];

let ownerEmail = "";

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context: ownerContext, page: ownerPage } = await newPage(chromium.browser));
  const account = await signUp(ownerPage, "Helena Duarte");
  ownerEmail = account.email;
  await createCompany(ownerPage, "Clínica Duarte");
  owner = await apiSession(account.email, account.password);

  ({ context: memberContext, page: memberPage } = await newPage(chromium.browser, 390));
  const member = await signUp(memberPage, "Caio Nunes");
  memberEmail = member.email;
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

describe("an owner's notifications", () => {
  it("names a phone that is none at its field, then keeps a real one in E.164, in Portuguese at desktop width", async () => {
    await open(ownerPage, "/settings");
    await ownerPage.getByRole("link", { name: "Avisos" }).click();
    await ownerPage.getByRole("heading", { name: "Onde você recebe avisos" }).waitFor();
    expect(await ownerPage.getByTestId("notification-email").innerText()).toBe(ownerEmail);

    const form = ownerPage.getByTestId("notification-phone");
    await form.getByLabel("Celular para WhatsApp e SMS").fill("12345678-abc");
    await form.getByRole("button", { name: "Salvar celular" }).click();
    await ownerPage.locator("#phone-error").waitFor();
    expect(await ownerPage.locator("#phone-error").innerText()).toBe("Isto não é um número de telefone: escreva-o com o DDD, como +55 11 98765-4321.");
    expect(await form.getByLabel("Celular para WhatsApp e SMS").inputValue()).toBe("12345678-abc");
    expect(await phoneOf(ownerEmail)).toBeNull();

    await form.getByLabel("Celular para WhatsApp e SMS").fill("(11) 98888-7777");
    await form.getByRole("button", { name: "Salvar celular" }).click();
    await ownerPage.getByText("Celular para avisos salvo.").waitFor();
    await expect.poll(() => form.getByLabel("Celular para WhatsApp e SMS").inputValue()).toBe("+5511988887777");
    expect(await ownerPage.locator("#phone-error").count()).toBe(0);
    expect(await phoneOf(ownerEmail)).toBe("+5511988887777");
  });

  it("sets who gets a reply that was not delivered and on which channels, and names a rule with nobody", async () => {
    await open(ownerPage, "/settings/notifications");
    const rule = ownerPage.locator('[data-testid="notification-rule"][data-event="dead_letter"]');
    expect(await rule.getByText("Padrão", { exact: true }).count()).toBe(1);
    await rule.getByLabel("Membro").check();
    await rule.getByLabel("1º canal").selectOption("email");
    await rule.getByLabel("2º canal").selectOption("whatsapp");
    await rule.getByLabel("3º canal").selectOption("none");
    await rule.getByRole("button", { name: "Salvar regra" }).click();
    await ownerPage.getByText("Regra de “Resposta não entregue” salva.").waitFor();
    await expect.poll(async () => (await ruleOf("dead_letter"))?.channels).toEqual(["email", "whatsapp"]);
    expect(await ruleOf("dead_letter")).toEqual({ enabled: true, roles: ["owner", "admin", "member"], channels: ["email", "whatsapp"] });
    await rule.getByText("Definida pela empresa").waitFor();

    // Nobody named: the API refuses, the page says so at the roles, and the stored rule stays.
    const budget = ownerPage.locator('[data-testid="notification-rule"][data-event="budget_80"]');
    await budget.getByLabel("Proprietário").uncheck();
    await budget.getByRole("button", { name: "Salvar regra" }).click();
    await ownerPage.locator("#rule-budget_80-roles-error").waitFor();
    expect(await ownerPage.locator("#rule-budget_80-roles-error").innerText()).toBe("Escolha pelo menos um.");
    expect(await ruleOf("budget_80")).toBeUndefined();
    expect(await budget.getByLabel("Proprietário").isChecked()).toBe(false);
  });

  it("turns off one of their own notices in English on a phone", async () => {
    await open(ownerPage, "/settings/notifications");
    await ownerPage.getByRole("button", { name: "English" }).first().click();
    await ownerPage.getByRole("heading", { name: "Where you get notifications" }).waitFor();
    await ownerPage.setViewportSize({ width: 390, height: 780 });
    const mine = ownerPage.getByTestId("notification-preferences");
    await mine.getByLabel("80% of the month's budget").uncheck();
    await mine.getByRole("button", { name: "Save my notifications" }).click();
    await ownerPage.getByText("Your notifications were saved.").waitFor();
    expect(await preferencesOf(ownerEmail)).toEqual({ budget_80: false });
    expect(await mine.getByLabel("80% of the month's budget").isChecked()).toBe(false);
    expect(await horizontalOverflow(ownerPage)).toBe(0);

    await ownerPage.setViewportSize({ width: 1280, height: 900 });
    await ownerPage.getByRole("button", { name: "Português" }).first().click();
    await ownerPage.getByRole("heading", { name: "Onde você recebe avisos" }).waitFor();
  });
});

describe("a member's notifications", () => {
  it("changes only their own, and reads the company's rules, at phone and desktop widths", async () => {
    for (const width of [390, 1280]) {
      await memberPage.setViewportSize({ width, height: 900 });
      await open(memberPage, "/settings/notifications");
      await memberPage.getByRole("heading", { name: "Regras da empresa" }).waitFor();
      expect(await memberPage.getByTestId("notification-rules-read-only").innerText()).toBe("Só proprietários e administradores mudam as regras da empresa.");
      const rule = memberPage.locator('[data-testid="notification-rule"][data-event="handoff_requested"]');
      expect(await rule.getByLabel("Enviar este aviso").isDisabled()).toBe(true);
      expect(await rule.getByLabel("1º canal").isDisabled()).toBe(true);
      expect(await memberPage.getByRole("button", { name: "Salvar regra" }).count()).toBe(0);
      // The rule the owner changed shows as it is stored.
      const deadLetter = memberPage.locator('[data-testid="notification-rule"][data-event="dead_letter"]');
      expect(await deadLetter.getByLabel("1º canal").inputValue()).toBe("email");
      // A notice the rule does not send to members says so.
      const mine = memberPage.getByTestId("notification-preferences");
      expect(await mine.locator("li").filter({ hasText: "80% do orçamento do mês" }).innerText()).toContain("não envia este aviso para o seu papel");
      expect(await horizontalOverflow(memberPage)).toBe(0);
    }

    const mine = memberPage.getByTestId("notification-preferences");
    await mine.getByLabel("Conversa pede uma pessoa").uncheck();
    await mine.getByLabel("SMS", { exact: true }).uncheck();
    await mine.getByRole("button", { name: "Salvar meus avisos" }).click();
    await memberPage.getByText("Seus avisos foram salvos.").waitFor();
    expect(await preferencesOf(memberEmail)).toEqual({ handoff_requested: false });
    expect(await channelsOf(memberEmail)).toEqual({ sms: false });
    expect(await channelsOf(ownerEmail)).toEqual({});
    expect(await mine.getByLabel("SMS", { exact: true }).isChecked()).toBe(false);
    expect(await preferencesOf(ownerEmail)).toEqual({ budget_80: false });

    // The form is done once its button is back: SvelteKit then moves the focus to the page, and a
    // phone typed before that went nowhere (the form sent an empty field: two CIs' flake).
    await mine.getByRole("button", { name: "Salvar meus avisos" }).waitFor();
    const phone = memberPage.getByTestId("notification-phone");
    await phone.getByLabel("Celular para WhatsApp e SMS").fill("+55 21 97777-6666");
    await phone.getByRole("button", { name: "Salvar celular" }).click();
    await memberPage.getByText("Celular para avisos salvo.").waitFor();
    await expect.poll(() => phone.getByLabel("Celular para WhatsApp e SMS").inputValue()).toBe("+5521977776666");
    expect(await phoneOf(memberEmail)).toBe("+5521977776666");
    expect(await phoneOf(ownerEmail)).toBe("+5511988887777");

    // Blank: no more WhatsApp or SMS notices.
    await phone.getByLabel("Celular para WhatsApp e SMS").fill("");
    await phone.getByRole("button", { name: "Salvar celular" }).click();
    await memberPage.getByText("Celular removido: seus avisos vão só por e-mail.").waitFor();
    expect(await phoneOf(memberEmail)).toBeNull();
  });

  it("lists recent notices, each channel's outcome in words: the owner the company's, a member only their own", async () => {
    const at = new Date().toISOString();
    await sql`
      insert into public.notifications (tenant_id, event, recipient_user_id, channels, status, sent_channel, attempts, finished_at)
      select ${owner.tenantId}, 'dead_letter', u.id, '{whatsapp,sms,email}', 'dead', null,
             ${sql.json([
               { channel: "whatsapp", outcome: "skipped", code: "recipient_unreachable", at },
               { channel: "sms", outcome: "failed", code: "provider_unavailable", message: "Twilio said 503", at },
               { channel: "email", outcome: "failed", code: "some_new_code", at },
             ])}, now()
      from auth.users u where u.email = ${ownerEmail}`;
    await sql`
      insert into public.notifications (tenant_id, event, recipient_user_id, channels, status, sent_channel, attempts, finished_at)
      select ${owner.tenantId}, 'handoff_requested', u.id, '{whatsapp,email}', 'sent', 'email',
             ${sql.json([{ channel: "whatsapp", outcome: "skipped", code: "recipient_unreachable", at }, { channel: "email", outcome: "sent", at }])}, now()
      from auth.users u where u.email = ${memberEmail}`;

    await ownerPage.setViewportSize({ width: 1280, height: 900 });
    await open(ownerPage, "/settings/notifications");
    const owners = ownerPage.getByTestId("recent-notification");
    expect(await owners.count()).toBe(2);
    const dead = ownerPage.locator('[data-testid="recent-notification"][data-event="dead_letter"]');
    expect(await dead.innerText()).toContain("Resposta não entregue para você");
    expect(await dead.getByTestId("recent-notification-status").innerText()).toBe("Não entregue");
    expect(await dead.getByTestId("recent-notification-attempts").innerText()).toBe(
      ["WhatsApp: pulado — sem número ou endereço para alcançar a pessoa", "SMS: falhou — o serviço estava fora do ar", "E-mail: falhou — um erro inesperado"].join("\n"),
    );
    expect(await dead.innerText()).not.toContain("Twilio");
    const handoff = ownerPage.locator('[data-testid="recent-notification"][data-event="handoff_requested"]');
    expect(await handoff.innerText()).toContain("para Caio Nunes");
    expect(await handoff.getByTestId("recent-notification-status").innerText()).toBe("Enviado por E-mail");

    await memberPage.setViewportSize({ width: 390, height: 900 });
    await open(memberPage, "/settings/notifications");
    const mine = memberPage.getByTestId("recent-notification");
    expect(await mine.count()).toBe(1);
    expect(await mine.innerText()).toContain("Conversa pede uma pessoa para você");
    expect(await horizontalOverflow(memberPage)).toBe(0);
  });

  it("is refused a rule change sent by hand, as the API refuses it", async () => {
    await open(memberPage, "/settings/notifications");
    const status = await memberPage.evaluate(async () => {
      const body = new FormData();
      body.set("event", "handoff_requested");
      body.set("enabled", "on");
      body.set("roles", "member");
      body.set("channel_1", "email");
      const response = await fetch("/settings/notifications?/rule", { method: "POST", body, headers: { "x-sveltekit-action": "true" } });
      return ((await response.json()) as { status: number }).status;
    });
    expect(status).toBe(403);
    expect(await ruleOf("handoff_requested")).toBeUndefined();
  });
});
