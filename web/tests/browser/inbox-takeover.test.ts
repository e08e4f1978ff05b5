// A person takes a conversation from the bot and gives it back from /inbox (responder, #13): the
// contact panel says the bot answers and offers "Assumir"; once taken, the conversation is the
// person's and the panel offers "Devolver ao bot"; and a contact asking for a person while the
// inbox is open is a toast. Messages arrive as the webhooks record them (on the database).
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;
let inboxId = "";
let conversationId = "";
const sql = postgres(stackEnv("DB_URL"), { max: 2 });
let serial = 0;

async function arrive(phone: string, body: string): Promise<string> {
  const [row] = await sql<{ recorded: { conversation_id: string } }[]>`
    select private.record_webhook_message(${inboxId}, ${sql.json({
      contact_phone: phone, contact_name: "Ana Lima", direction: "in", role: "user", type: "text", body,
      provider_message_id: `wamid.takeover-${Date.now()}-${++serial}`,
    })}) as recorded`;
  return row.recorded.conversation_id;
}

async function assignee(): Promise<string> {
  const [row] = await sql<{ assignee: string }[]>`select assignee::text from public.conversations where id = ${conversationId}`;
  return row.assignee;
}

beforeAll(async () => {
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Rita Moraes");
  await createCompany(page, "Floricultura Ipê");
  owner = await apiSession(account.email, account.password);
  const created = await callApi(owner, "POST", "/inboxes", {
    provider: "evolution",
    display_name: "Vendas",
    provider_ids: { evolution_instance_name: `takeover-${Date.now()}`, evolution_base_url: "https://evolution.example.com" },
    secrets: { api_key: `takeover-key-${crypto.randomUUID()}` },
  });
  inboxId = created.inbox.id;
  // The inbox is answered by a team (no agent needed: nothing here reaches a run).
  await sql`
    with inbox as (select tenant_id from public.inboxes where id = ${inboxId}),
         team as (insert into public.teams (tenant_id, name) select tenant_id, 'Atendimento' from inbox returning id, tenant_id)
    insert into public.responder_settings (tenant_id, inbox_id, team_id, debounce_ms)
    select tenant_id, ${inboxId}, id, 60000 from team`;
  conversationId = await arrive("+55 11 98765-0001", "Olá, quero um orçamento");
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
  await sql.end();
});

describe("taking over from the bot", () => {
  it("takes the conversation and gives it back from the contact panel", async () => {
    await open(page, `/inbox/${conversationId}`);
    const panel = page.getByTestId("bot-handover");
    await panel.getByText("O bot responde esta conversa.").waitFor();

    await panel.getByRole("button", { name: "Assumir" }).click();
    await panel.getByRole("button", { name: "Devolver ao bot" }).waitFor();
    expect(await assignee()).toBe("member");

    await panel.getByRole("button", { name: "Devolver ao bot" }).click();
    await panel.getByRole("button", { name: "Assumir" }).waitFor();
    expect(await assignee()).toBe("bot");
  });

  it("shows a toast when a contact asks for a person while the inbox is open", async () => {
    await open(page, "/inbox");
    await page.getByText("Ao vivo").first().waitFor();
    await arrive("+55 31 99876-0003", "Quero falar com um atendente");
    await page.getByText("Um contato pediu para falar com uma pessoa: uma conversa espera por você.").waitFor({ timeout: 15_000 });
  });
});
