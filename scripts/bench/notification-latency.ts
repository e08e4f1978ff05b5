// Notification latency: conversations handed to people (private.hand_off_conversation, as a
// handoff keyword does) in one company whose owner is notified, until the running stack's `notify`
// function has delivered each notice. Measured, from the handoff's commit to the notice's arrival
// at the fake provider, p50 / p95 / max:
//   whatsapp   the first channel accepts (the fake Meta at the stack's Graph address)
//   sms        WhatsApp answers 500 first, the notice falls back to SMS (the fake Twilio)
//   baseline   the same number of SMS sends straight to the fake Twilio from this process, one at a
//              time: the HTTP floor the function's numbers stand on
// Target: p95 of a WhatsApp notice < 2 s (a person hears of a handoff within seconds).
//   npx tsx scripts/bench/notification-latency.ts [--instance bench] [--handoffs 40] [--keep]
// The stack must be running; the bench adds a company and an owner and removes them at the end.
import postgres from "postgres";
import { startFakeNotificationChannels } from "../fakes/fake-notification-channels.ts";
import { startFakeWhatsAppProviders } from "../fakes/fake-whatsapp-providers.ts";
import { dbUrl, type InstanceName, localNotificationCredentials, stackInstance } from "../stack/instances.ts";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const instanceName = option("--instance", "bench") as InstanceName;
process.env.RENUM_STACK = instanceName;
const instance = stackInstance(instanceName);
const handoffs = Number(option("--handoffs", "40"));
const keep = process.argv.includes("--keep");
const targetMs = 2_000;
const slug = `bench-notify-${Date.now().toString(36)}`;
const phoneNumberId = String(Date.now()).slice(-12);
const accessToken = `bench-token-${crypto.randomUUID()}`;
const ownerPhone = `+55219${String(Date.now() % 100_000_000).padStart(8, "0")}`;
const say = (line: string) => console.log(`bench: ${line}`);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const summary = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (n=${values.length})`;

const sql = postgres(dbUrl(instance), { max: 4, onnotice: () => {} });
const whatsapp = await startFakeWhatsAppProviders({ atStackAddress: true });
const channels = await startFakeNotificationChannels({ atStackAddress: true });
const arrivals = new Map<string, number>();
let ownerId = "";
let tenantId = "";

try {
  const [owner] = await sql<{ id: string }[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', ${`${slug}@example.test`},
            '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())
    returning id`;
  ownerId = owner.id;
  const [tenant] = await sql<{ id: string }[]>`insert into public.tenants (name, slug, plan) values ('Notify bench', ${slug}, 'enterprise') returning id`;
  tenantId = tenant.id;
  await sql`insert into public.memberships (tenant_id, user_id, role) values (${tenantId}, ${ownerId}, 'owner')`;
  await sql`insert into public.notification_contacts (user_id, phone) values (${ownerId}, ${ownerPhone})`;
  await sql`insert into public.notification_rules (tenant_id, event, roles, channels) values (${tenantId}, 'handoff_requested', '{owner}', '{whatsapp,sms,email}')`;
  const [inbox] = await sql<{ id: string }[]>`
    insert into public.inboxes (tenant_id, provider, display_name, meta_phone_number_id)
    values (${tenantId}, 'meta_cloud', 'Bench Meta', ${phoneNumberId}) returning id`;
  await sql`select private.store_inbox_secret(${inbox.id}, 'meta_access_token', ${accessToken})`;
  whatsapp.meta({ phoneNumberId, accessToken });
  const conversations = await sql<{ conversation_id: string }[]>`
    select (private.record_webhook_message(${inbox.id}, jsonb_build_object(
      'contact_phone', '+55119' || lpad(n::text, 8, '0'), 'contact_name', 'Lead ' || n, 'direction', 'in', 'role', 'user',
      'type', 'text', 'body', 'Oi', 'provider_message_id', ${slug} || '.in.' || n, 'sent_at', now()::text)) ->> 'conversation_id') as conversation_id
    from generate_series(1, ${handoffs * 2}::int) n`;

  async function measure(ids: string[], arrived: () => number, label: string): Promise<number[]> {
    const latencies: number[] = [];
    for (const id of ids) {
      const before = arrived();
      const began = performance.now();
      await sql`select private.hand_off_conversation(${id}, 'handoff_keyword')`;
      while (arrived() === before) {
        if (performance.now() - began > 30_000) throw new Error(`${label}: a notice did not arrive within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      latencies.push(performance.now() - began);
    }
    return latencies;
  }

  const ids = conversations.map((row) => row.conversation_id);
  const viaWhatsApp = await measure(ids.slice(0, handoffs), () => whatsapp.sent.length, "whatsapp");
  const viaSms: number[] = [];
  for (const id of ids.slice(handoffs)) {
    whatsapp.scriptSends([{ status: 500 }]);
    viaSms.push(...await measure([id], () => channels.sms.length, "sms"));
  }
  const baseline: number[] = [];
  for (let i = 0; i < handoffs; i++) {
    const began = performance.now();
    const answer = await fetch(`${channels.url}/2010-04-01/Accounts/${localNotificationCredentials.TWILIO_ACCOUNT_SID}/Messages.json`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${localNotificationCredentials.TWILIO_ACCOUNT_SID}:${localNotificationCredentials.TWILIO_AUTH_TOKEN}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ To: ownerPhone, From: localNotificationCredentials.TWILIO_FROM_NUMBER, Body: "baseline" }).toString(),
    });
    await answer.text();
    baseline.push(performance.now() - began);
  }
  say(`machine load ${(await import("node:os")).loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  say(`whatsapp   handoff commit → notice at the fake Meta: ${summary(viaWhatsApp)}`);
  say(`sms        WhatsApp 500, fallback → notice at the fake Twilio: ${summary(viaSms)}`);
  say(`baseline   one SMS request straight to the fake Twilio: ${summary(baseline)}`);
  const [counts] = await sql<{ sent: number; dead: number }[]>`
    select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'dead')::int as dead
    from public.notifications where tenant_id = ${tenantId}`;
  say(`notifications sent ${counts.sent}, dead ${counts.dead}; WhatsApp sends ${whatsapp.sent.length}, SMS ${channels.sms.length - handoffs}`);
  const p95 = percentile(viaWhatsApp, 95);
  say(`target p95 < ${targetMs} ms for a WhatsApp notice: ${p95 < targetMs ? "met" : "NOT met"} (${p95.toFixed(0)} ms)`);
} finally {
  if (!keep) {
    if (tenantId) await sql`delete from public.tenants where id = ${tenantId}`;
    if (ownerId) await sql`delete from auth.users where id = ${ownerId}`;
  }
  await whatsapp.close();
  await channels.close();
  await sql.end();
}
