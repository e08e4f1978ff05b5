-- Business-phone echoes (20261122001910): a message the company sent from the WhatsApp app on the
-- inbox's own number is recorded `out` / `human` and takes the conversation from the bot, as a
-- member's takeover does: the open turn ends handed_off (a run in flight is stopped by the next
-- pass), no turn opens for it nor for the contact's next messages; a conversation a member holds
-- keeps its member; the bot's own replies and people's replies from the inbox are never echoes;
-- Z-API's copy of our own API send (`fromApi`) is skipped, not recorded a second time.
begin;
set search_path to public, extensions, tests;

select plan(14);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Echo line', null, '{"zapi_instance_id": "echo-line"}',
  '{"instance_token": "zapi-instance-e", "client_token": "zapi-client-e"}');
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Receptionist', 'demo-small', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Front desk'), tests.agent_id('Receptionist'), 'member', 1, '{"source": "initial_prompt"}', '[]');
update public.tenants set plan = 'enterprise' where slug = 'tenant-a';
insert into public.responder_settings (tenant_id, team_id) values (tests.tenant_id('tenant-a'), tests.team_id('Front desk'));

select tests.authenticate_as_service_role();
-- What the parsers make of a contact's message and of one sent from the business's phone.
create function pg_temp.say(phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id('Echo line'), jsonb_build_object('contact_phone', phone, 'contact_name', 'Maria Souza',
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
create function pg_temp.echo(phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id('Echo line'), jsonb_build_object('contact_phone', phone,
    'direction', 'out', 'role', 'human', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;
create function pg_temp.turns(phone text) returns text
language sql as $$
  select coalesce(string_agg(t.status, ',' order by t.created_at, t.status), '')
  from private.conversation_turns t where t.conversation_id = tests.conversation_id('Echo line', phone)
$$;
create function pg_temp.held_by(phone text) returns text
language sql as $$
  select assignee || '/' || status from public.conversations where id = tests.conversation_id('Echo line', phone)
$$;

-- ─── the person answers from the phone while the bot waits ───────────────────────────────────
select pg_temp.say('+5511987650001', 'Z-IN-1', 'Oi, quanto custa?');
select is(pg_temp.turns('+5511987650001'), 'collecting', 'the contact''s message opens a turn');
select pg_temp.echo('+5511987650001', 'Z-ECHO-1', 'Oi Maria, é o João da loja');
select is((select direction || '/' || role || '/' || status || '/' || message_index from public.messages
           where provider_message_id = 'Z-ECHO-1'), 'out/human/sent/2', 'the echo is the conversation''s next message, outgoing, by a person');
select is(pg_temp.held_by('+5511987650001'), 'unassigned/open', 'the conversation leaves the bot');
select is(pg_temp.turns('+5511987650001'), 'handed_off', 'its open turn ends handed off, no turn opens for the echo');
select is(private.start_due_turns(now() + interval '10 seconds'), 0, 'so no run starts when the turn would have been due');
select pg_temp.say('+5511987650001', 'Z-IN-2', 'E o prazo?');
select is(pg_temp.turns('+5511987650001'), 'handed_off', 'nor for the contact''s next message: the bot stays paused');
select is((select unread_count from public.conversations where id = tests.conversation_id('Echo line', '+5511987650001')), 2,
  'the echo is not an unread message');

-- ─── while the bot's run is in flight ────────────────────────────────────────────────────────
select pg_temp.say('+5511987650002', 'Z-IN-20', 'Oi');
select is(private.start_due_turns(now() + interval '10 seconds'), 1, 'the due turn starts its run');
create temporary table in_flight as
  select execution_id from private.conversation_turns where conversation_id = tests.conversation_id('Echo line', '+5511987650002');
select pg_temp.echo('+5511987650002', 'Z-ECHO-20', 'Deixa comigo');
select private.start_due_turns(now() + interval '10 seconds');
select is((select status from public.executions where id = (select execution_id from in_flight)), 'cancelled'::execution_status,
  'an echo during the run stops it on the next pass, so its answer is never sent');

-- ─── the business writes first ───────────────────────────────────────────────────────────────
select pg_temp.echo('+5511987650003', 'Z-ECHO-30', 'Olá! Seu pedido chegou.');
select is(pg_temp.held_by('+5511987650003') || '|' || pg_temp.turns('+5511987650003'), 'unassigned/open|',
  'a conversation the business opened from its phone is the person''s, with no turn');

-- ─── not echoes ──────────────────────────────────────────────────────────────────────────────
select pg_temp.say('+5511987650004', 'Z-IN-40', 'Oi');
select private.append_outbound_message(tests.conversation_id('Echo line', '+5511987650004'), 'assistant', 'Olá! Como posso ajudar?');
select is(pg_temp.held_by('+5511987650004'), 'bot/open', 'the bot''s own reply leaves the conversation with the bot');
select pg_temp.say('+5511987650005', 'Z-IN-50', 'Oi');
update public.conversations set assignee = 'member', assignee_user_id = tests.get_supabase_uid('member_a')
where id = tests.conversation_id('Echo line', '+5511987650005');
select pg_temp.echo('+5511987650005', 'Z-ECHO-50', 'Sou eu de novo');
select is(pg_temp.held_by('+5511987650005'), 'member/open', 'a conversation a member holds keeps its member');
reset role;  -- the parsers are the processing's, run here as their owner
select is(private.parse_zapi_webhook('{"type": "ReceivedCallback", "messageId": "Z-API-1", "phone": "5511987650004", "fromMe": true,
  "fromApi": true, "momment": 1700000000000, "text": {"message": "Olá! Como posso ajudar?"}}') -> 'skipped',
  '[{"reason": "sent_by_us"}]', 'Z-API''s copy of our own send through its API is skipped');
select is(private.parse_zapi_webhook('{"type": "ReceivedCallback", "messageId": "Z-PHONE-1", "phone": "5511987650004", "fromMe": true,
  "fromApi": false, "momment": 1700000000000, "text": {"message": "Oi"}}') #>> '{messages,0,role}',
  'human', 'while one typed on the phone is a person''s message');

select * from finish();
rollback;
