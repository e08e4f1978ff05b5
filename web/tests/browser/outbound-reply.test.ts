// A person answering on WhatsApp from the browser: in /inbox/<id> they write a reply, which reaches
// the provider (a fake Evolution server) once, shows in the thread with its delivery status, and
// makes the conversation theirs; in /settings/inboxes an owner sees a reply that failed (its worker
// died mid-send: a dead letter, never resent by itself), with the reason in words, and sends it again.
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeWhatsAppProviders, startFakeWhatsAppProviders } from "../../../scripts/fakes/fake-whatsapp-providers.ts";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;
let fake: FakeWhatsAppProviders;
let inboxId = "";
let conversationId = "";
const sql = postgres(stackEnv("DB_URL"), { max: 2 });

async function arrive(phone: string, name: string, body: string): Promise<string> {
  const [row] = await sql<{ recorded: { conversation_id: string } }[]>`
    select private.record_webhook_message(${inboxId}, ${sql.json({
      contact_phone: phone,
      contact_name: name,
      direction: "in",
      role: "user",
      type: "text",
      body,
      media: null,
      provider_message_id: `wamid.reply-${crypto.randomUUID()}`,
      sent_at: null,
      metadata: {},
    })}) as recorded`;
  return row.recorded.conversation_id;
}

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders();
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Clara Nunes");
  await createCompany(page, "Livraria Jabuticaba");
  owner = await apiSession(account.email, account.password);
  const instanceName = `reply-${Date.now()}`;
  const apiKey = `reply-key-${crypto.randomUUID()}`;
  const created = await callApi(owner, "POST", "/inboxes", {
    provider: "evolution",
    display_name: "Balcão",
    provider_ids: { evolution_instance_name: instanceName, evolution_base_url: fake.url },
    secrets: { api_key: apiKey },
  });
  inboxId = created.inbox.id;
  fake.evolution({ instanceName, apiKey });
  conversationId = await arrive("+55 11 98765-0101", "Paulo Dias", "Vocês têm o livro X?");
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
  await fake?.close();
  await sql.end();
});

describe("answering from the inbox", () => {
  it("sends a reply once, shows its status, and gives the person the conversation (pt-BR)", async () => {
    await open(page, `/inbox/${conversationId}`);
    await page.getByTestId("reply-box").waitFor();
    const body = `Temos sim! Separo para você? ${Date.now()}`;
    await page.getByLabel("Responder", { exact: true }).fill(body);
    await page.getByRole("button", { name: "Enviar", exact: true }).click();

    await expect.poll(() => fake.sent.filter((sent) => sent.body === body).length, { timeout: 30_000 }).toBe(1);
    await expect.poll(async () => {
      await open(page, `/inbox/${conversationId}`);
      const last = page.getByTestId("message").last();
      return `${await last.getAttribute("data-direction")} ${await last.getByTestId("message-status").textContent()}`;
    }, { timeout: 30_000 }).toBe("out enviada");
    expect(await page.getByTestId("message").last().textContent()).toContain(body);
    const assignee = await page.locator("#assignee").inputValue();
    expect(assignee).not.toBe("bot");
    expect(fake.sent.filter((sent) => sent.body === body)).toHaveLength(1);
  });

  it("lists a failed reply in /settings/inboxes with its reason, and sends it again once", async () => {
    const body = `Resposta interrompida ${Date.now()}`;
    // A worker that took the reply and died: its 5 s lease runs out and the watchdog makes a dead letter.
    await sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`select private.append_outbound_message(${conversationId}, 'assistant', ${body}) as id`;
      await tx`update private.outbound_deliveries set status = 'sending', lease_owner = 'outbound:died-in-browser-test',
                 lease_expires_at = now() + interval '5 seconds', attempts = 1 where message_id = ${row.id}`;
    });
    await expect.poll(async () => {
      await open(page, "/settings/inboxes");
      return page.getByTestId("dead-letter").filter({ hasText: body }).count();
    }, { timeout: 60_000, interval: 2_000 }).toBe(1);
    const letter = page.getByTestId("dead-letter").filter({ hasText: body });
    expect(await letter.getByTestId("dead-letter-reason").textContent()).toContain("o envio foi interrompido");
    expect(fake.sendAttempts.filter((attempt) => attempt.body === body)).toHaveLength(0);

    await letter.getByRole("button", { name: "Enviar de novo" }).click();
    await expect.poll(() => fake.sent.filter((sent) => sent.body === body).length, { timeout: 30_000 }).toBe(1);
    await open(page, "/settings/inboxes");
    expect(await page.getByTestId("dead-letter").filter({ hasText: body }).count()).toBe(0);
  });
});
