-- consumption_inbox_daily is exact as of each commit: single messages from webhooks, bulk
-- INSERT … SELECT across inboxes and days, conversations started, tokens and cost of replies.
-- The sums wait in private.consumption_pending until the transaction ends (the day's row is
-- locked only then); the first part shows that, the rest folds at once to check each sum.
-- People cannot write either table.
begin;
set search_path to public, extensions, tests;

select plan(15);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A2', null, '{"zapi_instance_id": "line-a2"}',
  '{"instance_token": "zapi-instance-a2", "client_token": "zapi-client-a2"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A3', null, '{"zapi_instance_id": "line-a3"}',
  '{"instance_token": "zapi-instance-a3", "client_token": "zapi-client-a3"}');
reset role;

create function pg_temp.message(phone text, provider_id text, direction text default 'in', role text default 'user') returns jsonb
language sql as $$
  select jsonb_build_object('contact_phone', phone, 'direction', direction, 'role', role, 'type', 'text', 'provider_message_id', provider_id)
$$;
create function pg_temp.today(inbox text) returns text
language sql as $$
  select row(messages_in, messages_out, conversations_started, input_tokens, output_tokens, cost_usd)::text
  from public.consumption_inbox_daily where inbox_id = tests.inbox_id(inbox) and day = (now() at time zone 'UTC')::date
$$;

-- ─── folded at the end of the transaction ────────────────────────────────────────────────────
select private.record_webhook_message(tests.inbox_id('Line A3'), pg_temp.message('5511987654009', 'wamid.early'));
select is(pg_temp.today('Line A3'), null, 'a message''s consumption is not folded in before its transaction ends');
select is((select count(*)::int from private.consumption_pending where transaction_id = pg_current_xact_id()), 2,
  'its sums wait, tagged with the transaction (the message, and the conversation it started)');
-- What a commit does: the deferred fold runs.
set constraints private.consumption_pending_apply immediate;
select is(pg_temp.today('Line A3'), '(1,0,1,0,0,0.000000)', 'then the day''s row holds them');
select is((select count(*)::int from private.consumption_pending), 0, 'and nothing is left pending');
select private.record_webhook_message(tests.inbox_id('Line A3'), pg_temp.message('5511987654009', 'wamid.early2'));
select is(pg_temp.today('Line A3'), '(2,0,1,0,0,0.000000)', 'with the fold immediate, each statement adds at once');

-- ─── single messages ─────────────────────────────────────────────────────────────────────────
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987654001', 'wamid.1'));
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987654001', 'wamid.2'));
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987654001', 'wamid.3', 'out', 'human'));
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987654002', 'wamid.4'));
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987654002', 'wamid.4'));
select is(pg_temp.today('Line A'), '(3,1,2,0,0,0.000000)', 'webhook messages count in and out, conversations started, copies not');

-- ─── a reply with tokens and cost ────────────────────────────────────────────────────────────
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status,
                             input_tokens, output_tokens, cost_usd)
select tenant_id, inbox_id, id, contact_id, last_message_index + 1, 'out', 'assistant', 'queued', 1200, 300, 0.0042
from public.conversations where id = tests.conversation_id('Line A', '+5511987654001');
select is(pg_temp.today('Line A'), '(3,2,2,1200,300,0.004200)', 'an agent''s reply adds its tokens and cost');

-- ─── bulk ────────────────────────────────────────────────────────────────────────────────────
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status, output_tokens, created_at)
select c.tenant_id, c.inbox_id, c.id, c.contact_id, 1000 + n, case when n % 3 = 0 then 'out' else 'in' end::message_direction,
       case when n % 3 = 0 then 'assistant' else 'user' end::message_role, 'received', case when n % 3 = 0 then 10 end,
       now() - (n % 2) * interval '1 day'
from public.conversations c, generate_series(1, 1500) n
where c.id = tests.conversation_id('Line A', '+5511987654002');
select is(
  (select array_agg(row(day, messages_in, messages_out, output_tokens)::text order by day) from public.consumption_inbox_daily where inbox_id = tests.inbox_id('Line A')),
  (select array_agg(row(day, n_in, n_out, tokens)::text order by day) from (
     select (created_at at time zone 'UTC')::date as day, count(*) filter (where direction = 'in') as n_in,
            count(*) filter (where direction = 'out') as n_out, coalesce(sum(output_tokens), 0)::bigint as tokens
     from public.messages where inbox_id = tests.inbox_id('Line A') group by 1) counted),
  'after a bulk insert over two days, each day''s counts equal the messages there'
);
select is((select messages_in + messages_out from public.consumption_inbox_daily where inbox_id = tests.inbox_id('Line A') and day = (now() at time zone 'UTC')::date - 1),
  750, 'yesterday holds the half of the bulk dated yesterday');

-- Two inboxes in one statement.
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
select c.tenant_id, c.inbox_id, c.id, c.contact_id, 5000 + n, 'in', 'user', 'received'
from public.conversations c, generate_series(1, 10) n
where c.id = tests.conversation_id('Line A', '+5511987654001');
select private.record_webhook_message(tests.inbox_id('Line A2'), pg_temp.message('5511987654003', 'wamid.a2'));
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
select c.tenant_id, c.inbox_id, c.id, c.contact_id, 10 + n, 'in', 'user', 'received'
from public.conversations c, generate_series(1, 20) n
where c.inbox_id in (tests.inbox_id('Line A'), tests.inbox_id('Line A2')) and c.status = 'open';
select is(
  (select array_agg(messages_in order by inbox_id = tests.inbox_id('Line A2')) from public.consumption_inbox_daily
   where day = (now() at time zone 'UTC')::date and inbox_id in (tests.inbox_id('Line A'), tests.inbox_id('Line A2'))),
  (select array_agg(n order by inbox_id = tests.inbox_id('Line A2')) from (select inbox_id, count(*)::int as n from public.messages
   where direction = 'in' and (created_at at time zone 'UTC')::date = (now() at time zone 'UTC')::date
     and inbox_id in (tests.inbox_id('Line A'), tests.inbox_id('Line A2')) group by inbox_id) counted),
  'one statement over two inboxes counts each inbox exactly'
);
select is((select conversations_started from public.consumption_inbox_daily where inbox_id = tests.inbox_id('Line A2')), 1, 'each inbox counts its own conversations');

-- ─── who writes it ───────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok(format($$ update public.consumption_inbox_daily set messages_in = 0 where inbox_id = %L $$, tests.inbox_id('Line A')), '42501', null,
  'an owner cannot change consumption');
select throws_ok(format($$ insert into public.consumption_inbox_daily (tenant_id, inbox_id, day) values (%L, %L, '2020-01-01') $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('Line A')), '42501', null, 'nor add to it');
select is((select count(*)::int from public.consumption_inbox_daily), 4, 'an owner reads the company''s consumption');
select throws_ok($$ select count(*) from private.consumption_pending $$, '42501', null, 'and nothing of the pending sums');

select * from finish();
rollback;
