-- Contact opt-out: a contact's message that is exactly an opt-out word (trimmed, case and accents
-- folded) sets contacts.opted_out_at with the word as the reason, recorded in the audit log; an
-- opt-in word clears it; the words are the inbox's, else the company's, else the built-in ones,
-- kept folded and never in both lists. People who handle conversations opt a contact out or back
-- in; analysts, another company's member, anon and a platform admin cannot. Whoever writes it,
-- opted_out_at is the moment it happened. private.accepts_proactive_messages says no for opted-out
-- and blocked contacts.
begin;
set search_path to public, extensions, tests;

select plan(44);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Custom line', null, '{"zapi_instance_id": "custom-line"}',
  '{"instance_token": "zapi-instance-c", "client_token": "zapi-client-c"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Bot line', null, '{"zapi_instance_id": "bot-line"}',
  '{"instance_token": "zapi-instance-bot", "client_token": "zapi-client-bot"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');

create function pg_temp.say(inbox text, phone text, provider_id text, body text, direction text default 'in') returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id(inbox), jsonb_build_object('contact_phone', phone, 'contact_name', 'Maria Souza',
    'direction', direction, 'role', case when direction = 'in' then 'user' else 'human' end, 'type', 'text', 'body', body,
    'provider_message_id', provider_id))
$$;
-- Volatile and by phone: a stable lookup of the id would be folded with a snapshot from before the contact existed.
create function pg_temp.contact(tenant text, wanted_phone text) returns public.contacts
language plpgsql volatile as $$
declare
  found public.contacts;
begin
  select * into found from public.contacts c where c.phone = wanted_phone and c.tenant_id = (select t.id from public.tenants t where t.slug = tenant);
  return found;
end;
$$;

-- ─── the built-in words ──────────────────────────────────────────────────────────────────────
select is(private.fold_word('  Sáir! '), 'sair', 'a word is compared trimmed, lower-case, without accents or punctuation');
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A'))).opt_out_words, array['sair', 'parar', 'stop', 'cancelar'],
  'with no settings, the built-in opt-out words');
select is((private.responder_settings_for_inbox(tests.inbox_id('Line A'))).opt_in_words, array['voltar', 'start'], 'and opt-in words');

-- ─── a contact opts out by writing the word ──────────────────────────────────────────────────
select pg_temp.say('Line A', '+5511987650001', 'wamid.1', 'Quero sair da lista, mas antes uma dúvida');
select is((pg_temp.contact('tenant-a', '+5511987650001')).opted_out_at, null, 'a sentence that contains the word is not an opt-out');
select ok(private.accepts_proactive_messages(pg_temp.contact('tenant-a', '+5511987650001')), 'the contact may still be contacted');
select pg_temp.say('Line A', '+5511987650001', 'wamid.2', '  SÁIR!! ');
select is((pg_temp.contact('tenant-a', '+5511987650001')).opted_out_at, now(), 'the word alone opts the contact out');
select is((pg_temp.contact('tenant-a', '+5511987650001')).opt_out_reason, 'word:sair', 'with the word as the reason');
select ok(not private.accepts_proactive_messages(pg_temp.contact('tenant-a', '+5511987650001')), 'who gets no proactive message any more');
select is((select count(*)::int from public.audit_log a where a.table_name = 'contacts' and a.action = 'update'
           and a.record_id = tests.contact_id('tenant-a', '+5511987650001')::text and a.after ->> 'opt_out_reason' = 'word:sair'
           and a.before ->> 'opted_out_at' is null), 1, 'the opt-out is in the audit log');

reset role;
update public.contacts set opted_out_at = '2026-01-01 10:00:00+00' where id = tests.contact_id('tenant-a', '+5511987650001');
select is((pg_temp.contact('tenant-a', '+5511987650001')).opted_out_at, now(), 'opted_out_at is the moment it happened, whoever writes it');
select tests.authenticate_as_service_role();
select pg_temp.say('Line A', '+5511987650001', 'wamid.3', 'PARAR');
select is((pg_temp.contact('tenant-a', '+5511987650001')).opt_out_reason, 'word:sair', 'opting out again keeps the first reason');
select is((select count(*)::int from public.audit_log a where a.table_name = 'contacts'
           and a.record_id = tests.contact_id('tenant-a', '+5511987650001')::text and a.action = 'update'), 1, 'and records nothing new');

select pg_temp.say('Line A', '+5511987650001', 'wamid.4', 'Voltar');
select is((pg_temp.contact('tenant-a', '+5511987650001')).opted_out_at, null, 'an opt-in word brings the contact back');
select is((pg_temp.contact('tenant-a', '+5511987650001')).opt_out_reason, null, 'the reason goes with it');
select is((select count(*)::int from public.audit_log a where a.table_name = 'contacts' and a.action = 'update'
           and a.record_id = tests.contact_id('tenant-a', '+5511987650001')::text and a.after ->> 'opted_out_at' is null
           and a.before ->> 'opt_out_reason' = 'word:sair'), 1, 'and the opt-in is in the audit log');

select pg_temp.say('Line A', '+5511987650002', 'wamid.10', 'stop', 'out');
select is((pg_temp.contact('tenant-a', '+5511987650002')).opted_out_at, null, 'the company''s own message never opts a contact out');
select pg_temp.say('Line A', '+5511987650002', 'wamid.11', 'stop');
select pg_temp.say('Line A', '+5511987650002', 'wamid.12', 'start');
select is((pg_temp.contact('tenant-a', '+5511987650002')).opted_out_at, null, 'the last word counts');

-- ─── the company's words ─────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select lives_ok(format($$ insert into public.responder_settings (tenant_id, opt_out_words, opt_in_words)
  values (%L, array['Não quero mais', 'NÃO QUERO MAIS', 'sair'], array['Quero voltar']) $$, tests.tenant_id('tenant-a')),
  'an owner sets the company''s words');
select is((select opt_out_words from public.responder_settings where inbox_id is null), array['nao quero mais', 'sair'],
  'kept folded and once');
select throws_ok($$ update public.responder_settings set opt_in_words = array['SAIR'] where inbox_id is null $$,
  '23514', null, 'a word cannot both opt out and opt in');
select throws_ok($$ update public.responder_settings set opt_out_words = array[' !! '] where inbox_id is null $$,
  '23514', null, 'a word that is only spaces or punctuation is refused');
select tests.authenticate_as('admin_a');
select lives_ok(format($$ insert into public.responder_settings (tenant_id, inbox_id, opt_out_words) values (%L, %L, array['chega']) $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('Custom line')), 'an admin gives an inbox words of its own');
select tests.authenticate_as('member_a');
update public.responder_settings set opt_out_words = array['tchau'] where inbox_id is null;
select is((select opt_out_words from public.responder_settings where inbox_id is null), array['nao quero mais', 'sair'],
  'a member cannot change the words');

select tests.authenticate_as_service_role();
select pg_temp.say('Line A', '+5511987650003', 'wamid.20', 'Nao quero mais.');
select is((pg_temp.contact('tenant-a', '+5511987650003')).opt_out_reason, 'word:nao quero mais', 'the company''s words opt out');
select pg_temp.say('Line A', '+5511987650004', 'wamid.30', 'stop');
select is((pg_temp.contact('tenant-a', '+5511987650004')).opted_out_at, null, 'the built-in words no longer do once the company chose its own');
select pg_temp.say('Custom line', '+5511987650005', 'wamid.40', 'Chega!');
select is((pg_temp.contact('tenant-a', '+5511987650005')).opt_out_reason, 'word:chega', 'an inbox''s own words win');
select pg_temp.say('Line B', '+5511987650006', 'wamid.50', 'Nao quero mais');
select is((pg_temp.contact('tenant-b', '+5511987650006')).opted_out_at, null, 'another company''s words do not apply');

-- ─── the bot answers nothing to them ─────────────────────────────────────────────────────────
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk');
insert into public.responder_settings (tenant_id, inbox_id, team_id, opt_out_words, opt_in_words)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Bot line'), tests.team_id('Front desk'), array['sair'], array['voltar']);
select pg_temp.say('Bot line', '+5511987650007', 'wamid.60', 'SAIR');
select is((select count(*)::int from private.conversation_turns where conversation_id = tests.conversation_id('Bot line', '+5511987650007')), 0,
  'an opt-out word opens no turn: the bot answers nothing');
select is((pg_temp.contact('tenant-a', '+5511987650007')).opt_out_reason, 'word:sair', 'and the contact is opted out');
select pg_temp.say('Bot line', '+5511987650007', 'wamid.61', 'voltar.');
select is((select count(*)::int from private.conversation_turns where conversation_id = tests.conversation_id('Bot line', '+5511987650007')), 0,
  'nor does an opt-in word');
select pg_temp.say('Bot line', '+5511987650007', 'wamid.62', 'Quero sair do plano anual');
select is((select string_agg(status, ',') from private.conversation_turns where conversation_id = tests.conversation_id('Bot line', '+5511987650007')),
  'collecting', 'a message that only mentions the word is answered');
select is((pg_temp.contact('tenant-a', '+5511987650007')).opted_out_at, null, 'and opts nobody out');

-- ─── people opt a contact out and back in ────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(format($$ update public.contacts set opted_out_at = '2030-01-01', opt_out_reason = 'Pediu por telefone' where id = %L $$,
  tests.contact_id('tenant-a', '+5511987650004')), 'a member opts a contact out');
select is((pg_temp.contact('tenant-a', '+5511987650004')).opted_out_at, now(), 'as of now, whatever date was sent');
select tests.authenticate_as('owner_a');
select is((select a.actor_id from public.audit_log a where a.table_name = 'contacts' and a.action = 'update'
           and a.record_id = tests.contact_id('tenant-a', '+5511987650004')::text order by a.id desc limit 1),
  tests.get_supabase_uid('member_a'), 'recorded with who did it');
select tests.authenticate_as('member_a');
select throws_ok(format($$ update public.contacts set opt_out_reason = 'x' where id = %L $$, tests.contact_id('tenant-a', '+5511987650001')),
  '23514', null, 'a reason without an opt-out is refused');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.contacts where opted_out_at is not null), 3, 'an analyst sees who opted out');
update public.contacts set opted_out_at = null where id = tests.contact_id('tenant-a', '+5511987650004');
select isnt((pg_temp.contact('tenant-a', '+5511987650004')).opted_out_at, null, 'but cannot bring a contact back');
select tests.authenticate_as('member_b');
update public.contacts set opted_out_at = null where id = tests.contact_id('tenant-a', '+5511987650004');
select is((select count(*)::int from public.contacts where opted_out_at is not null), 0, 'another company''s member sees none of them');
select tests.authenticate_as('platform_admin');
update public.contacts set opted_out_at = null where id = tests.contact_id('tenant-a', '+5511987650004');
select tests.clear_authentication();
select throws_ok($$ update public.contacts set opted_out_at = null $$, '42501', null, 'anon cannot');
select tests.authenticate_as_service_role();
select isnt((pg_temp.contact('tenant-a', '+5511987650004')).opted_out_at, null, 'neither they nor a platform admin changed it');
select tests.authenticate_as('member_a');
update public.contacts set opted_out_at = null where id = tests.contact_id('tenant-a', '+5511987650004');
select is((pg_temp.contact('tenant-a', '+5511987650004')).opted_out_at, null, 'a member brings a contact back');
select is((pg_temp.contact('tenant-a', '+5511987650004')).opt_out_reason, null, 'and the reason goes');

-- ─── blocked contacts ────────────────────────────────────────────────────────────────────────
update public.contacts set status = 'blocked' where id = tests.contact_id('tenant-a', '+5511987650004');
select tests.authenticate_as_service_role();
select ok(not private.accepts_proactive_messages(pg_temp.contact('tenant-a', '+5511987650004')), 'a blocked contact gets no proactive message either');

select * from finish();
rollback;
