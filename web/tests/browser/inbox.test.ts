// The WhatsApp inbox in the browser: a company's conversations listed with their unread counts, a
// thread opened beside the list on a laptop and on its own on a phone, a message arriving while the
// thread is open (shown without a reload, through Realtime), the same pages in Portuguese and in
// English, connecting a number from /settings/inboxes (the webhook address and Meta's verify token
// shown once), /contacts, and another company's conversation address answering not-found.
// Messages arrive as the webhooks record them (private.record_webhook_message, on the database).
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;
let inboxId = "";
let conversationId = "";
let theirConversationId = "";
const sql = postgres(stackEnv("DB_URL"), { max: 2 });
let serial = 0;

async function arrive(inbox: string, phone: string, name: string, body: string): Promise<string> {
  const [row] = await sql<{ recorded: { conversation_id: string } }[]>`
    select private.record_webhook_message(${inbox}, ${sql.json({
      contact_phone: phone,
      contact_name: name,
      direction: "in",
      role: "user",
      type: "text",
      body,
      media: null,
      provider_message_id: `wamid.browser-${Date.now()}-${++serial}`,
      sent_at: null,
      metadata: {},
    })}) as recorded`;
  return row.recorded.conversation_id;
}

async function connectEvolution(who: ApiPerson, name: string): Promise<string> {
  const created = await callApi(who, "POST", "/inboxes", {
    provider: "evolution",
    display_name: name,
    provider_ids: { evolution_instance_name: `browser-${Date.now()}-${++serial}`, evolution_base_url: "https://evolution.example.com" },
    secrets: { api_key: `browser-key-${crypto.randomUUID()}` },
  });
  return created.inbox.id;
}

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Rita Moraes");
  await createCompany(page, "Floricultura Ipê");
  owner = await apiSession(account.email, account.password);
  inboxId = await connectEvolution(owner, "Vendas");
  conversationId = await arrive(inboxId, "+55 11 98765-0001", "Ana Lima", "Olá, quero um orçamento");

  // Another company, its number and a conversation of its own.
  const other = await newPage(chromium.browser);
  const stranger = await signUp(other.page, "Otávio Reis");
  await createCompany(other.page, "Padaria Outra");
  const strangerSession = await apiSession(stranger.email, stranger.password);
  theirConversationId = await arrive(await connectEvolution(strangerSession, "Deles"), "+55 21 97777-0002", "Cliente Alheio", "segredo deles");
  await other.context.close();
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
  await sql.end();
});

const item = (id: string) => page.locator(`[data-testid="conversation-item"][data-conversation-id="${id}"]`);

describe("the inbox", () => {
  it("lists the conversation with its unread count, opens the thread beside the list, and shows a new message live (desktop, pt-BR)", async () => {
    await open(page, "/inbox");
    await page.getByTestId("live-state").waitFor();
    expect(await item(conversationId).getAttribute("data-unread")).toBe("1");
    expect(await item(conversationId).textContent()).toContain("Ana Lima");
    expect(await item(conversationId).getByTestId("conversation-preview").textContent()).toBe("Olá, quero um orçamento");

    await item(conversationId).click();
    await page.getByTestId("thread").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/inbox/${conversationId}`);
    expect(await page.getByTestId("conversation-pane").isVisible()).toBe(true);
    expect(await page.getByTestId("message").last().textContent()).toContain("Olá, quero um orçamento");
    expect(await page.getByTestId("contact-phone").textContent()).toBe("+5511987650001");
    // Opening it marked it read.
    await expect.poll(() => item(conversationId).getAttribute("data-unread")).toBe("0");

    // A mark a reload would wipe: the new message must come in on this same page.
    await page.evaluate(() => ((window as unknown as { inboxMark: string }).inboxMark = "same page"));
    await page.getByText("Ao vivo").first().waitFor();
    await arrive(inboxId, "5511987650001", "Ana Lima", "Pode ser amanhã às 10h?");
    await expect.poll(() => page.getByTestId("message").last().textContent(), { timeout: 15_000 }).toContain("Pode ser amanhã às 10h?");
    expect(await page.getByTestId("message").count()).toBe(2);
    await expect.poll(() => item(conversationId).getByTestId("conversation-preview").textContent()).toBe("Pode ser amanhã às 10h?");
    expect(await page.evaluate(() => (window as unknown as { inboxMark?: string }).inboxMark)).toBe("same page");
  });

  it("a conversation that starts while the list is open appears in it, with its unread count", async () => {
    await open(page, "/inbox");
    await page.getByText("Ao vivo").first().waitFor();
    const newcomer = await arrive(inboxId, "+55 31 99876-0003", "Bruno Sá", "Vocês entregam no sábado?");
    await expect.poll(() => item(newcomer).count(), { timeout: 15_000 }).toBe(1);
    expect(await item(newcomer).getAttribute("data-unread")).toBe("1");
  });

  it("closes and reopens from the contact panel", async () => {
    await open(page, `/inbox/${conversationId}`);
    await page.getByRole("button", { name: "Encerrar" }).click();
    await page.getByRole("button", { name: "Reabrir" }).waitFor();
    await page.getByRole("button", { name: "Reabrir" }).click();
    await page.getByRole("button", { name: "Encerrar" }).waitFor();
  });

  it("on a phone shows the list or the thread, never both, with a way back (en)", async () => {
    await open(page, "/inbox");
    await page.getByRole("button", { name: "English" }).first().click();
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("en");
    await page.setViewportSize({ width: 390, height: 780 });
    await open(page, "/inbox");
    expect(await page.getByRole("heading", { name: "Conversations" }).isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await item(conversationId).click();
    await page.waitForURL(`**/inbox/${conversationId}`);
    await page.getByTestId("thread").waitFor();
    expect(await page.getByTestId("conversation-pane").isVisible()).toBe(false);
    expect(await page.getByTestId("contact-panel").getByText("Contact", { exact: true }).isVisible()).toBe(true);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await page.getByTestId("back-to-list").click();
    await page.waitForURL((url) => url.pathname === "/inbox");
    expect(await page.getByTestId("conversation-pane").isVisible()).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "Português" }).first().click();
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("pt-BR");
  });

  it("answers not-found for another company's conversation, and never lists it", async () => {
    await open(page, `/inbox/${theirConversationId}`);
    expect(await page.getByText("Página não encontrada").isVisible()).toBe(true);
    expect(await page.getByText("segredo deles").count()).toBe(0);
    await open(page, "/inbox");
    expect(await item(theirConversationId).count()).toBe(0);
  });
});

describe("contacts and numbers", () => {
  it("lists the contacts", async () => {
    await open(page, "/contacts");
    expect(await page.getByTestId("contact-list").textContent()).toContain("Ana Lima");
    expect(await page.getByTestId("contact-list").textContent()).toContain("+5511987650001");
  });

  it("connects a Meta number with the guide, and shows the webhook address and verify token once", async () => {
    await open(page, "/settings/inboxes");
    await page.getByLabel("WhatsApp Cloud API (Meta)").check();
    expect(await page.getByTestId("provider-guide").textContent()).toContain("ID do número de telefone");
    await page.getByLabel("Nome do número").fill("Atendimento Meta");
    await page.getByLabel("ID do número de telefone").fill(`${Date.now()}`);
    await page.getByLabel("Chave secreta do app").fill(`app-secret-${crypto.randomUUID()}`);
    await page.getByLabel("Token de acesso").fill(`access-token-${crypto.randomUUID()}`);
    await page.getByRole("button", { name: "Conectar", exact: true }).click();
    await page.getByTestId("webhook-url").waitFor();
    expect(await page.getByTestId("webhook-url").textContent()).toMatch(/\/functions\/v1\/webhooks\/meta\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId("verify-token").textContent()).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    await expect.poll(() => page.getByTestId("inbox-list").textContent()).toContain("Atendimento Meta");
  });
});
