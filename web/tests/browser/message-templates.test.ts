// Meta's 24-hour window from the browser: an owner syncs a Meta number's message templates in
// /settings/inboxes (status in words), and in a conversation the contact has not written in for
// 24 hours the composer says the window is closed and offers the approved templates, with a field
// per variable and the text the contact will read; sending one reaches the fake Graph API (on the
// stack's WhatsApp address) as Meta's template message. An owner chooses the template free text goes
// as outside the window. pt-BR at desktop width, en on a phone (the header and button fields too).
import postgres from "postgres";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeWhatsAppProviders, startFakeWhatsAppProviders } from "../../../scripts/fakes/fake-whatsapp-providers.ts";
import { launchChromium, newPage, open, type LaunchedBrowser } from "./browser";
import { createCompany, horizontalOverflow, signUp } from "./people";
import { apiSession, callApi, stackEnv, type ApiPerson } from "./runs";

let chromium: LaunchedBrowser;
let context: BrowserContext;
let page: Page;
let owner: ApiPerson;
let fake: FakeWhatsAppProviders;
let inboxId = "";
let phoneNumberId = "";
let conversationId = "";
let wabaId = "";
let accessToken = "";
// A Brazilian mobile with its ninth digit (13 digits), as the database normalizes it.
const contactDigits = `55119${String(Date.now() % 100_000).padStart(5, "0")}077`;
const sql = postgres(stackEnv("DB_URL"), { max: 2 });

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders({ atStackAddress: true });
  chromium = await launchChromium();
  ({ context, page } = await newPage(chromium.browser));
  const account = await signUp(page, "Marta Rocha");
  await createCompany(page, "Sebo Jatobá");
  owner = await apiSession(account.email, account.password);
  phoneNumberId = `${Date.now()}0042`;
  wabaId = `9${phoneNumberId}`;
  accessToken = `meta-token-${crypto.randomUUID()}`;
  const created = await callApi(owner, "POST", "/inboxes", {
    provider: "meta_cloud",
    display_name: "Vendas Meta",
    provider_ids: { meta_phone_number_id: phoneNumberId, meta_waba_id: wabaId },
    secrets: { app_secret: `meta-app-${crypto.randomUUID()}`, access_token: accessToken },
  });
  inboxId = created.inbox.id;
  fake.meta({ phoneNumberId, accessToken, wabaId });
  fake.metaTemplates(wabaId, accessToken, [
    { name: "boas_vindas", language: "pt_BR", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Olá {{1}}, aqui é o {{2}}. Podemos ajudar?" }] },
    { name: "oferta_natal", language: "pt_BR", status: "PENDING", category: "MARKETING", components: [{ type: "BODY", text: "Feliz Natal!" }] },
  ]);
  // A conversation the company started from its phone: the contact never wrote (window closed).
  const [row] = await sql<{ recorded: { conversation_id: string } }[]>`
    select private.record_webhook_message(${inboxId}, ${sql.json({
      contact_phone: `+${contactDigits}`,
      contact_name: "Rui Lopes",
      direction: "out",
      role: "human",
      type: "text",
      body: "mensagem do celular",
      media: null,
      provider_message_id: `wamid.echo-${crypto.randomUUID()}`,
      sent_at: null,
      metadata: {},
    })}) as recorded`;
  conversationId = row.recorded.conversation_id;
});

afterAll(async () => {
  await context?.close();
  await chromium?.close();
  await fake?.close();
  await sql.end();
});

describe("message templates outside Meta's 24-hour window", () => {
  it("syncs a Meta number's templates in /settings/inboxes and shows their status (pt-BR, desktop)", async () => {
    await open(page, "/settings/inboxes");
    await page.getByTestId("templates-link").click();
    await page.getByTestId("templates-empty").waitFor();
    await page.getByRole("button", { name: "Sincronizar do Meta" }).click();
    await page.getByText("2 modelos sincronizados do Meta.").waitFor();
    await expect.poll(() => page.getByTestId("template-row").count()).toBe(2);
    const welcome = page.locator('[data-template-name="boas_vindas"]');
    expect(await welcome.getByTestId("template-status").innerText()).toBe("Aprovado");
    expect(await welcome.innerText()).toContain("2 variáveis");
    expect(await page.locator('[data-template-name="oferta_natal"]').getByTestId("template-status").innerText()).toBe("Em análise");
    expect(await horizontalOverflow(page)).toBe(0);
  });

  it("offers the approved templates when the window is closed, previews them and sends one as Meta's template (pt-BR, desktop)", async () => {
    await open(page, `/inbox/${conversationId}`);
    expect(await page.getByTestId("window-closed").innerText()).toContain("A janela de 24 horas está fechada");
    expect(await page.getByTestId("reply-box").count()).toBe(0);
    const choices = await page.getByTestId("template-choice").locator("option").allInnerTexts();
    expect(choices).toEqual(["boas_vindas · pt_BR"]);
    await page.getByLabel("Variável 1").fill("Rui");
    expect(await page.getByTestId("template-preview").innerText()).toBe("Olá Rui, aqui é o {{2}}. Podemos ajudar?");
    await page.getByLabel("Variável 2").fill("Sebo Jatobá");
    expect(await page.getByTestId("template-preview").innerText()).toBe("Olá Rui, aqui é o Sebo Jatobá. Podemos ajudar?");
    await page.getByRole("button", { name: "Enviar modelo" }).click();

    await expect.poll(() => fake.sent.filter((sent) => sent.to === contactDigits).length, { timeout: 30_000 }).toBe(1);
    const request = fake.requests.find((candidate) => candidate.path === `/v21.0/${phoneNumberId}/messages` && (candidate.body as { to?: string }).to === contactDigits);
    expect(request?.body).toMatchObject({
      type: "template",
      template: { name: "boas_vindas", language: { code: "pt_BR" }, components: [{ type: "body", parameters: [{ type: "text", text: "Rui" }, { type: "text", text: "Sebo Jatobá" }] }] },
    });
    await expect.poll(async () => {
      await open(page, `/inbox/${conversationId}`);
      return page.getByTestId("message").last().innerText();
    }, { timeout: 30_000 }).toContain("Olá Rui, aqui é o Sebo Jatobá. Podemos ajudar?");
  });

  it("lets a project's invitation and reminder go as approved templates, chosen on the project form (pt-BR, desktop)", async () => {
    await open(page, "/projects/new");
    await page.getByLabel("Nome", { exact: true }).fill("Pesquisa de leitores");
    await page.locator('select[name="inbox_id"]').selectOption(inboxId);
    const templateChoices = await page.locator('select[name="invitation_template"] option').allInnerTexts();
    // Only the approved one, with its number and its count of variables.
    expect(templateChoices).toEqual(["Nenhum: esperar o contato escrever", "boas_vindas (pt_BR) · Vendas Meta · 2 variáveis"]);
    await page.locator('select[name="invitation_template"]').selectOption("boas_vindas|pt_BR");
    await page.locator('select[name="invitation_template_parameters"]').selectOption("contact_name,project_name");
    // The reminder: the invitation's template unless another is chosen; here the same one, its variables the other way round.
    expect(await page.locator('select[name="reminder_template"] option').allInnerTexts())
      .toEqual(["O modelo do convite", "boas_vindas (pt_BR) · Vendas Meta · 2 variáveis"]);
    await page.locator('select[name="reminder_template"]').selectOption("boas_vindas|pt_BR");
    await page.locator('select[name="reminder_template_parameters"]').selectOption("project_name,contact_name");
    const question = page.getByTestId("question-editor").nth(0);
    await question.getByLabel("Código").fill("livro");
    await question.getByLabel("Pergunta", { exact: true }).fill("Que livro você leu por último?");
    await page.getByRole("button", { name: "Criar projeto" }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    const projectId = page.url().split("/").at(-1)!;
    const saved = await callApi(owner, "GET", `/projects/${projectId}`);
    expect(saved.invitation_template).toEqual({ name: "boas_vindas", language: "pt_BR", parameters: ["contact_name", "project_name"] });
    expect(saved.reminder_template).toEqual({ name: "boas_vindas", language: "pt_BR", parameters: ["project_name", "contact_name"] });
    await open(page, `/projects/${projectId}/edit`);
    expect(await page.locator('select[name="invitation_template"]').inputValue()).toBe("boas_vindas|pt_BR");
    expect(await page.locator('select[name="invitation_template_parameters"]').inputValue()).toBe("contact_name,project_name");
    expect(await page.locator('select[name="reminder_template_parameters"]').inputValue()).toBe("project_name,contact_name");
  });

  it("says the same in English on a phone, without sideways scrolling", async () => {
    await open(page, `/inbox/${conversationId}`);
    await page.getByRole("button", { name: "English" }).first().click();
    await page.getByRole("button", { name: "Send template" }).waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    await open(page, `/inbox/${conversationId}`);
    expect(await page.getByTestId("window-closed").innerText()).toContain("The 24-hour window is closed");
    await page.getByLabel("Variable 1").fill("Rui");
    expect(await page.getByTestId("template-preview").innerText()).toBe("Olá Rui, aqui é o {{2}}. Podemos ajudar?");
    expect(await horizontalOverflow(page)).toBe(0);
    await open(page, `/settings/inboxes/templates/${inboxId}`);
    expect(await page.locator('[data-template-name="oferta_natal"]').getByTestId("template-status").innerText()).toBe("In review");
    // Neither template can carry a message outside the window (two variables; in review).
    expect(await page.getByTestId("window-template-current").innerText()).toBe("Now: no template (messages outside the window fail).");
    expect(await page.getByTestId("window-template-none-usable").innerText()).toContain("No approved template with at most one variable");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "Português" }).first().click();
  });

  it("lets the owner choose the template free text goes as outside the window (pt-BR, desktop)", async () => {
    fake.metaTemplates(wabaId, accessToken, [
      { name: "boas_vindas", language: "pt_BR", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Olá {{1}}, aqui é o {{2}}. Podemos ajudar?" }] },
      { name: "nova_mensagem", language: "pt_BR", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Você tem uma nova mensagem: {{1}}" }] },
      {
        name: "aviso_com_foto", language: "pt_BR", status: "APPROVED", category: "UTILITY",
        components: [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Chegou: {{1}}" }],
      },
      {
        name: "pedido_pronto", language: "pt_BR", status: "APPROVED", category: "UTILITY",
        components: [
          { type: "HEADER", format: "TEXT", text: "Pedido {{1}}" },
          { type: "BODY", text: "Seu pedido está pronto, {{1}}." },
          { type: "BUTTONS", buttons: [{ type: "URL", text: "Acompanhar", url: "https://sebo.example/pedidos/{{1}}" }, { type: "COPY_CODE", example: "LEIA10" }] },
        ],
      },
      {
        name: "vitrine", language: "pt_BR", status: "APPROVED", category: "MARKETING",
        components: [{ type: "BODY", text: "Escolha seu livro" }, { type: "CAROUSEL", cards: [] }],
      },
    ]);
    await open(page, `/settings/inboxes/templates/${inboxId}`);
    await page.getByRole("button", { name: "Português" }).first().click();
    await page.getByRole("button", { name: "Sincronizar do Meta" }).click();
    await page.locator('[data-template-name="nova_mensagem"]').waitFor();
    // A template that needs its header's image is a person's to send (they give the link), not the window's.
    expect(await page.locator('[data-template-name="aviso_com_foto"]').getByTestId("template-person-only").innerText())
      .toBe("Enviado por uma pessoa, que informa a imagem, o vídeo ou o documento do cabeçalho; não serve como modelo da janela nem para convites.");
    // A carousel nobody can fill: not sendable at all.
    expect(await page.locator('[data-template-name="vitrine"]').getByTestId("template-not-sendable").innerText())
      .toBe("O Renum não envia este modelo, que precisa de: os cartões do carrossel.");
    expect(await page.locator('[data-template-name="nova_mensagem"]').getByTestId("template-not-sendable").count()).toBe(0);
    // Only a template with at most one variable can carry the message.
    expect(await page.locator('select[name="window_template"] option').allInnerTexts())
      .toEqual(["Nenhum modelo: a mensagem falha", "nova_mensagem (pt_BR) · a mensagem na variável"]);
    await page.locator('select[name="window_template"]').selectOption("nova_mensagem|pt_BR");
    await page.getByRole("button", { name: "Salvar" }).click();
    await expect.poll(() => page.getByTestId("window-template-current").innerText()).toBe("Agora: nova_mensagem (pt_BR)");
    expect((await callApi(owner, "GET", `/inboxes/${inboxId}`)).window_template).toEqual({ name: "nova_mensagem", language: "pt_BR" });
    await open(page, `/settings/inboxes/templates/${inboxId}`);
    expect(await page.locator('select[name="window_template"]').inputValue()).toBe("nova_mensagem|pt_BR");
    await page.locator('select[name="window_template"]').selectOption("");
    await page.getByRole("button", { name: "Salvar" }).click();
    await expect.poll(() => page.getByTestId("window-template-current").innerText()).toBe("Agora: nenhum modelo (mensagens fora da janela falham).");
  });

  it("sends a template with a header value and button values a person fills, saying a refused value at its field (pt-BR, desktop)", async () => {
    await open(page, `/inbox/${conversationId}`);
    const choices = await page.getByTestId("template-choice").locator("option").allInnerTexts();
    // The carousel is not offered; the templates that take header or button values are.
    expect(choices).toEqual(["aviso_com_foto · pt_BR", "boas_vindas · pt_BR", "nova_mensagem · pt_BR", "pedido_pronto · pt_BR"]);
    // The header's kind of file in words, as the contact will get it.
    await page.getByTestId("template-choice").selectOption("aviso_com_foto|pt_BR");
    await page.getByLabel("Link da imagem do cabeçalho (https://…)").fill("https://sebo.example/capa.jpg");
    expect(await page.getByTestId("template-preview-media").innerText()).toBe("Cabeçalho: imagem de https://sebo.example/capa.jpg");
    await page.getByTestId("template-choice").selectOption("pedido_pronto|pt_BR");
    await page.getByLabel("Variável do cabeçalho").fill("#88");
    await page.getByLabel("Variável 1").fill("Rui");
    await page.getByLabel("Final do link do botão “Acompanhar”").fill("88");
    await page.getByLabel("Código que o botão de copiar copia (até 15 caracteres)").fill("LEIA 10");
    expect(await page.getByTestId("template-preview").innerText()).toBe("Pedido #88\nSeu pedido está pronto, Rui.");
    expect(await page.getByTestId("template-preview-buttons").innerText()).toBe("Botões: https://sebo.example/pedidos/88 · LEIA 10");
    await page.getByRole("button", { name: "Enviar modelo" }).click();
    // A code with a space: the database refuses it, and the form says so at the buttons.
    await expect.poll(() => page.getByTestId("template-buttons-error").count()).toBe(1);
    expect(await page.getByTestId("template-buttons-error").innerText()).toContain("o final de um link tem até 2.000 caracteres e um código até 15, sem espaços");
    await page.getByLabel("Código que o botão de copiar copia (até 15 caracteres)").fill("LEIA10");
    await page.getByRole("button", { name: "Enviar modelo" }).click();

    await expect.poll(() => fake.requests.filter((candidate) =>
      (candidate.body as { to?: string; template?: { name?: string } } | null)?.to === contactDigits &&
      (candidate.body as { template?: { name?: string } }).template?.name === "pedido_pronto"
    ).length, { timeout: 30_000 }).toBe(1);
    const request = fake.requests.find((candidate) => (candidate.body as { template?: { name?: string } } | null)?.template?.name === "pedido_pronto");
    expect((request?.body as { template: { components: unknown } }).template.components).toEqual([
      { type: "header", parameters: [{ type: "text", text: "#88" }] },
      { type: "body", parameters: [{ type: "text", text: "Rui" }] },
      { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "88" }] },
      { type: "button", sub_type: "copy_code", index: "1", parameters: [{ type: "coupon_code", coupon_code: "LEIA10" }] },
    ]);
    await expect.poll(() => fake.sent.filter((sent) => sent.to === contactDigits && (sent.template as { name?: string } | undefined)?.name === "pedido_pronto").length,
      { timeout: 30_000 }).toBe(1);
    await expect.poll(async () => {
      await open(page, `/inbox/${conversationId}`);
      return page.getByTestId("message").last().innerText();
    }, { timeout: 30_000 }).toContain("Seu pedido está pronto, Rui.");
  });
  it("asks for a header's image and the button values in English on a phone, saying a refused value at its field", async () => {
    await open(page, `/inbox/${conversationId}`);
    await page.getByRole("button", { name: "English" }).first().click();
    await page.getByRole("button", { name: "Send template" }).waitFor();
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      await open(page, `/inbox/${conversationId}`);
      await page.getByTestId("template-choice").selectOption("aviso_com_foto|pt_BR");
      await page.getByLabel("Link to the header's image (https://…)").fill("https://sebo.example/capa.jpg");
      await page.getByLabel("Variable 1").fill("O Cortiço");
      expect(await page.getByTestId("template-preview-media").innerText()).toBe("Header: image from https://sebo.example/capa.jpg");
      expect(await page.getByTestId("template-preview").innerText()).toBe("Chegou: O Cortiço");
      expect(await horizontalOverflow(page)).toBe(0);

      await page.getByTestId("template-choice").selectOption("pedido_pronto|pt_BR");
      await page.getByLabel("Header variable").fill("#91");
      await page.getByLabel("Variable 1").fill("Rui");
      await page.getByLabel("End of the link of the “Acompanhar” button").fill("91");
      await page.getByLabel("Code the copy-code button copies (up to 15 characters)").fill("LEIA 10");
      expect(await page.getByTestId("template-preview-buttons").innerText()).toBe("Buttons: https://sebo.example/pedidos/91 · LEIA 10");
      const sentBefore = fake.requests.length;
      await page.getByRole("button", { name: "Send template" }).click();
      await expect.poll(() => page.getByTestId("template-buttons-error").count()).toBe(1);
      expect(await page.getByTestId("template-buttons-error").innerText()).toContain("a link's end has up to 2,000 characters and a code up to 15, without spaces");
      expect(await horizontalOverflow(page)).toBe(0);
      // Refused by the database: nothing went to Meta.
      expect(fake.requests.length).toBe(sentBefore);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.getByRole("button", { name: "Português" }).first().click();
    }
  });
});
