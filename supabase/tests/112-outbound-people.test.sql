-- People and outbound delivery, per actor: a member replies by hand (role human, sent_by the
-- caller, delivered like every reply) and takes the conversation unless it is already theirs;
-- analysts, other companies' members, platform staff and anon cannot; owners and admins list,
-- retry and discard their company's dead letters, nobody else. The internal functions the public
-- ones call are executable by no role.
begin;
set search_path to public, extensions, tests;

select plan(34);

create function pg_temp.make_dead(target_message_id uuid) returns uuid language sql security definer as $$
  update private.outbound_deliveries set status = 'dead', attempts = 4, finished_at = now(), updated_at = now(),
    last_error = '{"code": "provider_unavailable", "http_status": 500}'
  where message_id = target_message_id returning id $$;
create function pg_temp.delivery_status(target_delivery_id uuid) returns text language sql security definer as $$
  select status::text from private.outbound_deliveries where id = target_delivery_id $$;
grant execute on function pg_temp.make_dead(uuid), pg_temp.delivery_status(uuid) to service_role, authenticated;
create temporary table kept (label text primary key, id uuid);
grant all on kept to service_role, authenticated;
create temporary table audits_before (n bigint);
grant all on audits_before to authenticated;
create function pg_temp.conversation_a() returns uuid language sql as $$ select tests.conversation_id('Line A', '+5511987651111') $$;
grant execute on function pg_temp.conversation_a() to anon, authenticated, service_role;
create function pg_temp.assignment_audits() returns bigint language sql security definer as $$
  select count(*) from public.audit_log where table_name = 'conversations' and record_id = pg_temp.conversation_a()::text $$;
grant execute on function pg_temp.assignment_audits() to authenticated, service_role;

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Line A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987651111',
  'contact_name', 'Lead', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'hello', 'provider_message_id', 'wamid.in1',
  'sent_at', now()::text));
select private.record_webhook_message(tests.inbox_id('Line B'), jsonb_build_object('contact_phone', '5511987652222',
  'contact_name', 'Lead B', 'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'oi', 'provider_message_id', 'zapi.in1',
  'sent_at', now()::text));

-- ─── a member replies by hand ────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
insert into kept values ('member reply', public.reply_in_conversation(pg_temp.conversation_a(), 'Oi, sou a Ana.'));
select is(
  (select row(direction, role, status, body, sent_by = tests.get_supabase_uid('member_a'))::text from public.messages
   where id = (select id from kept where label = 'member reply')),
  row('out'::message_direction, 'human'::message_role, 'queued'::message_status, 'Oi, sou a Ana.', true)::text,
  'a member''s reply is a human message written by them, queued');
select is((select assignee || '/' || (assignee_user_id = tests.get_supabase_uid('member_a')) from public.conversations where id = pg_temp.conversation_a()),
  'member/true', 'replying took the conversation from the bot');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.outbound_deliveries where message_id = (select id from kept where label = 'member reply')), 1,
  'it is queued for delivery like every reply');
select tests.authenticate_as('owner_a');
select public.reply_in_conversation(pg_temp.conversation_a(), 'Aqui é o dono.');
select is((select assignee_user_id = tests.get_supabase_uid('owner_a') from public.conversations where id = pg_temp.conversation_a()), true,
  'another person replying takes it in turn');
insert into audits_before select pg_temp.assignment_audits();
select public.reply_in_conversation(pg_temp.conversation_a(), 'De novo.');
select is(pg_temp.assignment_audits(), (select n from audits_before),
  'replying in a conversation already theirs changes no assignment (nothing audited)');
select is(tests.error_code(format($$ select public.reply_in_conversation(%L, '   ') $$, pg_temp.conversation_a())), 'message_body_empty',
  'a blank reply: message_body_empty');

-- ─── who cannot ──────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('analyst_a');
select is(tests.raised(format($$ select public.reply_in_conversation(%L, 'hi') $$, pg_temp.conversation_a())) ->> 'code',
  'conversations_reply_by_handlers', 'an analyst cannot reply');
select tests.authenticate_as('member_b');
select is(tests.error_code(format($$ select public.reply_in_conversation(%L, 'hi') $$, pg_temp.conversation_a())),
  'conversation_not_found', 'a member of another company is told there is no such conversation');
select tests.authenticate_as('platform_admin');
select is(tests.error_code(format($$ select public.reply_in_conversation(%L, 'hi') $$, pg_temp.conversation_a())),
  'conversation_not_found', 'nor may platform staff write in a company''s conversation');
select tests.clear_authentication();
select throws_ok(format($$ select public.reply_in_conversation(%L, 'hi') $$, pg_temp.conversation_a()), '42501', null, 'anon cannot reply');
select tests.authenticate_as_service_role();
select is(tests.error_code(format($$ select public.reply_in_conversation(%L, 'hi') $$, pg_temp.conversation_a())),
  'conversation_not_found', 'the service role is nobody: it appends through the service function instead');
select throws_ok(format($$ select private.queue_outbound_message(%L, 'assistant', 'hi') $$, pg_temp.conversation_a()),
  '42501', null, 'no role may call the internal append, not even the service role');
select throws_ok($$ select private.resolve_dead_letter(gen_random_uuid(), gen_random_uuid(), true) $$, '42501', null,
  'nor the internal dead-letter resolution');
select throws_ok($$ select private.dead_letter_tenant_for_manager(gen_random_uuid(), gen_random_uuid()) $$, '42501', null,
  'nor the dead-letter manager check on its own');
select is(
  (select count(*)::int from public.messages where conversation_id = pg_temp.conversation_a() and direction = 'out'), 3,
  'the refused replies wrote nothing');
select tests.authenticate_as('member_a');
update public.conversations set status = 'closed' where id = pg_temp.conversation_a();
select is(tests.error_code(format($$ select public.reply_in_conversation(%L, 'hi') $$, pg_temp.conversation_a())), 'conversation_closed',
  'a closed conversation: conversation_closed');
update public.conversations set status = 'open' where id = pg_temp.conversation_a();

-- ─── dead letters ────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
insert into kept values ('dead', pg_temp.make_dead((select id from kept where label = 'member reply')));
insert into kept values ('dead b', pg_temp.make_dead(private.append_outbound_message(tests.conversation_id('Line B', '+5511987652222'), 'assistant', 'B falhou')));

select tests.authenticate_as('owner_a');
select is(
  (select row(id, body, contact_phone, inbox_name, role, attempts, last_error ->> 'code')::text
   from public.dead_letters(tests.tenant_id('tenant-a'))),
  row((select id from kept where label = 'dead'), 'Oi, sou a Ana.', '+5511987651111', 'Line A', 'human'::message_role, 4, 'provider_unavailable')::text,
  'an owner lists the company''s dead letter with what failed, to whom and why');
select tests.authenticate_as('admin_a');
select is((select count(*)::int from public.dead_letters(tests.tenant_id('tenant-a'))), 1, 'an admin lists it, and only A''s');
select is((select count(*)::int from public.dead_letters(tests.tenant_id('tenant-a'), tests.inbox_id('Line A'))), 1, 'filtered by inbox');
select is((select count(*)::int from public.dead_letters(tests.tenant_id('tenant-a'), null, now() + interval '1 hour', gen_random_uuid(), 1)), 1,
  'keyset pages start before a given point');
select tests.authenticate_as('member_a');
select is(tests.error_code(format($$ select * from public.dead_letters(%L) $$, tests.tenant_id('tenant-a'))), 'dead_letters_by_inbox_managers',
  'a member cannot list them');
select is(tests.error_code(format($$ select public.retry_dead_letter(%L, %L) $$, tests.tenant_id('tenant-a'), (select id from kept where label = 'dead'))), 'dead_letters_by_inbox_managers',
  'nor retry one');
select tests.authenticate_as('analyst_a');
select is(tests.error_code(format($$ select public.discard_dead_letter(%L, %L) $$, tests.tenant_id('tenant-a'), (select id from kept where label = 'dead'))), 'dead_letters_by_inbox_managers',
  'an analyst cannot discard one');
select tests.authenticate_as('owner_b');
select is(tests.error_code(format($$ select * from public.dead_letters(%L) $$, tests.tenant_id('tenant-a'))), 'dead_letters_by_inbox_managers',
  'another company''s owner cannot list A''s');
select is(tests.error_code(format($$ select public.retry_dead_letter(%L, %L) $$, tests.tenant_id('tenant-b'), (select id from kept where label = 'dead'))), 'dead_letter_not_found',
  'nor retry one, naming their own company: not found');
select is((select count(*)::int from public.dead_letters(tests.tenant_id('tenant-b'))), 1, 'B''s owner lists B''s own');
select tests.authenticate_as('platform_admin');
select is(tests.error_code(format($$ select public.discard_dead_letter(%L, %L) $$, tests.tenant_id('tenant-a'), (select id from kept where label = 'dead'))), 'dead_letter_not_found',
  'platform staff cannot discard a company''s dead letter');
select tests.clear_authentication();
select throws_ok(format($$ select * from public.dead_letters(%L) $$, tests.tenant_id('tenant-a')), '42501', null, 'anon cannot list them');

select tests.authenticate_as('admin_a');
select is(public.retry_dead_letter(tests.tenant_id('tenant-a'), (select id from kept where label = 'dead')), (select id from kept where label = 'member reply'),
  'an admin retries the dead letter');
select is(pg_temp.delivery_status((select id from kept where label = 'dead')), 'pending', 'its job is pending again');
select is((select status::text from public.messages where id = (select id from kept where label = 'member reply')), 'queued',
  'and its message queued');
select tests.authenticate_as_service_role();
select pg_temp.make_dead((select id from kept where label = 'member reply'));
select tests.authenticate_as('owner_a');
select public.discard_dead_letter(tests.tenant_id('tenant-a'), (select id from kept where label = 'dead'));
select is(pg_temp.delivery_status((select id from kept where label = 'dead')), 'discarded', 'an owner discards it');
select is(tests.error_code(format($$ select public.discard_dead_letter(%L, %L) $$, tests.tenant_id('tenant-a'), (select id from kept where label = 'dead'))), 'dead_letter_not_found',
  'a discarded letter is no longer one');

-- ─── one waiting wake-up is enough ───────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select private.append_outbound_message(tests.conversation_id('Line B', '+5511987652222'), 'assistant', 'um');
select private.append_outbound_message(tests.conversation_id('Line B', '+5511987652222'), 'assistant', 'dois');
select is(
  (select count(*)::int from net.http_request_queue q where q.url like '%/outbound/run'),
  case when exists (select from vault.decrypted_secrets where name = 'renum_functions_url') then 1 else 0 end,
  'a burst of replies queues one wake-up while pg_net has not sent it (none without Vault''s address)');

select * from finish();
rollback;
