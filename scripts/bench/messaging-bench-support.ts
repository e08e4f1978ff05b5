// What the messaging benchmarks (messages-read.ts, analytics-funnel.ts, analytics-refresh.ts) share:
// many bench companies made in a few set-based statements (a person each in auth.users, the company,
// their membership, one WhatsApp inbox, contacts and one conversation per contact), the monthly
// message partitions, messages written with generate_series a batch of companies per statement
// (the messages' own triggers off, as a bulk load; the consumption trigger optionally on), the
// funnel moves of a share of the contacts, and the removal of it all.
// Every company is `<prefix>-<n>` (slug; its person is `<prefix>-<n>@example.test`), n = 1…tenants.
import type postgres from "postgres";
import { say } from "./engine-bench-support.ts";

type Sql = postgres.Sql;
type Fragment = postgres.PendingQuery<postgres.Row[]>;

export interface MessagingCompanies {
  /** Slug and e-mail prefix of the bench companies, e.g. `bench-funnel`. */
  prefix: string;
  /** Company name prefix, e.g. `Funil`. */
  name: string;
  tenants: number;
  contactsPerTenant: number;
  /** The first digits of the contacts' phone numbers (8 more follow), distinct per bench. */
  phonePrefix: string;
  /** The person's role in their company: `owner` when the bench acts as the company's manager. */
  membershipRole: "owner" | "member";
  /** created_at of contact number `c` (an integer 1…contactsPerTenant); default now(). */
  contactCreatedAt?: Fragment;
  /** created_at of the conversation of contact `c` (a public.contacts row). */
  conversationCreatedAt: Fragment;
}

const slugs = (companies: MessagingCompanies) => `${companies.prefix}-%`;
const numberPattern = (companies: MessagingCompanies) => `^${companies.prefix}-(\\d+)$`;

/** The companies, their people, memberships, inboxes, contacts and conversations (their triggers on). */
export async function seedMessagingCompanies(sql: Sql, companies: MessagingCompanies): Promise<void> {
  const { prefix, tenants, contactsPerTenant } = companies;
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
           ${prefix} || '-' || n || '@example.test', '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now()
    from generate_series(1, ${tenants}::int) n`;
  await sql`
    insert into public.tenants (name, slug, plan, created_by)
    select ${companies.name} || ' ' || n, ${prefix} || '-' || n, 'pro', u.id
    from generate_series(1, ${tenants}::int) n join auth.users u on u.email = ${prefix} || '-' || n || '@example.test'`;
  await sql`
    insert into public.memberships (tenant_id, user_id, role)
    select t.id, t.created_by, ${companies.membershipRole}::public.member_role from public.tenants t where t.slug like ${slugs(companies)}`;
  await sql`
    insert into public.inboxes (tenant_id, provider, display_name, zapi_instance_id)
    select t.id, 'zapi', 'WhatsApp', t.slug from public.tenants t where t.slug like ${slugs(companies)}`;
  await sql`
    insert into public.contacts (tenant_id, phone, name, created_at)
    select t.id, ${companies.phonePrefix} || lpad(((substring(t.slug from ${numberPattern(companies)})::int - 1) * ${contactsPerTenant}::int + c)::text, 8, '0'),
           'Contato ' || c, ${companies.contactCreatedAt ?? sql`now()`}
    from public.tenants t cross join generate_series(1, ${contactsPerTenant}::int) c where t.slug like ${slugs(companies)}`;
  await sql`
    insert into public.conversations (tenant_id, inbox_id, contact_id, created_at)
    select c.tenant_id, i.id, c.id, ${companies.conversationCreatedAt}
    from public.contacts c join public.inboxes i on i.tenant_id = c.tenant_id
    join public.tenants t on t.id = c.tenant_id where t.slug like ${slugs(companies)}`;
}

/** The monthly partitions of public.messages from `monthsBack` months ago to this month. */
export async function ensureMessagePartitions(sql: Sql, monthsBack: number): Promise<void> {
  for (let back = monthsBack; back >= 0; back--) {
    await sql`select private.ensure_message_partition((date_trunc('month', now()) - make_interval(months => ${back}::int))::date)`;
  }
}

/** A third of the contacts qualified, half of those became customers; every tenth lost (contact_stage_changes). */
export async function seedFunnelMoves(sql: Sql, companies: MessagingCompanies): Promise<void> {
  for (const [stage, modulus, remainder] of [["qualified", 3, 0], ["customer", 6, 0], ["lost", 10, 1]] as const) {
    await sql`
      insert into public.contact_stage_changes (contact_id, to_stage, actor_kind)
      select c.id, ${stage}::public.lifecycle_stage, 'rule' from public.contacts c join public.tenants t on t.id = c.tenant_id
      where t.slug like ${slugs(companies)} and abs(hashtext(c.id::text)) % ${modulus}::int = ${remainder}::int`;
  }
}

/** How message k (1…perConversation) of conversation `v` looks; the expressions may use v and k. */
export interface MessageShape {
  role: Fragment;
  body: Fragment;
  createdAt: Fragment;
  /** provider_message_id is `<providerIdPrefix>.<conversation id>.<k>`. */
  providerIdPrefix: string;
}

/**
 * Message k of a conversation: odd k from the contact, even k a reply (a person's every fifth
 * reply, else the bot's) 5–300 s later; pairs an hour apart from the conversation's start, never
 * later than a minute ago.
 */
export function replyShape(sql: Sql, providerIdPrefix: string): MessageShape {
  return {
    role: sql`case when k % 2 = 1 then 'user' when k % 10 = 0 then 'human' else 'assistant' end::public.message_role`,
    body: sql`'Mensagem ' || k`,
    createdAt: sql`least(now() - interval '1 minute', v.created_at + make_interval(hours => (k - 1) / 2)
                   + case when k % 2 = 0 then make_interval(secs => 5 + abs(hashtext(v.id::text || k)) % 295) else interval '0' end)`,
    providerIdPrefix,
  };
}

export interface MessageLoad {
  perConversation: number;
  shape: MessageShape;
  /**
   * true: private.count_message_consumption (consumption_inbox_daily) runs as on every insert, one
   * upsert per inbox-day per statement; the other message triggers stay off either way.
   */
  consumptionTrigger?: boolean;
}

/** Writes perConversation messages into every conversation of the bench companies, ~200,000 rows per statement. */
export async function insertMessages(sql: Sql, companies: MessagingCompanies, load: MessageLoad): Promise<void> {
  const { tenants, contactsPerTenant } = companies;
  const { perConversation, shape } = load;
  await sql`alter table public.messages disable trigger user`;
  try {
    if (load.consumptionTrigger) await sql`alter table public.messages enable trigger messages_count_consumption`;
    const tenantsPerStatement = Math.max(1, Math.floor(200_000 / (contactsPerTenant * perConversation)));
    const began = performance.now();
    let reported = 0;
    for (let from = 1; from <= tenants; from += tenantsPerStatement) {
      await sql`
        insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, body, status,
                                     provider_message_id, created_at)
        select v.tenant_id, v.inbox_id, v.id, v.contact_id, k,
               case when k % 2 = 0 then 'out' else 'in' end::public.message_direction,
               ${shape.role}, 'text', ${shape.body},
               case when k % 2 = 0 then 'read' else 'received' end::public.message_status,
               ${shape.providerIdPrefix} || '.' || v.id || '.' || k,
               ${shape.createdAt}
        from public.conversations v
        join public.tenants t on t.id = v.tenant_id
        cross join generate_series(1, ${perConversation}::int) k
        where t.slug like ${slugs(companies)}
          and substring(t.slug from ${numberPattern(companies)})::int between ${from}::int and ${from + tenantsPerStatement - 1}::int`;
      const done = Math.min(tenants, from + tenantsPerStatement - 1);
      // About ten progress lines a load.
      if (done === tenants || done - reported >= tenants / 10) {
        reported = done;
        const seconds = (performance.now() - began) / 1000;
        const written = done * contactsPerTenant * perConversation;
        say(`  ${done} companies, ${written.toLocaleString("en")} messages, ${seconds.toFixed(0)} s (${Math.round(written / seconds).toLocaleString("en")} messages/s)`);
      }
    }
    await sql`
      update public.conversations v set last_message_index = ${perConversation}::int, last_message_at = now()
      from public.tenants t where t.id = v.tenant_id and t.slug like ${slugs(companies)}`;
  } finally {
    await sql`alter table public.messages enable trigger user`;
  }
}

/** Removes the bench companies, their messages (triggers off, as they were written) and their people. */
export async function removeMessagingCompanies(sql: Sql, companies: Pick<MessagingCompanies, "prefix">): Promise<void> {
  const like = `${companies.prefix}-%`;
  await sql`alter table public.messages disable trigger user`;
  try {
    await sql`delete from public.messages m using public.tenants t where t.id = m.tenant_id and t.slug like ${like}`;
  } finally {
    await sql`alter table public.messages enable trigger user`;
  }
  // Deleting a company cascades to its messages through their conversations
  // (messages_conversation_id_fkey, along messages_conversation_index_idx), whose index still
  // holds the rows just deleted. Vacuumed first, it holds only what others wrote, not millions.
  await sql`vacuum public.messages`;
  await sql`delete from public.tenants where slug like ${like}`;
  await sql`delete from auth.users where email like ${`${companies.prefix}-%@example.test`}`;
}
