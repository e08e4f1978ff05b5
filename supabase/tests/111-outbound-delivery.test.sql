-- The delivery queue's transitions: claims lease each conversation's first open job only (order
-- kept), with what the send needs and Meta's 24-hour window; parts record provider ids that status
-- callbacks then reach; retries wait 1 s / 5 s / 25 s (or Retry-After) and the fourth retryable
-- failure makes a dead letter; final refusals fail at once; a lease that ran out becomes a dead
-- letter (at most once); dead letters are retried or discarded per company. Service role only.
begin;
set search_path to public, extensions, tests;

select plan(48);

create temporary table job (label text primary key, message_id uuid);
grant all on job to service_role;
create function pg_temp.delivery(wanted text) returns uuid language sql as $$
  select d.id from private.outbound_deliveries d join job j on j.message_id = d.message_id where j.label = wanted $$;
create function pg_temp.message_of(wanted text) returns public.messages language sql as $$
  select m.* from public.messages m join job j on j.message_id = m.id where j.label = wanted $$;
create function pg_temp.delivery_row(wanted text) returns private.outbound_deliveries language sql as $$
  select d.* from private.outbound_deliveries d join job j on j.message_id = d.message_id where j.label = wanted $$;
create function pg_temp.claimed(worker text) returns setof uuid language sql as $$
  select delivery_id from private.claim_outbound_deliveries(worker, 20, 60) $$;
-- Time moves on for a job: its retry is due, or its lease ran out.
create function pg_temp.due_now(wanted text) returns void language sql security definer as $$
  update private.outbound_deliveries set next_attempt_at = now() where id = pg_temp.delivery(wanted) $$;
create function pg_temp.lease_ran_out(wanted text) returns void language sql security definer as $$
  update private.outbound_deliveries set lease_expires_at = now() - interval '1 second' where id = pg_temp.delivery(wanted) $$;

grant execute on function pg_temp.delivery(text), pg_temp.message_of(text),
  pg_temp.delivery_row(text), pg_temp.claimed(text), pg_temp.due_now(text), pg_temp.lease_ran_out(text) to service_role;
select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Line A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
create function pg_temp.inbound(inbox text, phone text, provider_id text, direction text default 'in', role text default 'user') returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone, 'contact_name', 'Lead',
    'direction', direction, 'role', role, 'type', 'text', 'body', 'hello', 'provider_message_id', provider_id, 'sent_at', now()::text))
$$;
select pg_temp.inbound('Line A', '5511987651111', 'wamid.in1');
select pg_temp.inbound('Line B', '5511987652222', 'zapi.in1');
-- A conversation the company started from its phone: the contact never wrote, Meta's window is closed.
select pg_temp.inbound('Line A', '5511987653333', 'wamid.echo1', 'out', 'human');

-- ─── who may ─────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok($$ select * from private.claim_outbound_deliveries('w', 10, 60) $$, '42501', null, 'an owner cannot claim deliveries');
select throws_ok(format($$ select private.retry_dead_letter(%L, gen_random_uuid()) $$, tests.tenant_id('tenant-a')), '42501', null,
  'nor call the service''s dead-letter retry');
select tests.authenticate_as_service_role();
select ok(not has_function_privilege('authenticated', 'private.settle_outbound_delivery(uuid, text, text, jsonb, numeric)', 'execute'),
  'signed-in people cannot settle a delivery');
select ok(not has_function_privilege('anon', 'private.discard_dead_letter(uuid, uuid)', 'execute'), 'anon cannot discard one');
select is(tests.error_code($$ select * from private.claim_outbound_deliveries('', 10, 60) $$), 'delivery_claim_invalid',
  'a claim without a worker id: delivery_claim_invalid');

-- ─── claims keep each conversation's order ───────────────────────────────────────────────────
insert into job values
  ('a1', private.append_outbound_message(tests.conversation_id('Line A', '+5511987651111'), 'assistant', 'first')),
  ('a2', private.append_outbound_message(tests.conversation_id('Line A', '+5511987651111'), 'assistant', 'second')),
  ('b1', private.append_outbound_message(tests.conversation_id('Line B', '+5511987652222'), 'assistant', 'oi'));
create temporary table first_claim as select * from private.claim_outbound_deliveries('worker-1', 20, 60);
grant all on first_claim to service_role;
select set_eq($$ select delivery_id from first_claim $$, array[pg_temp.delivery('a1'), pg_temp.delivery('b1')],
  'a claim takes each conversation''s first job, not the second of A');
select is(
  (select row(body, provider, meta_phone_number_id, contact_phone, customer_window_open, attempts, parts_sent, message_index)::text
   from first_claim where delivery_id = pg_temp.delivery('a1')),
  row('first', 'meta_cloud'::inbox_provider, '5550001', '+5511987651111', true, 1, 0, 2)::text,
  'with what the send needs: the body, the provider''s ids, the phone, the open window');
select is((select row(provider, zapi_instance_id)::text from first_claim where delivery_id = pg_temp.delivery('b1')),
  row('zapi'::inbox_provider, 'line-b')::text, 'each job with its own inbox''s provider');
select is((select row(status, lease_owner)::text from private.outbound_deliveries where id = pg_temp.delivery('a1')),
  row('sending'::private.outbound_delivery_status, 'worker-1')::text, 'the claimed job is leased to its worker');
select is((select count(*)::int from pg_temp.claimed('worker-2')), 0, 'a second worker finds nothing: A''s second waits for its first');

-- ─── sent, then statuses from the webhooks ───────────────────────────────────────────────────
select is(private.record_outbound_part(pg_temp.delivery('a1'), 'worker-2', 1, 'wamid.out-a1'), false,
  'a worker without the lease cannot record a part');
select is(private.record_outbound_part(pg_temp.delivery('a1'), 'worker-1', 1, 'wamid.out-a1'), true, 'the lease holder records it');
select is((pg_temp.message_of('a1')).provider_message_id, 'wamid.out-a1', 'the message keeps the provider''s id');
select is(private.settle_outbound_delivery(pg_temp.delivery('a1'), 'worker-1', 'sent'), true, 'and settles it sent');
select is((pg_temp.message_of('a1')).status::text || '/' || (pg_temp.delivery_row('a1')).status, 'sent/sent', 'the message and job are sent');
select is(private.settle_outbound_delivery(pg_temp.delivery('a1'), 'worker-1', 'sent'), false, 'settling twice changes nothing');
select private.apply_message_status(tests.inbox_id('Line A'), 'wamid.out-a1', 'delivered', now());
select is((pg_temp.message_of('a1')).status::text, 'delivered', 'the provider''s delivered callback reaches the reply');
select private.apply_message_status(tests.inbox_id('Line A'), 'wamid.out-a1', 'read', now());
select is((pg_temp.message_of('a1')).status::text, 'read', 'and read');

-- A status that arrived before the send was recorded is applied with it and not undone by `sent`.
select private.record_outbound_part(pg_temp.delivery('b1'), 'worker-1', 1, 'zapi.out-b1-part1');
select private.apply_message_status(tests.inbox_id('Line B'), 'zapi.out-b1-part2', 'delivered', now());
select is(private.record_outbound_part(pg_temp.delivery('b1'), 'worker-1', 2, 'zapi.out-b1-part2'), true, 'the second part is recorded');
select is((pg_temp.delivery_row('b1')).parts_sent, 2, 'the job counts both parts');
select private.settle_outbound_delivery(pg_temp.delivery('b1'), 'worker-1', 'sent');
select is((pg_temp.message_of('b1')).status::text || '/' || (pg_temp.message_of('b1')).provider_message_id, 'delivered/zapi.out-b1-part1',
  'a status that came first stays (sent does not move it back); the message keeps its first part''s id');

-- ─── retries, then a dead letter ─────────────────────────────────────────────────────────────
select set_eq($$ select pg_temp.claimed('worker-1') $$, array[pg_temp.delivery('a2')], 'with A''s first sent, its second is claimed');
select private.settle_outbound_delivery(pg_temp.delivery('a2'), 'worker-1', 'retry',
  '{"code": "provider_unavailable", "message": "the provider answered 500", "http_status": 500}');
select is(
  (select row(status, attempts, next_attempt_at - now(), last_error ->> 'code', lease_owner)::text from private.outbound_deliveries where id = pg_temp.delivery('a2')),
  row('pending'::private.outbound_delivery_status, 1, interval '1 second', 'provider_unavailable', null::text)::text,
  'a first retryable failure waits 1 s, with its error');
select is((pg_temp.message_of('a2')).status::text, 'queued', 'the message stays queued meanwhile');
select is((select count(*)::int from pg_temp.claimed('worker-1')), 0, 'not claimable before its time');
select pg_temp.due_now('a2');
select pg_temp.claimed('worker-1');
select private.settle_outbound_delivery(pg_temp.delivery('a2'), 'worker-1', 'retry', '{"code": "rate_limited", "http_status": 429}', 30);
select is((select row(attempts, next_attempt_at - now())::text from private.outbound_deliveries where id = pg_temp.delivery('a2')),
  row(2, interval '30 seconds')::text, 'a Retry-After longer than the 5 s step is honoured');
select pg_temp.due_now('a2');
select pg_temp.claimed('worker-1');
select private.settle_outbound_delivery(pg_temp.delivery('a2'), 'worker-1', 'retry', '{"code": "provider_unavailable", "http_status": 503}');
select is((select next_attempt_at - now() from private.outbound_deliveries where id = pg_temp.delivery('a2')), interval '25 seconds',
  'the third waits 25 s');
select pg_temp.due_now('a2');
select pg_temp.claimed('worker-1');
select private.settle_outbound_delivery(pg_temp.delivery('a2'), 'worker-1', 'retry', '{"code": "provider_unavailable", "http_status": 500}');
select is((select row(status, attempts, last_error ->> 'code')::text from private.outbound_deliveries where id = pg_temp.delivery('a2')),
  row('dead'::private.outbound_delivery_status, 4, 'provider_unavailable')::text, 'the fourth failure makes a dead letter with the last error');
select is((pg_temp.message_of('a2')).status::text || '/' || ((pg_temp.message_of('a2')).error ->> 'dead_letter'), 'failed/true',
  'its message is failed, marked as a dead letter (never a silent drop)');

insert into job values ('a3', private.append_outbound_message(tests.conversation_id('Line A', '+5511987651111'), 'assistant', 'third'));
select set_eq($$ select pg_temp.claimed('worker-1') $$, array[pg_temp.delivery('a3')], 'a dead letter does not hold the conversation''s next reply');
select is(private.settle_outbound_delivery(pg_temp.delivery('a3'), 'worker-1', 'failed',
  '{"code": "recipient_not_on_whatsapp", "message": "this number is not on WhatsApp", "http_status": 400}'), true,
  'a final refusal settles at once');
select is((select row(status, attempts)::text from private.outbound_deliveries where id = pg_temp.delivery('a3')),
  row('failed'::private.outbound_delivery_status, 1)::text, 'failed after one attempt, no retry');
select is((pg_temp.message_of('a3')).error, '{"code": "recipient_not_on_whatsapp", "message": "this number is not on WhatsApp", "http_status": 400}'::jsonb,
  'the message is failed with the reason a person understands');

-- ─── dead letters: retry and discard, per company ────────────────────────────────────────────
select is(tests.error_code(format($$ select private.retry_dead_letter(%L, %L) $$, tests.tenant_id('tenant-b'), pg_temp.delivery('a2'))),
  'dead_letter_not_found', 'another company cannot retry A''s dead letter');
select is(private.retry_dead_letter(tests.tenant_id('tenant-a'), pg_temp.delivery('a2')), (select message_id from job where label = 'a2'),
  'A retries its dead letter');
select is((select row(status, attempts, next_attempt_at <= now())::text from private.outbound_deliveries where id = pg_temp.delivery('a2')),
  row('pending'::private.outbound_delivery_status, 0, true)::text, 'the job is pending now, its attempts reset');
select is((pg_temp.message_of('a2')).status::text || '/' || coalesce((pg_temp.message_of('a2')).error::text, 'no error'), 'queued/no error',
  'its message is queued again');
select is(tests.error_code(format($$ select private.retry_dead_letter(%L, %L) $$, tests.tenant_id('tenant-a'), pg_temp.delivery('a2'))),
  'dead_letter_not_found', 'a job that is no longer a dead letter cannot be retried');

-- A worker killed mid-send: the lease runs out and the job becomes a dead letter, never resent by itself.
select set_eq($$ select pg_temp.claimed('worker-1') $$, array[pg_temp.delivery('a2')], 'the retried dead letter is claimed');
select pg_temp.lease_ran_out('a2');
select private.rescue_outbound_deliveries();
select is((select row(status, last_error ->> 'code')::text from private.outbound_deliveries where id = pg_temp.delivery('a2')),
  row('dead'::private.outbound_delivery_status, 'delivery_interrupted')::text,
  'a lease that ran out mid-send makes a dead letter, delivery_interrupted (at most once)');
select is((pg_temp.message_of('a2')).status::text, 'failed', 'its message is failed');
select is(private.settle_outbound_delivery(pg_temp.delivery('a2'), 'worker-1', 'sent'), false, 'the killed worker''s late answer changes nothing');
select is((select count(*)::int from pg_temp.claimed('worker-3')), 0, 'nobody claims it again by itself');
select is(tests.error_code(format($$ select private.discard_dead_letter(%L, %L) $$, tests.tenant_id('tenant-b'), pg_temp.delivery('a2'))),
  'dead_letter_not_found', 'another company cannot discard it');
select private.discard_dead_letter(tests.tenant_id('tenant-a'), pg_temp.delivery('a2'));
select is((pg_temp.delivery_row('a2')).status::text || '/' || ((pg_temp.message_of('a2')).error ->> 'discarded'), 'discarded/true',
  'A discards it: the job is discarded, the message stays failed, marked discarded');

-- ─── Meta's 24-hour window; bad outcomes ─────────────────────────────────────────────────────
insert into job values ('c1', private.append_outbound_message(tests.conversation_id('Line A', '+5511987653333'), 'human', 'hello there'));
select is((select customer_window_open from private.claim_outbound_deliveries('worker-1', 20, 60) where delivery_id = pg_temp.delivery('c1')), false,
  'a conversation whose contact has not written in 24 hours is claimed with the window closed');
select is(tests.error_code(format($$ select private.settle_outbound_delivery(%L, 'worker-1', 'maybe') $$, pg_temp.delivery('c1'))),
  'delivery_outcome_invalid', 'an unknown outcome: delivery_outcome_invalid');
select is(tests.error_code(format($$ select private.settle_outbound_delivery(%L, 'worker-1', 'failed', '{"message": "no code"}') $$, pg_temp.delivery('c1'))),
  'delivery_outcome_invalid', 'a failure without a code: delivery_outcome_invalid');

select * from finish();
rollback;
