// Twenty webhooks at the same instant, each in its own connection and transaction, as the
// `webhooks` function records them (private.record_webhook_message as the database's owner):
//   the same provider message id twenty times      → one message, nineteen duplicates, one contact
//   twenty ids of one new contact                  → one contact, one conversation, indexes 1..20
// The start is not timed: every worker first waits on a shared advisory lock the test holds, and the
// test lets go only once all twenty are seen waiting in pg_stat_activity.
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import {
  type MessagingCompany,
  newMessagingCompany,
  type RecordedMessage,
  recordWebhookMessage,
  removeMessagingCompanies,
  stackEnv,
  testDatabase,
  waitFor,
  type WebhookMessage,
} from "../fixtures/index.ts";

const workers = 20;
const startingGate = 7_312_026;
const sql = testDatabase(4);
const pool = postgres(stackEnv.dbUrl, { max: workers, prepare: false, onnotice: () => {} });
const companies: MessagingCompany[] = [];

afterAll(async () => {
  await removeMessagingCompanies(sql, companies);
  await pool.end();
  await sql.end();
});

/** Runs `messages[i]` on worker i, all released at once; answers what each recorded. */
async function allAtOnce(inboxId: string, messages: WebhookMessage[]): Promise<RecordedMessage[]> {
  const gate = await sql.reserve();
  try {
    await gate`select pg_advisory_lock(${startingGate})`;
    const recorded = messages.map((message) =>
      pool.begin(async (transaction) => {
        await transaction`select pg_advisory_xact_lock_shared(${startingGate})`;
        return recordWebhookMessage(transaction as unknown as postgres.Sql, inboxId, message);
      }),
    );
    await waitFor(async () => {
      const [{ waiting }] = await sql<{ waiting: number }[]>`
        select count(*)::int as waiting from pg_locks where locktype = 'advisory' and objid = ${startingGate} and not granted`;
      return waiting === messages.length;
    }, `all ${messages.length} workers waiting at the gate`);
    await gate`select pg_advisory_unlock(${startingGate})`;
    return await Promise.all(recorded);
  } finally {
    gate.release();
  }
}

function inbound(phone: string, providerId: string): WebhookMessage {
  return { contact_phone: phone, contact_name: "Lead", direction: "in", role: "user", type: "text", body: "Oi", provider_message_id: providerId };
}

describe("twenty webhooks at once", () => {
  it("record the same provider message id once", async () => {
    const company = await newMessagingCompany(sql, "race-same-id");
    companies.push(company);
    const results = await allAtOnce(company.inboxId, Array.from({ length: workers }, () => inbound("5511987656001", "wamid.same")));

    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(new Set(results.map((result) => result.message_id)).size).toBe(1);
    expect(new Set(results.map((result) => result.conversation_id)).size).toBe(1);
    const [counts] = await sql<{ messages: number; conversations: number; contacts: number; messages_in: number }[]>`
      select (select count(*)::int from public.messages where inbox_id = ${company.inboxId}) as messages,
             (select count(*)::int from public.conversations where inbox_id = ${company.inboxId}) as conversations,
             (select count(*)::int from public.contacts where tenant_id = ${company.tenantId}) as contacts,
             (select sum(messages_in)::int from public.consumption_inbox_daily where inbox_id = ${company.inboxId}) as messages_in`;
    expect(counts).toEqual({ messages: 1, conversations: 1, contacts: 1, messages_in: 1 });
  });

  it("give twenty messages of one new contact one conversation and indexes 1..20", async () => {
    const company = await newMessagingCompany(sql, "race-one-contact");
    companies.push(company);
    const results = await allAtOnce(company.inboxId, Array.from({ length: workers }, (_, i) => inbound("+55 11 98765-6002", `wamid.${i}`)));

    expect(results.every((result) => !result.duplicate)).toBe(true);
    expect(new Set(results.map((result) => result.contact_id)).size).toBe(1);
    expect(new Set(results.map((result) => result.conversation_id)).size).toBe(1);
    const indexes = await sql<{ message_index: number }[]>`
      select message_index from public.messages where inbox_id = ${company.inboxId} order by message_index`;
    expect(indexes.map((row) => row.message_index)).toEqual(Array.from({ length: workers }, (_, i) => i + 1));
    const [conversation] = await sql<{ last_message_index: number; unread_count: number; open: number }[]>`
      select last_message_index, unread_count, (select count(*)::int from public.conversations where inbox_id = ${company.inboxId}) as open
      from public.conversations where inbox_id = ${company.inboxId}`;
    expect(conversation).toEqual({ last_message_index: workers, unread_count: workers, open: 1 });
    const [consumption] = await sql<{ messages_in: number; conversations_started: number }[]>`
      select sum(messages_in)::int as messages_in, sum(conversations_started)::int as conversations_started
      from public.consumption_inbox_daily where inbox_id = ${company.inboxId}`;
    expect(consumption).toEqual({ messages_in: workers, conversations_started: 1 });
  });
});
