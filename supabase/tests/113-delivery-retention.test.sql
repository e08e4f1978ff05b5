-- Delivery history retention (20261122001920) with a frozen clock: settled delivery jobs (sent,
-- failed, discarded) and settled webhook events (processed, ignored) older than the retention
-- (private.outbound_settings, 30 days) are deleted oldest first in batches; open jobs, dead
-- letters, pending and failed events stay whatever their age; running it again deletes nothing;
-- the setting moves the line; the retry schedule is read from the same settings; the daily job is
-- scheduled. Service role only; people never see the settings.
begin;
set search_path to public, extensions, tests;

select plan(14);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select tests.authenticate_as_service_role();
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '+5511987650001', 'contact_name', 'Maria',
  'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'Oi', 'provider_message_id', 'Z-IN-1'));
reset role;

-- Jobs and events as they are after settling, `age` before the frozen now().
create temporary table job as
  select v.label, v.status::private.outbound_delivery_status as status, v.age, gen_random_uuid() as id from (values
    ('old sent', 'sent', interval '31 days'), ('old failed', 'failed', interval '40 days'), ('old discarded', 'discarded', interval '31 days'),
    ('recent sent', 'sent', interval '29 days'), ('old dead', 'dead', interval '90 days'), ('old pending', 'pending', interval '60 days')) v(label, status, age);
insert into private.outbound_deliveries (id, tenant_id, inbox_id, conversation_id, message_id, message_created_at, message_index,
                                         status, finished_at, created_at)
select j.id, tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), tests.conversation_id('Line A', '+5511987650001'), gen_random_uuid(),
       now() - j.age, 1, j.status, case when j.status <> 'pending' then now() - j.age end, now() - j.age
from job j;
create temporary table event_plan as
  select v.label, v.status::public.webhook_event_status as status, v.age from (values
    ('old processed', 'processed', interval '31 days'), ('old ignored', 'ignored', interval '35 days'),
    ('recent processed', 'processed', interval '29 days'), ('old failed', 'failed', interval '60 days'),
    ('old pending', 'pending', interval '60 days')) v(label, status, age);
insert into public.webhook_events (tenant_id, inbox_id, provider, raw_body, body_sha256, status, received_at, processed_at, next_attempt_at)
select tests.tenant_id('tenant-a'), tests.inbox_id('Line A'), 'zapi', '{}', sha256(convert_to(p.label, 'utf8')), p.status, now() - p.age,
       case when p.status in ('processed', 'ignored') then now() - p.age end,
       case when p.status in ('pending', 'failed') then now() - p.age end
from event_plan p;
create temporary table event as
  select p.label, w.id from event_plan p join public.webhook_events w on w.body_sha256 = sha256(convert_to(p.label, 'utf8'));
grant select on job, event to service_role;

create function pg_temp.left_over() returns text language sql security definer as $$
  select (select string_agg(j.label, ',' order by j.label) from job j join private.outbound_deliveries d on d.id = j.id) || ' | ' ||
         (select string_agg(e.label, ',' order by e.label) from event e join public.webhook_events w on w.id = e.id) $$;
grant execute on function pg_temp.left_over() to service_role;

-- ─── who may ─────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok($$ select private.prune_delivery_history(now(), 10) $$, '42501', null, 'an owner cannot prune history');
select throws_ok($$ select * from private.outbound_settings $$, '42501', null, 'nor read the outbound settings');
reset role;
select ok(not has_function_privilege('anon', 'private.prune_delivery_history(timestamptz, integer)', 'execute'), 'anon cannot prune');

-- ─── batches, oldest first, with a frozen clock ──────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(private.prune_delivery_history(now(), 2), '{"deliveries": 2, "webhook_events": 2}', 'a batch of two of each');
select is(pg_temp.left_over(), 'old dead,old discarded,old pending,recent sent | old failed,old pending,recent processed',
  'the oldest settled go first (failed 40 days, sent 31 days; ignored 35 days, processed 31 days)');
select is(private.prune_delivery_history(now(), 2), '{"deliveries": 1, "webhook_events": 0}', 'the next batch takes the rest');
select is(private.prune_delivery_history(now(), 2), '{"deliveries": 0, "webhook_events": 0}', 'and again deletes nothing');
select is(pg_temp.left_over(), 'old dead,old pending,recent sent | old failed,old pending,recent processed',
  'dead letters, open jobs, failed and pending events stay whatever their age; 29 days is within the retention');
select is(private.prune_delivery_history(now() + interval '1 day 1 hour'), '{"deliveries": 1, "webhook_events": 1}',
  'a day later the 29-day-old ones are past 30 days');

-- ─── the settings ────────────────────────────────────────────────────────────────────────────
select is((select history_retention_days || '/' || retry_delays_seconds::text from private.outbound_settings), '30/{1,5,25}',
  'kept 30 days; retries after 1 s, 5 s and 25 s');
reset role;
update private.outbound_settings set retry_delays_seconds = '{2,10}';
select is(private.outbound_retry_delays(), '{2,10}'::numeric[], 'the retry schedule is the setting''s');
select throws_ok($$ update private.outbound_settings set retry_delays_seconds = '{0}' $$, '23514', null, 'a retry delay is positive');
select throws_ok($$ update private.outbound_settings set history_retention_days = 0 $$, '23514', null, 'something is kept at least a day');
select is((select schedule from cron.job where jobname = 'renum-prune-delivery-history'), '40 3 * * *', 'the clean-up runs daily');

select * from finish();
rollback;
