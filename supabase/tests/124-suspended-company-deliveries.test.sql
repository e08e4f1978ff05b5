-- A suspended company sends nothing it had queued (#13): replies queued for delivery before a
-- platform admin suspended the company (public.admin_set_tenant_status) are not claimed while it is
-- suspended, nor are its notifications on any channel; they wait — pending, their messages queued,
-- not failed, not dead letters — and go out once it is reactivated (the status change wakes the
-- functions at once). Another company's replies and
-- notices go out all along. See private.claim_outbound_deliveries and private.claim_notifications.
begin;
set search_path to public, extensions, tests;

select plan(17);

create temporary table job (label text primary key, message_id uuid);
grant all on job to service_role;
create function pg_temp.delivery_row(wanted text) returns private.outbound_deliveries language sql security definer as $$
  select d.* from private.outbound_deliveries d join job j on j.message_id = d.message_id where j.label = wanted $$;
create function pg_temp.message_status(wanted text) returns text language sql security definer as $$
  select m.status::text from public.messages m join job j on j.message_id = m.id where j.label = wanted $$;
create function pg_temp.claimed_labels(worker text) returns text language sql as $$
  select coalesce(string_agg(j.label, ',' order by j.label), '')
  from private.claim_outbound_deliveries(worker, 50, 60) c join job j on j.message_id = c.message_id $$;
create function pg_temp.claimed_notices(worker text) returns text language sql as $$
  select coalesce(string_agg(t.slug || ':' || c.event, ',' order by t.slug, c.event), '')
  from private.claim_notifications(worker, 50, 60) c join public.tenants t on t.id = c.tenant_id $$;
create function pg_temp.notice_statuses(tenant text) returns text language sql security definer as $$
  select coalesce(string_agg(n.status::text, ',' order by n.status), '') from public.notifications n where n.tenant_id = tests.tenant_id(tenant) $$;
grant execute on function pg_temp.delivery_row(text), pg_temp.message_status(text), pg_temp.claimed_labels(text),
  pg_temp.claimed_notices(text), pg_temp.notice_statuses(text) to service_role;

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Line A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
create function pg_temp.inbound(inbox text, phone text, provider_id text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone, 'contact_name', 'Lead',
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'hello', 'provider_message_id', provider_id, 'sent_at', now()::text))
$$;
select pg_temp.inbound('Line A', '5511987651111', 'wamid.in1');
select pg_temp.inbound('Line A', '5511987651112', 'wamid.in2');
select pg_temp.inbound('Line B', '5511987652222', 'zapi.in1');

-- ─── queued, then the company is suspended ───────────────────────────────────────────────────
insert into job values
  ('a1', private.append_outbound_message(tests.conversation_id('Line A', '+5511987651111'), 'assistant', 'first')),
  ('a2', private.append_outbound_message(tests.conversation_id('Line A', '+5511987651111'), 'assistant', 'second')),
  ('a3', private.append_outbound_message(tests.conversation_id('Line A', '+5511987651112'), 'assistant', 'oi')),
  ('b1', private.append_outbound_message(tests.conversation_id('Line B', '+5511987652222'), 'assistant', 'olá'));
select private.notify(tests.tenant_id('tenant-a'), 'budget_80', '{"share": 0.8}');
select private.notify(tests.tenant_id('tenant-b'), 'budget_80', '{"share": 0.8}');

select tests.authenticate_as('platform_admin');
select public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'suspended');

-- ─── suspended: nothing of A is claimed, B goes on ───────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(pg_temp.claimed_labels('worker-1'), 'b1', 'a claim leases the other company''s reply only');
select is((pg_temp.delivery_row('a1')).status::text, 'pending', 'the suspended company''s job waits, pending');
select is((pg_temp.delivery_row('a1')).attempts, 0, 'with no attempt counted');
select is(pg_temp.message_status('a1'), 'queued', 'its message stays queued: not failed, not a dead letter');
select is(pg_temp.claimed_labels('worker-2'), '', 'a later claim still finds nothing of it');
select is(pg_temp.claimed_notices('worker-1'), 'tenant-b:budget_80', 'notifications: only the other company''s notice is claimed');
select is(pg_temp.notice_statuses('tenant-a'), 'pending', 'the suspended company''s notice waits, pending');
select is(private.rescue_outbound_deliveries(), null, 'the watchdog wakes nobody for jobs that would not be claimed');
select is(private.rescue_notifications(), null, 'nor for notices that would not be claimed');

-- A company that is inactive (not suspended) is held the same way.
select tests.authenticate_as('platform_admin');
select public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'inactive');
select tests.authenticate_as_service_role();
select is(pg_temp.claimed_labels('worker-3'), '', 'an inactive company''s replies are not claimed either');

-- ─── reactivated: everything goes out, in order ──────────────────────────────────────────────
reset role;
delete from net.http_request_queue where url like '%/outbound/run';
select tests.authenticate_as('platform_admin');
select public.admin_set_tenant_status(tests.tenant_id('tenant-a'), 'active');
select tests.authenticate_as_service_role();
-- private.wake_deliveries_on_reactivation (20261122001980_reactivated_company.sql)
select ok(
  (select count(*) from net.http_request_queue q where q.url like '%/outbound/run') = 1
  or not exists (select from vault.decrypted_secrets where name = 'renum_functions_url'),
  'reactivated with replies waiting: the trigger wakes the outbound function at once');
select is(pg_temp.claimed_labels('worker-4'), 'a1,a3', 'reactivated: each conversation''s first reply is claimed');
select is((pg_temp.delivery_row('a1')).attempts, 1, 'on its first attempt');
select ok(private.settle_outbound_delivery((pg_temp.delivery_row('a1')).id, 'worker-4', 'sent'), 'the first reply is sent');
select is(pg_temp.claimed_labels('worker-5'), 'a2', 'then the one after it, in the conversation''s order');
select is(pg_temp.message_status('a1'), 'sent', 'the message held through the suspension is sent');
select is(pg_temp.claimed_notices('worker-2'), 'tenant-a:budget_80', 'and the notice held through the suspension is claimed');

select * from finish();
rollback;
