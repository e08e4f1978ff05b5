-- Contacts and conversations, per actor: owners, admins and members create and edit contacts and
-- close, reopen, assign and mark conversations read; analysts read; another company's member,
-- anon and a platform admin see nothing. The rules: one contact per company and phone, search by
-- any part of a name or phone, closing stamps closed_at, reopening refused while another is open,
-- assignees are members of the company, unread_count only reset by people.
begin;
set search_path to public, extensions, tests;

select plan(45);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');

create function pg_temp.message(phone text, provider_id text, contact_name text default null) returns jsonb
language sql as $$
  select jsonb_build_object('contact_phone', phone, 'contact_name', contact_name, 'direction', 'in', 'role', 'user',
                            'type', 'text', 'body', 'Olá', 'provider_message_id', provider_id)
$$;
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987650001', 'wamid.A1', 'Maria Souza'));
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987650002', 'wamid.A2', 'João Lima'));
select private.record_webhook_message(tests.inbox_id('Line B'), pg_temp.message('5511987650009', 'wamid.B1', 'Bruno'));

-- ─── contacts: one per company and phone ─────────────────────────────────────────────────────
select is(private.upsert_contact(tests.tenant_id('tenant-a'), '(11) 98765-0001', 'Someone Else'), tests.contact_id('tenant-a', '+5511987650001'),
  'the same phone written another way is the same contact');
select is((select name from public.contacts where id = tests.contact_id('tenant-a', '+5511987650001')), 'Maria Souza',
  'a known name is kept over a provider''s profile name');
select isnt(private.upsert_contact(tests.tenant_id('tenant-b'), '5511987650001'), tests.contact_id('tenant-a', '+5511987650001'),
  'the same phone in another company is another contact');

-- ─── contacts per actor ──────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.contacts), 2, 'a member reads the company''s contacts');
select lives_ok(format($$ insert into public.contacts (tenant_id, phone, name, email) values (%L, '+55 21 99999-0003', 'Carla Dias', 'carla@example.com') $$,
  tests.tenant_id('tenant-a')), 'a member creates a contact');
select throws_ok(format($$ insert into public.contacts (tenant_id, phone) values (%L, '21999990003') $$, tests.tenant_id('tenant-a')),
  '23505', null, 'a second contact with the same phone is refused');
update public.contacts set name = 'Maria S.', status = 'blocked', metadata = '{"origin": "ads"}' where id = tests.contact_id('tenant-a', '+5511987650001');
select is((select name || '/' || status from public.contacts where id = tests.contact_id('tenant-a', '+5511987650001')), 'Maria S./blocked',
  'a member renames and blocks a contact');
select throws_ok(format($$ update public.contacts set phone = '+5511900000000' where id = %L $$, tests.contact_id('tenant-a', '+5511987650001')),
  '42501', null, 'a contact''s phone is not changed by people');
select throws_ok(format($$ update public.contacts set tenant_id = %L where id = %L $$, tests.tenant_id('tenant-b'), tests.contact_id('tenant-a', '+5511987650001')),
  '42501', null, 'nor its company');
select throws_ok(format($$ delete from public.contacts where id = %L $$, tests.contact_id('tenant-a', '+5511987650001')),
  '42501', null, 'contacts are blocked, not deleted');
select throws_ok(format($$ insert into public.contacts (tenant_id, phone) values (%L, '+5511987650077') $$, tests.tenant_id('tenant-b')),
  '42501', null, 'a member cannot create a contact in another company');

select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.contacts), 3, 'an analyst reads the company''s contacts');
select throws_ok(format($$ insert into public.contacts (tenant_id, phone) values (%L, '+5511987650078') $$, tests.tenant_id('tenant-a')),
  '42501', null, 'an analyst cannot create a contact');
update public.contacts set name = 'Changed by analyst' where id = tests.contact_id('tenant-a', '+5511987650002');
select is((select name from public.contacts where id = tests.contact_id('tenant-a', '+5511987650002')), 'João Lima', 'an analyst cannot edit a contact');

select tests.authenticate_as('member_b');
select is((select array_agg(phone order by phone) from public.contacts), array['+5511987650001', '+5511987650009'], 'a member of B reads only B''s contacts');
update public.contacts set name = 'Changed by B' where id = tests.contact_id('tenant-a', '+5511987650002');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.contacts), 0, 'a platform admin reads no company''s contacts directly');
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.contacts $$, '42501', null, 'anon reads no contacts');
select tests.authenticate_as('owner_a');
select is((select name from public.contacts where id = tests.contact_id('tenant-a', '+5511987650002')), 'João Lima', 'B''s member changed nothing in A');

-- ─── search ──────────────────────────────────────────────────────────────────────────────────
select is((select array_agg(name) from public.search_contacts(tests.tenant_id('tenant-a'), 'lima')), array['João Lima'], 'search by part of a name, any case');
select is((select array_agg(name) from public.search_contacts(tests.tenant_id('tenant-a'), '9999-0003')), array['Carla Dias'], 'search by part of a phone as typed');
select is((select count(*)::int from public.search_contacts(tests.tenant_id('tenant-a'), null)), 3, 'no search: the company''s contacts');
select is((select count(*)::int from public.search_contacts(tests.tenant_id('tenant-a'), '', 2)), 2, 'at most max_rows');
select is((select count(*)::int from public.search_contacts(tests.tenant_id('tenant-a'), '%')), 0, 'LIKE wildcards are searched for as themselves');
select is((select count(*)::int from public.search_contacts(tests.tenant_id('tenant-b'), 'Bruno')), 0, 'another company''s contacts are not found');
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.search_contacts(tests.tenant_id('tenant-a'), 'a')), 0, 'a member of B finds nothing in A');
select tests.clear_authentication();
select throws_ok(format($$ select * from public.search_contacts(%L, 'a') $$, tests.tenant_id('tenant-a')), '42501', null, 'anon cannot search');
reset role;
select is((select count(*)::int from public.audit_log where table_name = 'contacts' and action = 'update' and record_id = tests.contact_id('tenant-a', '+5511987650001')::text),
  1, 'a person''s edit of a contact is audited');

-- ─── conversations per actor ─────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.conversations), 2, 'a member reads the company''s conversations');
update public.conversations set unread_count = 0 where id = tests.conversation_id('Line A', '+5511987650001');
select is((select unread_count from public.conversations where id = tests.conversation_id('Line A', '+5511987650001')), 0, 'a member marks a conversation read');
select is(tests.error_code(format($$ update public.conversations set unread_count = 5 where id = %L $$, tests.conversation_id('Line A', '+5511987650001'))),
  'unread_count_reset_only', 'people never raise unread_count');
update public.conversations set assignee = 'member', assignee_user_id = tests.get_supabase_uid('member_a') where id = tests.conversation_id('Line A', '+5511987650001');
select is((select assignee_user_id from public.conversations where id = tests.conversation_id('Line A', '+5511987650001')), tests.get_supabase_uid('member_a'),
  'a member takes a conversation');
select is(tests.error_code(format($$ update public.conversations set assignee = 'member', assignee_user_id = %L where id = %L $$,
  tests.get_supabase_uid('member_b'), tests.conversation_id('Line A', '+5511987650001'))),
  'assignee_not_member', 'a conversation is never assigned to someone outside the company');
update public.conversations set status = 'closed' where id = tests.conversation_id('Line A', '+5511987650001');
select ok((select closed_at is not null from public.conversations where id = tests.conversation_id('Line A', '+5511987650001')), 'closing stamps closed_at');
select throws_ok(format($$ update public.conversations set tenant_id = %L where id = %L $$, tests.tenant_id('tenant-b'), tests.conversation_id('Line A', '+5511987650001')),
  '42501', null, 'a conversation cannot be moved to another company');
select throws_ok(format($$ update public.conversations set last_message_index = 0 where id = %L $$, tests.conversation_id('Line A', '+5511987650002')),
  '42501', null, 'people never move the message counter');

-- A new message after closing opens a new conversation; the old one cannot be reopened beside it.
select tests.authenticate_as_service_role();
select private.record_webhook_message(tests.inbox_id('Line A'), pg_temp.message('5511987650001', 'wamid.A3'));
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.conversations where contact_id = tests.contact_id('tenant-a', '+5511987650001')), 2,
  'a message after closing opens a new conversation');
select is(
  tests.raised(format($$ update public.conversations set status = 'open' where contact_id = %L and status = 'closed' $$, tests.contact_id('tenant-a', '+5511987650001'))) - 'detail',
  '{"state": "P0001", "code": "conversation_already_open"}'::jsonb, 'reopening beside an open one: conversation_already_open');
update public.conversations set status = 'closed' where contact_id = tests.contact_id('tenant-a', '+5511987650001') and status = 'open';
update public.conversations set status = 'pending'
where id = (select id from public.conversations where contact_id = tests.contact_id('tenant-a', '+5511987650001') order by created_at limit 1);
select is((select count(*)::int from public.conversations where contact_id = tests.contact_id('tenant-a', '+5511987650001') and status <> 'closed' and closed_at is null), 1,
  'once the other is closed, the first reopens (closed_at cleared)');

select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.conversations), 3, 'an analyst reads the company''s conversations');
update public.conversations set status = 'closed' where id = tests.conversation_id('Line A', '+5511987650002');
select tests.authenticate_as('member_b');
select is((select count(*)::int from public.conversations), 1, 'a member of B reads only B''s conversations');
update public.conversations set status = 'closed' where id = tests.conversation_id('Line A', '+5511987650002');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.conversations), 0, 'a platform admin reads no company''s conversations directly');
select tests.clear_authentication();
select throws_ok($$ select count(*) from public.conversations $$, '42501', null, 'anon reads no conversations');
select tests.authenticate_as('owner_a');
select is((select status::text from public.conversations where id = tests.conversation_id('Line A', '+5511987650002')), 'open',
  'neither an analyst nor B''s member closed it');
select throws_ok(format($$ delete from public.conversations where id = %L $$, tests.conversation_id('Line A', '+5511987650002')),
  '42501', null, 'conversations are closed, not deleted');
reset role;
select is(
  (select count(*)::int from public.audit_log where table_name = 'conversations' and action = 'update'),
  4, 'assigning, closing (twice) and reopening are audited; counters moved by webhooks are not');

select * from finish();
rollback;
