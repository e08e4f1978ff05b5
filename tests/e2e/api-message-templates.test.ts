// A Meta number's message templates over HTTP, against the fake Graph API (real HTTP, Meta's
// paging and error shapes): owners and admins sync them (POST /inboxes/:id/templates/sync reads
// every page with the inbox's access token and replaces the inbox's rows at once), members read
// them, another company's inbox is 404, a Z-API/Evolution number or one without its account id is
// a clear 422, and Meta's refusal is a 502 in our words (never Meta's text nor the token).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  type ApiUser,
  call,
  cleanUp,
  connectEvolutionInbox,
  createTenant,
  expectStatus,
  type FakeMetaTemplate,
  type FakeWhatsAppProviders,
  inboxSecret,
  signUp,
  startFakeWhatsAppProviders,
  testDatabase,
} from "../fixtures/index.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let admin: ApiUser;
let member: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;
let fake: FakeWhatsAppProviders;
let serial = 0;

/** A Meta number with its WhatsApp Business Account id, created through the API as a person would. */
async function metaInboxWithAccount(withAccount = true): Promise<{ id: string; wabaId: string; accessToken: string }> {
  const phoneNumberId = `${Date.now()}${String(++serial).padStart(4, "0")}`;
  const wabaId = `7${phoneNumberId}`;
  const accessToken = inboxSecret("meta-token");
  const created = await expectStatus(
    call(owner, "POST", "/inboxes", {
      tenant: company,
      body: {
        provider: "meta_cloud",
        display_name: `Meta ${serial}`,
        provider_ids: withAccount ? { meta_phone_number_id: phoneNumberId, meta_waba_id: wabaId } : { meta_phone_number_id: phoneNumberId },
        secrets: { app_secret: inboxSecret("meta-app"), access_token: accessToken },
      },
    }),
    201,
  );
  fake.meta({ phoneNumberId, accessToken, wabaId });
  return { id: created.inbox.id, wabaId, accessToken };
}

function templates(count: number, status: FakeMetaTemplate["status"] = "APPROVED"): FakeMetaTemplate[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `modelo_${String(index).padStart(3, "0")}`,
    language: "pt_BR",
    status,
    category: "UTILITY",
    components: [
      { type: "HEADER", format: "TEXT", text: "Renum" },
      { type: "BODY", text: index % 2 === 0 ? "Olá {{1}}, seu pedido {{2}} saiu." : "Obrigado!" },
    ],
  }));
}

beforeAll(async () => {
  fake = await startFakeWhatsAppProviders({ atStackAddress: true });
  [owner, admin, member, stranger] = await Promise.all(["tpl-owner", "tpl-admin", "tpl-member", "tpl-stranger"].map((label) => signUp(label)));
  people.push(owner, admin, member, stranger);
  company = await createTenant(owner, "Modelos Ltda");
  strangersCompany = await createTenant(stranger, "Outra Empresa SA");
  await addMember(sql, company, admin, "admin");
  await addMember(sql, company, member, "member");
});

afterAll(async () => {
  await fake?.close();
  await cleanUp(sql, people);
  await sql.end();
});

describe("POST /inboxes/:id/templates/sync and GET /inboxes/:id/templates", () => {
  it("reads every page of Meta's list with the inbox's token and replaces the inbox's templates", async () => {
    const inbox = await metaInboxWithAccount();
    fake.metaTemplates(inbox.wabaId, inbox.accessToken, [
      ...templates(130),
      { name: "em_analise", language: "en_US", status: "IN_APPEAL", category: "MARKETING", components: [{ type: "BODY", text: "Hi {{1}}" }] },
    ]);
    const synced = await expectStatus(call(admin, "POST", `/inboxes/${inbox.id}/templates/sync`, { tenant: company }), 200);
    expect(synced.synced).toBe(131);

    const listRequests = fake.requests.filter((request) => request.path === `/v21.0/${inbox.wabaId}/message_templates`);
    expect(listRequests).toHaveLength(2);
    for (const request of listRequests) expect(request.headers.authorization).toBe(`Bearer ${inbox.accessToken}`);

    const listed = await expectStatus(call(member, "GET", `/inboxes/${inbox.id}/templates`, { tenant: company }), 200);
    expect(listed.items).toHaveLength(131);
    expect(listed.items.find((template: { name: string }) => template.name === "modelo_000")).toMatchObject({
      language: "pt_BR",
      category: "utility",
      status: "approved",
      body_text: "Olá {{1}}, seu pedido {{2}} saiu.",
      body_parameter_count: 2,
    });
    expect(listed.items.find((template: { name: string }) => template.name === "modelo_001")).toMatchObject({ body_parameter_count: 0 });
    expect(listed.items.find((template: { name: string }) => template.name === "em_analise")).toMatchObject({ language: "en_US", status: "pending" });

    // Meta's list changes: a sync leaves exactly the new list.
    fake.metaTemplates(inbox.wabaId, inbox.accessToken, templates(3, "PAUSED"));
    expect(await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/templates/sync`, { tenant: company }), 200))
      .toMatchObject({ synced: 3, items: [{ name: "modelo_000", status: "paused" }, { name: "modelo_001" }, { name: "modelo_002" }] });
    const [{ rows }] = await sql<{ rows: number }[]>`select count(*)::int as rows from public.message_templates where inbox_id = ${inbox.id}`;
    expect(rows).toBe(3);
  });

  it("answers Meta's refusal in our words, keeping the templates it had", async () => {
    const inbox = await metaInboxWithAccount();
    fake.metaTemplates(inbox.wabaId, inbox.accessToken, templates(2));
    await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/templates/sync`, { tenant: company }), 200);

    // The token was revoked at Meta.
    fake.metaTemplates(inbox.wabaId, "a-newer-token", templates(5));
    const refused = await call(owner, "POST", `/inboxes/${inbox.id}/templates/sync`, { tenant: company });
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({ code: "provider_credentials_invalid", details: { provider_status: 401 } });
    expect(JSON.stringify(refused.body)).not.toContain(inbox.accessToken);
    expect(JSON.stringify(refused.body)).not.toContain("OAuth");
    expect((await expectStatus(call(member, "GET", `/inboxes/${inbox.id}/templates`, { tenant: company }), 200)).items).toHaveLength(2);

    // An account Meta does not know (or the token cannot see).
    const unknown = await metaInboxWithAccount();
    const missing = await call(owner, "POST", `/inboxes/${unknown.id}/templates/sync`, { tenant: company });
    expect(missing.status).toBe(502);
    expect(missing.body.error.code).toBe("provider_account_not_found");
  });

  it("lists what a template needs beyond its body's values and what a person gives, and refuses one that needs anything as the window template", async () => {
    const inbox = await metaInboxWithAccount();
    fake.metaTemplates(inbox.wabaId, inbox.accessToken, [
      ...templates(1),
      {
        name: "oferta_com_foto", language: "pt_BR", status: "APPROVED", category: "MARKETING",
        components: [
          { type: "HEADER", format: "IMAGE" },
          { type: "BODY", text: "Veja a oferta: {{1}}" },
          { type: "BUTTONS", buttons: [{ type: "URL", text: "Comprar", url: "https://loja.example/{{1}}" }, { type: "QUICK_REPLY", text: "Parar" }] },
        ],
      },
      {
        name: "vitrine", language: "pt_BR", status: "APPROVED", category: "MARKETING",
        components: [{ type: "BODY", text: "Olá {{nome}}" }, { type: "CAROUSEL", cards: [] }],
      },
    ]);
    await expectStatus(call(owner, "POST", `/inboxes/${inbox.id}/templates/sync`, { tenant: company }), 200);
    const listed = await expectStatus(call(member, "GET", `/inboxes/${inbox.id}/templates`, { tenant: company }), 200);
    expect(listed.items.map((template: { name: string; parameters_beyond_body: string[] }) => [template.name, template.parameters_beyond_body]))
      .toEqual([["modelo_000", []], ["oferta_com_foto", ["button_url", "header_media"]], ["vitrine", ["body_named_parameters", "carousel"]]]);
    // What a person gives for each, so the app can ask for it; what nobody can give makes it unsendable.
    expect(listed.items.map((template: { name: string; parameters_unsendable: string[]; values_to_give: unknown }) =>
      [template.name, template.parameters_unsendable, template.values_to_give]
    )).toEqual([
      ["modelo_000", [], { header: null, buttons: [] }],
      ["oferta_com_foto", [], { header: { format: "image" }, buttons: [{ index: 0, type: "url", text: "Comprar", url: "https://loja.example/{{1}}" }] }],
      ["vitrine", ["body_named_parameters", "carousel"], { header: null, buttons: [] }],
    ]);

    const refused = await call(owner, "PUT", `/inboxes/${inbox.id}/window-template`, { tenant: company, body: { template: { name: "oferta_com_foto", language: "pt_BR" } } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("template_needs_more_parameters");
    expect(refused.body.error.details).toMatchObject({ needs: ["button_url", "header_media"] });
    const [{ window_template }] = await sql<{ window_template: unknown }[]>`select window_template from public.inboxes where id = ${inbox.id}`;
    expect(window_template).toBeNull();
  });

  it("refuses members, other companies, and numbers without templates, in the one error shape", async () => {
    const inbox = await metaInboxWithAccount();
    fake.metaTemplates(inbox.wabaId, inbox.accessToken, templates(1));
    const byMember = await call(member, "POST", `/inboxes/${inbox.id}/templates/sync`, { tenant: company });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe("forbidden");

    for (const tenant of [strangersCompany, company]) {
      for (const [method, path] of [["GET", `/inboxes/${inbox.id}/templates`], ["POST", `/inboxes/${inbox.id}/templates/sync`]]) {
        const hidden = await call(stranger, method, path, { tenant });
        expect({ tenant, method, status: hidden.status }).toEqual({ tenant, method, status: 404 });
      }
    }

    const evolution = await connectEvolutionInbox(owner, company, fake.url, "Evolution");
    for (const [method, path] of [["GET", `/inboxes/${evolution.id}/templates`], ["POST", `/inboxes/${evolution.id}/templates/sync`]]) {
      const notMeta = await call(owner, method, path, { tenant: company });
      expect(notMeta.status).toBe(422);
      expect(notMeta.body.error.code).toBe("inbox_not_meta");
      expect(Object.keys(notMeta.body)).toEqual(["error"]);
    }

    const withoutAccount = await metaInboxWithAccount(false);
    const noAccount = await call(owner, "POST", `/inboxes/${withoutAccount.id}/templates/sync`, { tenant: company });
    expect(noAccount.status).toBe(422);
    expect(noAccount.body.error.code).toBe("inbox_waba_missing");

    expect((await call(owner, "GET", "/inboxes/not-a-uuid/templates", { tenant: company })).status).toBe(422);
    expect((await call(null, "GET", `/inboxes/${inbox.id}/templates`, { tenant: company })).status).toBe(401);
  });
});
