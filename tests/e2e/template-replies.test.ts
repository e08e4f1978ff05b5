// A person sends a Meta message template (POST /conversations/:id/messages {template}) in a
// conversation whose 24-hour window is closed: stored as the text the contact reads, delivered by
// the outbound function as Meta's template payload to the fake Graph API (real HTTP), which checks
// the name, language and parameter count as Meta does. Meta's 132001 / 132000 fail the message at
// once with a reason a person understands; the database refuses what it knows is wrong (not
// approved, wrong count) with its code; free text outside the window still fails as before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  call,
  cleanUp,
  createTenant,
  expectStatus,
  type FakeMetaTemplate,
  type FakeWhatsAppProviders,
  inboxSecret,
  receiveMessage,
  signUp,
  startFakeWhatsAppProviders,
  testDatabase,
  waitForOutbound,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let member: ApiUser;
let analyst: ApiUser;
let company: string;
let fake: FakeWhatsAppProviders;
let inbox: { id: string; phoneNumberId: string; wabaId: string; accessToken: string };
let phoneSerial = 0;

const welcome: FakeMetaTemplate = {
  name: "boas_vindas",
  language: "pt_BR",
  status: "APPROVED",
  category: "UTILITY",
  components: [{ type: "HEADER", format: "TEXT", text: "Renum" }, { type: "BODY", text: "Olá {{1}}, aqui é a {{2}}. Podemos conversar?" }],
};
const plain: FakeMetaTemplate = { name: "retomar", language: "pt_BR", status: "APPROVED", category: "MARKETING", components: [{ type: "BODY", text: "Podemos retomar?" }] };
const changing: FakeMetaTemplate = { name: "lembrete", language: "pt_BR", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Lembrete: {{1}}" }] };
const leaving: FakeMetaTemplate = { name: "antigo", language: "pt_BR", status: "APPROVED", category: "UTILITY", components: [{ type: "BODY", text: "Antigo {{1}}" }] };
const order: FakeMetaTemplate = {
  name: "pedido_enviado",
  language: "pt_BR",
  status: "APPROVED",
  category: "UTILITY",
  components: [
    { type: "HEADER", format: "TEXT", text: "Pedido {{1}}" },
    { type: "BODY", text: "Seu pedido saiu, {{1}}." },
    {
      type: "BUTTONS",
      buttons: [
        { type: "QUICK_REPLY", text: "Ok" },
        { type: "URL", text: "Rastrear", url: "https://loja.example/rastreio/{{1}}" },
        { type: "COPY_CODE", example: "RENUM10" },
      ],
    },
  ],
};
const invoice: FakeMetaTemplate = {
  name: "boleto",
  language: "pt_BR",
  status: "APPROVED",
  category: "UTILITY",
  components: [{ type: "HEADER", format: "DOCUMENT" }, { type: "BODY", text: "Segue seu boleto." }],
};
// Synced with its body only; Meta then gives it an image header (an edit Meta allows).
const gainingImage: FakeMetaTemplate = { name: "aviso_foto", language: "pt_BR", status: "APPROVED", category: "MARKETING", components: [{ type: "BODY", text: "Aviso {{1}}" }] };
const waiting: FakeMetaTemplate = { name: "em_analise", language: "pt_BR", status: "PENDING", category: "MARKETING", components: [{ type: "BODY", text: "Oferta" }] };

/** A conversation the company started from its phone: the contact never wrote, so the window is closed. */
async function closedWindowConversation(): Promise<{ id: string; digits: string }> {
  const digits = `55119${String(Date.now() % 100_000).padStart(5, "0")}${String(++phoneSerial).padStart(3, "0")}`;
  const [row] = await sql<{ recorded: { conversation_id: string } }[]>`
    select private.record_webhook_message(${inbox.id}, ${
    sql.json({
      contact_phone: `+${digits}`,
      contact_name: "Sem janela",
      direction: "out",
      role: "human",
      type: "text",
      body: "mensagem do celular",
      media: null,
      provider_message_id: `wamid.echo-${crypto.randomUUID()}`,
      sent_at: null,
      metadata: {},
    })
  }) as recorded`;
  return { id: row.recorded.conversation_id, digits };
}

interface TemplateChoice {
  name: string;
  language: string;
  parameters?: string[];
  header?: Record<string, unknown>;
  buttons?: Record<string, unknown>[];
  [extra: string]: unknown;
}

function sendTemplate(conversationId: string, template: TemplateChoice, who: ApiUser = member) {
  return call(who, "POST", `/conversations/${conversationId}/messages`, { tenant: company, body: { template } });
}

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders({ atStackAddress: true });
  [owner, member, analyst] = await Promise.all(["tr-owner", "tr-member", "tr-analyst"].map((label) => signUp(label)));
  people.push(owner, member, analyst);
  company = await createTenant(owner, "Modelos e Conversas Ltda");
  await addMember(sql, company, member, "member");
  await addMember(sql, company, analyst, "analyst");
  const phoneNumberId = `${Date.now()}0001`;
  const wabaId = `8${phoneNumberId}`;
  const accessToken = inboxSecret("meta-token");
  const created = await expectStatus(
    call(owner, "POST", "/inboxes", {
      tenant: company,
      body: {
        provider: "meta_cloud",
        display_name: "Vendas Meta",
        provider_ids: { meta_phone_number_id: phoneNumberId, meta_waba_id: wabaId },
        secrets: { app_secret: inboxSecret("meta-app"), access_token: accessToken },
      },
    }),
    201,
  );
  inbox = { id: created.inbox.id, phoneNumberId, wabaId, accessToken };
  fake.meta({ phoneNumberId, accessToken, wabaId });
  fake.metaTemplates(wabaId, accessToken, [welcome, plain, changing, leaving, waiting, order, invoice, gainingImage]);
  await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/templates/sync`, { tenant: company }), 200);
  // Meta changes its list after our sync: one template gone, one with another parameter count.
  fake.metaTemplates(wabaId, accessToken, [
    welcome,
    plain,
    { ...changing, components: [{ type: "BODY", text: "Lembrete: {{1}} às {{2}}" }] },
    waiting,
    order,
    invoice,
    { ...gainingImage, components: [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Aviso {{1}}" }] },
  ]);
});

afterAll(async () => {
  await fake?.close();
  await cleanUp(sql, people);
  await sql.end();
});

describe("a template outside the 24-hour window", () => {
  it("is stored as what the contact reads and reaches Meta as its exact template payload", async () => {
    const conversation = await closedWindowConversation();
    expect(await expectStatus(call(member, "GET", `/conversations/${conversation.id}`, { tenant: company }), 200))
      .toMatchObject({ customer_window_open: false });
    const message = await expectStatus(sendTemplate(conversation.id, { name: "boas_vindas", language: "pt_BR", parameters: ["Ana", "Renum"] }), 201);
    expect(message).toMatchObject({
      conversation_id: conversation.id,
      direction: "out",
      role: "human",
      sent_by: member.id,
      status: "queued",
      body: "Olá Ana, aqui é a Renum. Podemos conversar?",
      template: { name: "boas_vindas", language: "pt_BR", parameters: ["Ana", "Renum"] },
    });
    const sent = await waitForOutbound(sql, message.id, (state) => state.status === "sent", "the template sent");
    expect(sent.provider_message_id).toMatch(/^wamid\./);

    const requests = fake.requests.filter((request) =>
      request.method === "POST" && request.path === `/v21.0/${inbox.phoneNumberId}/messages` &&
      (request.body as { to?: string }).to === conversation.digits
    );
    expect(requests).toHaveLength(1);
    expect(requests[0].headers.authorization).toBe(`Bearer ${inbox.accessToken}`);
    expect(requests[0].body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: conversation.digits,
      type: "template",
      template: {
        name: "boas_vindas",
        language: { code: "pt_BR" },
        components: [{ type: "body", parameters: [{ type: "text", text: "Ana" }, { type: "text", text: "Renum" }] }],
      },
    });
    expect(fake.sent.find((accepted) => accepted.providerMessageId === sent.provider_message_id))
      .toMatchObject({ body: "Olá Ana, aqui é a Renum. Podemos conversar?" });

    // The same conversation: free text is still held to the window, and fails saying so.
    const text = await expectStatus(call(member, "POST", `/conversations/${conversation.id}/messages`, { tenant: company, body: { body: "E aí?" } }), 201);
    const failed = await waitForOutbound(sql, text.id, (state) => state.status === "failed", "the free text failed");
    expect(failed.error).toMatchObject({ code: "outside_customer_window" });

    // The contact answers: the window opens (free text goes again).
    await receiveMessage(sql, inbox.id, { phone: `+${conversation.digits}`, name: "Sem janela", body: "Oi!" });
    expect(await expectStatus(call(member, "GET", `/conversations/${conversation.id}`, { tenant: company }), 200))
      .toMatchObject({ customer_window_open: true });
  });

  it("sends a template without parameters with no components", async () => {
    const conversation = await closedWindowConversation();
    const message = await expectStatus(sendTemplate(conversation.id, { name: "retomar", language: "pt_BR" }), 201);
    expect(message.body).toBe("Podemos retomar?");
    await waitForOutbound(sql, message.id, (state) => state.status === "sent", "the template sent");
    const request = fake.requests.find((candidate) => (candidate.body as { to?: string } | null)?.to === conversation.digits);
    expect(request?.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: conversation.digits,
      type: "template",
      template: { name: "retomar", language: { code: "pt_BR" } },
    });
  });

  it("sends a header value and button values as Meta's header, body and button components", async () => {
    const conversation = await closedWindowConversation();
    const message = await expectStatus(sendTemplate(conversation.id, {
      name: "pedido_enviado",
      language: "pt_BR",
      parameters: ["Ana"],
      header: { text: "#4521" },
      buttons: [{ index: 2, value: "VOLTA10" }, { index: 1, value: "4521?origem=whatsapp" }],
    }), 201);
    expect(message).toMatchObject({
      body: "Pedido #4521\nSeu pedido saiu, Ana.",
      template: {
        name: "pedido_enviado",
        parameters: ["Ana"],
        header: { format: "text", text: "#4521" },
        buttons: [{ index: 1, type: "url", value: "4521?origem=whatsapp" }, { index: 2, type: "copy_code", value: "VOLTA10" }],
      },
    });
    await waitForOutbound(sql, message.id, (state) => state.status === "sent", "the template with header and buttons sent");
    const request = fake.requests.find((candidate) => (candidate.body as { to?: string } | null)?.to === conversation.digits);
    expect((request?.body as { template: unknown }).template).toEqual({
      name: "pedido_enviado",
      language: { code: "pt_BR" },
      components: [
        { type: "header", parameters: [{ type: "text", text: "#4521" }] },
        { type: "body", parameters: [{ type: "text", text: "Ana" }] },
        { type: "button", sub_type: "url", index: "1", parameters: [{ type: "text", text: "4521?origem=whatsapp" }] },
        { type: "button", sub_type: "copy_code", index: "2", parameters: [{ type: "coupon_code", coupon_code: "VOLTA10" }] },
      ],
    });
  });

  it("sends a document header by its https link and file name", async () => {
    const conversation = await closedWindowConversation();
    const message = await expectStatus(sendTemplate(conversation.id, {
      name: "boleto",
      language: "pt_BR",
      header: { link: "https://arquivos.example/boleto-4521.pdf", filename: "boleto-4521.pdf" },
    }), 201);
    expect(message.body).toBe("Segue seu boleto.");
    await waitForOutbound(sql, message.id, (state) => state.status === "sent", "the document template sent");
    const request = fake.requests.find((candidate) => (candidate.body as { to?: string } | null)?.to === conversation.digits);
    expect((request?.body as { template: { components: unknown } }).template.components).toEqual([
      { type: "header", parameters: [{ type: "document", document: { link: "https://arquivos.example/boleto-4521.pdf", filename: "boleto-4521.pdf" } }] },
    ]);
  });

  it("refuses header and button values that do not fit the template, with their codes, and writes nothing", async () => {
    const conversation = await closedWindowConversation();
    const order = (extra: Partial<TemplateChoice>): TemplateChoice => ({
      name: "pedido_enviado",
      language: "pt_BR",
      parameters: ["Ana"],
      header: { text: "#1" },
      buttons: [{ index: 1, value: "1" }, { index: 2, value: "CUPOM" }],
      ...extra,
    });
    const cases: [string, TemplateChoice, string][] = [
      ["no header value", order({ header: undefined }), "template_header_missing"],
      ["a link where the header is text", order({ header: { link: "https://arquivos.example/a.png" } }), "template_header_invalid"],
      ["a header for a template whose header takes none", { name: "retomar", language: "pt_BR", header: { text: "x" } }, "template_header_not_expected"],
      ["a document over http", { name: "boleto", language: "pt_BR", header: { link: "http://arquivos.example/b.pdf" } }, "template_header_link_invalid"],
      ["a button value missing", order({ buttons: [{ index: 1, value: "1" }] }), "template_buttons_mismatch"],
      ["a code with a space", order({ buttons: [{ index: 1, value: "1" }, { index: 2, value: "DEZ OFF" }] }), "template_button_invalid"],
      ["an unknown field in the header", order({ header: { text: "#1", bold: true } }), "validation_failed"],
      ["an unknown field in a button", order({ buttons: [{ index: 1, value: "1", label: "x" }, { index: 2, value: "C" }] }), "validation_failed"],
    ];
    for (const [what, template, code] of cases) {
      const answer = await sendTemplate(conversation.id, template);
      expect({ what, status: answer.status, code: answer.body.error?.code }).toEqual({ what, status: 422, code });
    }
    const mismatch = await sendTemplate(conversation.id, order({ buttons: [] }));
    expect(mismatch.body.error.details).toMatchObject({ expected: [1, 2], given: [] });
    const [{ replies }] = await sql<{ replies: number }[]>`
      select count(*)::int as replies from public.messages where conversation_id = ${conversation.id} and sent_by is not null`;
    expect(replies).toBe(0);
  });

  it("fails at once with a reason in words when Meta no longer has the template or expects other parameters", async () => {
    const gone = await closedWindowConversation();
    const goneMessage = await expectStatus(sendTemplate(gone.id, { name: "antigo", language: "pt_BR", parameters: ["x"] }), 201);
    const goneState = await waitForOutbound(sql, goneMessage.id, (state) => state.status === "failed", "the deleted template failed");
    expect(goneState).toMatchObject({ delivery_status: "failed", attempts: 1, error: { code: "template_not_found", http_status: 404 } });
    expect(goneState.error?.message).toMatch(/sync/);
    expect(JSON.stringify(goneState.error)).not.toContain("#132001");

    const changed = await closedWindowConversation();
    const changedMessage = await expectStatus(sendTemplate(changed.id, { name: "lembrete", language: "pt_BR", parameters: ["amanhã"] }), 201);
    const changedState = await waitForOutbound(sql, changedMessage.id, (state) => state.status === "failed", "the changed template failed");
    expect(changedState).toMatchObject({ delivery_status: "failed", attempts: 1, error: { code: "template_parameter_count_mismatch", http_status: 400 } });

    // Meta gave the template an image header after our sync: the send without one is refused as Meta does.
    const gainedHeader = await closedWindowConversation();
    const gainedMessage = await expectStatus(sendTemplate(gainedHeader.id, { name: "aviso_foto", language: "pt_BR", parameters: ["hoje"] }), 201);
    const gainedState = await waitForOutbound(sql, gainedMessage.id, (state) => state.status === "failed", "the template now with a header failed");
    expect(gainedState).toMatchObject({ delivery_status: "failed", attempts: 1, error: { code: "template_parameter_count_mismatch", http_status: 400 } });
    // One request each: a 4xx is final, never retried.
    const requests = fake.requests.filter((request) => [gone.digits, changed.digits].includes((request.body as { to?: string } | null)?.to ?? ""));
    expect(requests.map((request) => (request.body as { template: { name: string } }).template.name).sort()).toEqual(["antigo", "lembrete"]);
  });

  it("is refused by the database, with its code, when it is not approved or its parameters do not fit", async () => {
    const conversation = await closedWindowConversation();
    const cases: [string, Parameters<typeof sendTemplate>[1], number, string][] = [
      ["a pending template", { name: "em_analise", language: "pt_BR" }, 422, "template_not_approved"],
      ["an unknown template", { name: "nao_existe", language: "pt_BR" }, 422, "template_not_found"],
      ["too few parameters", { name: "boas_vindas", language: "pt_BR", parameters: ["Ana"] }, 422, "template_parameter_count_mismatch"],
      ["a blank parameter", { name: "boas_vindas", language: "pt_BR", parameters: ["Ana", " "] }, 422, "validation_failed"],
      ["a bad name", { name: "Boas Vindas", language: "pt_BR" }, 422, "validation_failed"],
    ];
    for (const [what, template, status, code] of cases) {
      const answer = await sendTemplate(conversation.id, template);
      expect({ what, status: answer.status, code: answer.body.error?.code }).toEqual({ what, status, code });
      expect(Object.keys(answer.body)).toEqual(["error"]);
    }
    const mismatch = await sendTemplate(conversation.id, { name: "boas_vindas", language: "pt_BR", parameters: ["Ana"] });
    expect(mismatch.body.error.details).toMatchObject({ expected: 2, given: 1 });
    const both = await call(member, "POST", `/conversations/${conversation.id}/messages`, {
      tenant: company,
      body: { body: "oi", template: { name: "retomar", language: "pt_BR" } },
    });
    expect(both.status).toBe(422);
    expect((await sendTemplate(conversation.id, { name: "retomar", language: "pt_BR" }, analyst)).status).toBe(403);
    const [{ replies }] = await sql<{ replies: number }[]>`
      select count(*)::int as replies from public.messages where conversation_id = ${conversation.id} and sent_by is not null`;
    expect(replies).toBe(0);
  });

  it("sends an interview's invitation as the project's template instead of waiting for the contact", async () => {
    const conversation = await closedWindowConversation();
    const [contact] = await sql<{ id: string }[]>`select contact_id as id from public.conversations where id = ${conversation.id}`;
    // The message from the company's phone gave the conversation to people; an invitation waits for the bot's.
    await expectStatus(call(member, "POST", `/conversations/${conversation.id}/release`, { tenant: company }), 200);
    const project = await expectStatus(call(member, "POST", "/projects", {
      tenant: company,
      body: {
        name: "Pesquisa Modelos",
        inbox_id: inbox.id,
        invitation_text: "Olá! Pode responder uma pergunta?",
        invitation_template: { name: "boas_vindas", language: "pt_BR", parameters: ["contact_name", "project_name"] },
        reminder_template: { name: "retomar", language: "pt_BR" },
        questions: [{ id: "score", text: "De 1 a 5?", answer_type: "scale_1_5" }],
      },
    }), 201);
    expect(project.invitation_template).toEqual({ name: "boas_vindas", language: "pt_BR", parameters: ["contact_name", "project_name"] });
    expect(project.reminder_template).toEqual({ name: "retomar", language: "pt_BR" });
    const refused = await call(member, "PATCH", `/projects/${project.id}`, {
      tenant: company,
      body: { invitation_template: { name: "boas_vindas", language: "pt_BR", parameters: ["email"] } },
    });
    expect(refused.status).toBe(422);
    await expectStatus(call(owner, "POST", `/projects/${project.id}/launch`, { tenant: company, body: { contact_ids: [contact.id] } }), 200);

    // The job runs each minute; a pass now (the minute's own may have come first).
    await sql`select private.send_interview_invitations(now())`;
    const [invitation] = await sql<{ id: string; body: string }[]>`
      select m.id, m.body from public.messages m join public.interviews i on i.conversation_id = m.conversation_id
      where i.project_id = ${project.id} and m.direction = 'out' and m.role = 'assistant'`;
    expect(invitation.body).toBe("Olá Sem janela, aqui é a Pesquisa Modelos. Podemos conversar?");
    await waitForOutbound(sql, invitation.id, (state) => state.status === "sent", "the invitation sent as a template");
    const request = fake.requests.find((candidate) =>
      (candidate.body as { to?: string; type?: string } | null)?.to === conversation.digits && (candidate.body as { type?: string }).type === "template"
    );
    expect(request?.body).toMatchObject({
      template: {
        name: "boas_vindas",
        language: { code: "pt_BR" },
        components: [{ type: "body", parameters: [{ type: "text", text: "Sem janela" }, { type: "text", text: "Pesquisa Modelos" }] }],
      },
    });

    // Nobody answered, so the window never opened: the reminder (a pass a day later) goes as the reminder's template.
    await sql`select private.remind_and_expire_interviews(now() + interval '25 hours')`;
    const [reminder] = await sql<{ id: string; body: string }[]>`
      select m.id, m.body from public.messages m join public.interviews i on i.conversation_id = m.conversation_id
      where i.project_id = ${project.id} and m.direction = 'out' and m.role = 'assistant' and m.id <> ${invitation.id}`;
    expect(reminder.body).toBe("Podemos retomar?");
    await waitForOutbound(sql, reminder.id, (state) => state.status === "sent", "the reminder sent as a template");
    const reminded = fake.requests.filter((candidate) =>
      (candidate.body as { to?: string; template?: { name?: string } } | null)?.to === conversation.digits &&
      (candidate.body as { template?: { name?: string } }).template?.name === "retomar"
    );
    expect(reminded).toHaveLength(1);
    expect(reminded[0].body).toMatchObject({ type: "template", template: { name: "retomar", language: { code: "pt_BR" } } });
  });
});

describe("a window template on the inbox", () => {
  it("sends free text to a quiet contact as the approved template the owner chose, and only owners and admins choose it", async () => {
    const choose = (who: ApiUser, body: unknown) => call(who, "PUT", `/inboxes/${inbox.id}/window-template`, { tenant: company, body });
    expect((await choose(member, { template: { name: "retomar", language: "pt_BR" } })).status).toBe(403);
    expect((await choose(analyst, { template: { name: "retomar", language: "pt_BR" } })).status).toBe(403);
    expect(await expectStatus(choose(owner, { template: { name: "boas_vindas", language: "pt_BR" } }), 422))
      .toMatchObject({ error: { code: "window_template_parameters" } });
    expect(await expectStatus(choose(owner, { template: { name: "em_analise", language: "pt_BR" } }), 422))
      .toMatchObject({ error: { code: "template_not_approved" } });
    expect((await choose(owner, { template: { name: "retomar" } })).status).toBe(422);
    expect((await choose(owner, { template: null, extra: true })).status).toBe(422);
    const chosen = await expectStatus(choose(owner, { template: { name: "retomar", language: "pt_BR" } }), 200);
    expect(chosen.window_template).toEqual({ name: "retomar", language: "pt_BR" });

    try {
      // A person's text to a contact who never wrote: it goes as the window template.
      const conversation = await closedWindowConversation();
      const text = await expectStatus(call(member, "POST", `/conversations/${conversation.id}/messages`, {
        tenant: company, body: { body: "Oi! Seu orçamento está pronto." },
      }), 201);
      await waitForOutbound(sql, text.id, (state) => state.status === "sent", "the text sent as the window template");
      const request = fake.requests.find((candidate) => (candidate.body as { to?: string } | null)?.to === conversation.digits);
      expect(request?.body).toEqual({
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: conversation.digits,
        type: "template",
        template: { name: "retomar", language: { code: "pt_BR" } },
      });
      const [stored] = await sql<{ body: string; template: { name: string; source: string } }[]>`
        select body, metadata -> 'template' as template from public.messages where id = ${text.id}`;
      expect(stored).toMatchObject({ body: "Oi! Seu orçamento está pronto.", template: { name: "retomar", source: "window" } });
    } finally {
      expect((await expectStatus(choose(owner, { template: null }), 200)).window_template).toBeNull();
    }
  });
});
