// The admin console (#17), end to end: a contact writes on WhatsApp (a signed Z-API webhook), the
// company's seller answers and qualifies them by rule; the company's owner exports the contact's
// data and then erases it (LGPD) through POST /admin/commands, with a reason. Afterwards the whole
// database is searched for the contact's old name, phone and e-mail and holds none of them, while
// message counts, runs and consumption stay. Every command is in the append-only log the owner
// reads; a platform admin suspends the company (its people start no run) and reactivates it.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  call,
  type Company,
  contactByPhone,
  contactConversation,
  createWebhookInbox,
  databaseConnection,
  eventsSettled,
  expectStatus,
  makePlatformAdmin,
  newCompany,
  qualificationScript,
  removeCompanies,
  repliesArrive,
  sellerTeam,
  setInboxResponder,
  signUp,
  stackEnv,
  tablesContaining,
  type ApiUser,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = databaseConnection();
let company: Company;
let other: Company;
let staff: ApiUser;
let teamId: string;
let inbox: Awaited<ReturnType<typeof createWebhookInbox>>;

beforeAll(async () => {
  [company, other, staff] = await Promise.all([newCompany(sql, "admin-commands"), newCompany(sql, "admin-commands-other"), signUp("platform-staff")]);
  await makePlatformAdmin(sql, staff);
  teamId = await sellerTeam(company);
  inbox = await createWebhookInbox(sql, company.tenantId, "zapi");
  await setInboxResponder(sql, company.tenantId, inbox.inboxId, { team_id: teamId, debounce_ms: 0 });
});

afterAll(async () => {
  await removeCompanies(sql, [company, other].filter(Boolean));
  if (staff) await sql`delete from auth.users where id = ${staff.id}`;
  await sql.end();
});

const asOwner = (method: string, path: string, body?: unknown) => call(company.owner, method, path, { tenant: company.tenantId, body });

describe("an LGPD erasure", () => {
  it("leaves the counts and consumption but none of the contact's name, phone or e-mail anywhere in the database", async () => {
    const suffix = String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
    const phone = `55119${suffix}`;
    const name = `Larissa Fontes ${suffix}`;
    const email = `larissa.${suffix}@example.com`;
    await expectStatus(asOwner("PUT", "/qualification-rules", { required_evidence: ["need"], minimum_score: null, auto_approve: true }), 200);
    const text = `Oi, sou ${name}, meu e-mail é ${email}.\n${qualificationScript({ need: `${name} quer 10 licenças`, email }, `${name} quer comprar`)}`;
    const delivery = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from: phone, name, text }));
    expect(delivery.status).toBe(200);
    await eventsSettled(sql, inbox.inboxId);
    const conversation = await contactConversation(sql, company.tenantId, phone);
    const [reply] = await repliesArrive(sql, conversation.id);
    expect(reply.body).toContain('"status":"approved"');
    const contact = await contactByPhone(sql, company.tenantId, phone);
    await expectStatus(asOwner("PATCH", `/contacts/${contact.id}`, { email, metadata: { cpf: `123.${suffix}` } }), 200);
    expect(await tablesContaining(sql, [name, email, suffix])).not.toEqual([]);

    const counted = async () => {
      const [row] = await sql<{ messages: number; runs: number; consumed: number; tokens: number }[]>`
        select (select count(*)::int from public.messages where conversation_id = ${conversation.id}) as messages,
               (select count(*)::int from public.executions where tenant_id = ${company.tenantId}) as runs,
               (select coalesce(sum(messages_in + messages_out), 0)::int from public.consumption_inbox_daily where inbox_id = ${inbox.inboxId}) as consumed,
               (select coalesce(sum(input_tokens + output_tokens), 0)::int from public.usage_ledger where tenant_id = ${company.tenantId}) as tokens`;
      return row;
    };
    const before = await counted();
    expect(before.messages).toBeGreaterThanOrEqual(2);

    // The export: the whole record, answered and not kept in the log.
    const exported = await expectStatus(asOwner("POST", "/admin/commands", { command: "export_contact", target_id: contact.id }), 200);
    expect(exported.output.contact).toMatchObject({ id: contact.id, name, email, phone: `+${phone}` });
    expect(exported.output.conversations[0].messages).toHaveLength(before.messages);
    expect(exported.output.stage_history).toEqual([expect.objectContaining({ to_stage: "qualified", actor_kind: "rule" })]);
    expect(JSON.stringify(exported.command)).not.toContain(name);

    const noReason = await asOwner("POST", "/admin/commands", { command: "erase_contact", target_id: contact.id });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.code).toBe("admin_command_reason_required");
    const elsewhere = await call(other.owner, "POST", "/admin/commands", { tenant: other.tenantId, body: { command: "erase_contact", target_id: contact.id, reason: "Pedido LGPD" } });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe("admin_command_target_not_found");

    const erased = await expectStatus(asOwner("POST", "/admin/commands", { command: "erase_contact", target_id: contact.id, reason: "Pedido do titular (LGPD)" }), 200);
    expect(erased.command).toMatchObject({ command: "erase_contact", status: "succeeded", actor_role: "owner", reason: "Pedido do titular (LGPD)" });
    expect(erased.command.result.messages).toBe(before.messages);

    expect(await tablesContaining(sql, [name, email, suffix])).toEqual([]);
    expect(await counted()).toEqual(before);
    const after = await expectStatus(asOwner("GET", `/contacts/${contact.id}`), 200);
    expect(after).toMatchObject({ id: contact.id, name: null, email: null, metadata: {}, lifecycle_stage: "qualified" });

    const log = await expectStatus(asOwner("GET", "/admin/commands"), 200);
    expect(log.items.map((entry: { command: string }) => entry.command)).toEqual(["erase_contact", "export_contact"]);
    const theirs = await expectStatus(call(other.owner, "GET", "/admin/commands", { tenant: other.tenantId }), 200);
    expect(theirs.items).toEqual([]);
    const [{ audited }] = await sql`select count(*)::int as audited from public.audit_log where table_name = 'admin_commands' and tenant_id = ${company.tenantId}`;
    expect(audited).toBe(2);
  });
});

describe("suspending a company", () => {
  it("is the platform admins': the company's people start no run until it is reactivated", async () => {
    const refused = await asOwner("POST", "/admin/commands", { command: "suspend_company", target_id: company.tenantId, reason: "Teste" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("admin_command_forbidden");

    const suspended = await expectStatus(call(staff, "POST", "/admin/commands", { body: { command: "suspend_company", target_id: company.tenantId, reason: "Fatura em aberto" } }), 200);
    expect(suspended.command).toMatchObject({ status: "succeeded", actor_role: "platform_admin", result: { status: "suspended" } });
    const run = await asOwner("POST", `/teams/${teamId}/execute`, { initial_prompt: "Olá" });
    expect(run.status).toBe(403);
    expect(run.body.error.code).toBe("tenant_read_only");

    await expectStatus(call(staff, "POST", "/admin/commands", { body: { command: "reactivate_company", target_id: company.tenantId } }), 200);
    const again = await asOwner("POST", `/teams/${teamId}/execute`, { initial_prompt: "Olá" });
    expect(again.status).toBe(202);
    const all = await expectStatus(call(staff, "GET", `/admin/commands?tenant_id=${company.tenantId}`), 200);
    expect(all.items.slice(0, 2).map((entry: { command: string }) => entry.command)).toEqual(["reactivate_company", "suspend_company"]);
  });
});
