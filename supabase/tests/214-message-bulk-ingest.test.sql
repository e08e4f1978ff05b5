-- One bulk INSERT … SELECT of messages spanning companies, inboxes with different responders and
-- conversations in different hands does, per conversation and contact, what the same messages
-- one at a time do (20261122008000 asks who answers once per statement): a turn opens only where
-- the bot answers, covering the contact's messages of that conversation; the last opt word of each
-- contact decides, by its own inbox's words; consumption counts every message. The set form of
-- the responder hook answers what the per-conversation hook answers. A message must be its
-- conversation's (company, inbox, contact: one key, 20261122008010), and deleting a contact or an
-- inbox still takes its messages.
begin;
-- Consumption is folded in as a transaction commits (20261122009600); this test reads it inside its own.
set constraints private.consumption_pending_apply immediate;
set search_path to public, extensions, tests;

select plan(21);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Bot line', null, '{"zapi_instance_id": "bot-line"}',
  '{"instance_token": "zapi-instance-bot", "client_token": "zapi-client-bot"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'People line', null, '{"zapi_instance_id": "people-line"}',
  '{"instance_token": "zapi-instance-p", "client_token": "zapi-client-p"}');
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Word line', null, '{"zapi_instance_id": "word-line"}',
  '{"instance_token": "zapi-instance-w", "client_token": "zapi-client-w"}');
select public.create_inbox(tests.tenant_id('tenant-b'), 'zapi', 'Line B', null, '{"zapi_instance_id": "line-b"}',
  '{"instance_token": "zapi-instance-b", "client_token": "zapi-client-b"}');
reset role;
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Receptionist', 'demo-small', 'active');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Front desk');
insert into public.team_agents (team_id, agent_id, role, execution_order, input, conditions)
values (tests.team_id('Front desk'), tests.agent_id('Receptionist'), 'member', 1, '{"source": "initial_prompt"}', '[]');
-- Bot line: the company's default (the front desk answers); People line: nobody; Word line: nobody, its own words.
insert into public.responder_settings (tenant_id, team_id) values (tests.tenant_id('tenant-a'), tests.team_id('Front desk'));
insert into public.responder_settings (tenant_id, inbox_id, team_id) values (tests.tenant_id('tenant-a'), tests.inbox_id('People line'), null);
insert into public.responder_settings (tenant_id, inbox_id, team_id, opt_out_words, opt_in_words)
values (tests.tenant_id('tenant-a'), tests.inbox_id('Word line'), null, array['basta'], array['volto']);

-- One conversation per (inbox, phone); Bia's on the bot line is held by nobody (unassigned).
insert into public.contacts (tenant_id, phone)
select i.tenant_id, p.phone
from public.inboxes i join (values ('Bot line', '+5511977770001'), ('Bot line', '+5511977770002'), ('Bot line', '+5511977770003'),
                                   ('People line', '+5511977770004'), ('Word line', '+5511977770005'), ('Word line', '+5511977770006'),
                                   ('Line B', '+5511977770007')) p (inbox, phone) on p.inbox = i.display_name;
insert into public.conversations (tenant_id, inbox_id, contact_id)
select c.tenant_id, i.id, c.id from public.contacts c join public.inboxes i on i.tenant_id = c.tenant_id
where (i.display_name, c.phone) in (('Bot line', '+5511977770001'), ('Bot line', '+5511977770002'), ('Bot line', '+5511977770003'),
                                    ('People line', '+5511977770004'), ('Word line', '+5511977770005'), ('Word line', '+5511977770006'),
                                    ('Line B', '+5511977770007'));
update public.conversations set assignee = 'unassigned' where id = tests.conversation_id('Bot line', '+5511977770002');

-- ─── who answers, for many conversations at once ─────────────────────────────────────────────
select is(
  (select array_agg(coalesce((s.settings).team_id::text, 'nobody') || '/' || (s.settings).opt_out_words::text order by s.conversation_id)
   from private.responder_settings_for_conversations(array(select id from public.conversations) || gen_random_uuid()) s),
  (select array_agg(coalesce((private.responder_settings_for_conversation(c)).team_id::text, 'nobody') || '/'
                    || (private.responder_settings_for_conversation(c)).opt_out_words::text order by c.id)
   from public.conversations c),
  'responder_settings_for_conversations answers each conversation as the per-conversation hook does (and nothing for an unknown id)');

-- ─── one statement, several conversations ────────────────────────────────────────────────────
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, body, status)
select c.tenant_id, c.inbox_id, c.id, c.contact_id, m.idx, m.direction::message_direction,
       case when m.direction = 'in' then 'user' else 'assistant' end::message_role, 'text', m.body,
       case when m.direction = 'in' then 'received' else 'sent' end::message_status
from (values ('Bot line', '+5511977770001', 1, 'in', 'Oi'), ('Bot line', '+5511977770001', 2, 'in', 'quanto custa?'),
             ('Bot line', '+5511977770001', 3, 'out', 'Um momento'), ('Bot line', '+5511977770001', 4, 'in', 'e o anual?'),
             ('Bot line', '+5511977770002', 1, 'in', 'Oi'),
             ('Bot line', '+5511977770003', 1, 'in', 'Sair'), ('Bot line', '+5511977770003', 2, 'in', ' Voltar! '),
             ('People line', '+5511977770004', 1, 'in', 'STOP'), ('People line', '+5511977770004', 2, 'in', 'ok'),
             ('Word line', '+5511977770005', 1, 'in', 'Parar'),
             ('Word line', '+5511977770006', 1, 'in', 'volto'), ('Word line', '+5511977770006', 2, 'in', 'Básta.'),
             ('Line B', '+5511977770007', 1, 'in', 'sair')) m (inbox, phone, idx, direction, body)
join public.conversations c on c.id = tests.conversation_id(m.inbox, m.phone);

select is((select count(*)::int from private.conversation_turns), 1, 'one turn opens in the whole batch');
select is((select t.conversation_id from private.conversation_turns t), tests.conversation_id('Bot line', '+5511977770001'),
  'in the one conversation the bot answers that holds messages other than words');
select is((select t.first_message_index || '-' || t.last_message_index || ' ' || t.status from private.conversation_turns t),
  '1-4 collecting', 'covering the contact''s messages of that conversation');
select is((select c.assignee::text from public.conversations c where c.id = tests.conversation_id('Bot line', '+5511977770002')), 'unassigned',
  'a conversation nobody holds stays so');

select is((select opted_out_at from public.contacts where id = tests.contact_id('tenant-a', '+5511977770003')), null,
  'opt-out then opt-in in one batch: the later word decides');
select is((select opt_out_reason from public.contacts where id = tests.contact_id('tenant-a', '+5511977770004')), 'word:stop',
  'a word before another text still opts out (the inbox nobody answers uses the company''s words)');
select is((select opted_out_at from public.contacts where id = tests.contact_id('tenant-a', '+5511977770005')), null,
  'an inbox with its own words does not take the built-in ones');
select is((select opt_out_reason from public.contacts where id = tests.contact_id('tenant-a', '+5511977770006')), 'word:basta',
  'but its own, folded');
select is((select opt_out_reason from public.contacts where id = tests.contact_id('tenant-b', '+5511977770007')), 'word:sair',
  'another company''s contact in the same statement');

select is(
  (select array_agg(d.messages_in || '/' || d.messages_out order by i.display_name) from public.consumption_inbox_daily d
   join public.inboxes i on i.id = d.inbox_id where d.messages_in + d.messages_out > 0),
  array['6/1', '1/0', '2/0', '3/0'], 'consumption counts every message of the batch in its inbox (Bot, B, People, Word)');

-- ─── the same texts one statement each: the same outcome ─────────────────────────────────────
delete from private.conversation_turns;
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, body, status)
select c.tenant_id, c.inbox_id, c.id, c.contact_id, 10, 'in', 'user', 'text', 'mais uma', 'received'
from public.conversations c where c.id = tests.conversation_id('Bot line', '+5511977770001');
insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, type, body, status)
select c.tenant_id, c.inbox_id, c.id, c.contact_id, 10, 'in', 'user', 'text', 'mais uma', 'received'
from public.conversations c where c.id = tests.conversation_id('People line', '+5511977770004');
select is((select string_agg(t.conversation_id::text, ',') from private.conversation_turns t),
  tests.conversation_id('Bot line', '+5511977770001')::text, 'a single message opens a turn where the bot answers only');

-- ─── a message is its conversation's ─────────────────────────────────────────────────────────
select is(tests.raised(format($$ insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
                                 values (%L, %L, %L, %L, 20, 'in', 'user', 'received') $$,
  tests.tenant_id('tenant-b'), tests.inbox_id('Bot line'), tests.conversation_id('Bot line', '+5511977770001'), tests.contact_id('tenant-a', '+5511977770001'))) ->> 'state',
  '23503', 'a message naming another company than its conversation''s is refused');
select is(tests.raised(format($$ insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
                                 values (%L, %L, %L, %L, 20, 'in', 'user', 'received') $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('People line'), tests.conversation_id('Bot line', '+5511977770001'), tests.contact_id('tenant-a', '+5511977770001'))) ->> 'state',
  '23503', 'another inbox than its conversation''s');
select is(tests.raised(format($$ insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
                                 values (%L, %L, %L, %L, 20, 'in', 'user', 'received') $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('Bot line'), tests.conversation_id('Bot line', '+5511977770001'), tests.contact_id('tenant-a', '+5511977770002'))) ->> 'state',
  '23503', 'another contact than its conversation''s');
select is(tests.raised(format($$ insert into public.messages (tenant_id, inbox_id, conversation_id, contact_id, message_index, direction, role, status)
                                 values (%L, %L, gen_random_uuid(), %L, 20, 'in', 'user', 'received') $$,
  tests.tenant_id('tenant-a'), tests.inbox_id('Bot line'), tests.contact_id('tenant-a', '+5511977770001'))) ->> 'state',
  '23503', 'or a conversation that does not exist');

-- ─── deletes still take the messages ─────────────────────────────────────────────────────────
create temporary table doomed as
select tests.contact_id('tenant-a', '+5511977770003') as contact_id, tests.conversation_id('Bot line', '+5511977770003') as conversation_id,
       tests.inbox_id('Word line') as inbox_id, tests.tenant_id('tenant-b') as tenant_id;
select is((select count(*)::int from public.messages where contact_id = (select contact_id from doomed)), 2, 'the contact has two messages');
delete from public.contacts where id = (select contact_id from doomed);
select is((select count(*)::int from public.messages where contact_id = (select contact_id from doomed)
           or conversation_id = (select conversation_id from doomed)), 0,
  'deleting a contact deletes its messages, through its conversation');
delete from public.inboxes where id = (select inbox_id from doomed);
select is((select count(*)::int from public.messages where inbox_id = (select inbox_id from doomed)), 0, 'deleting an inbox deletes its messages');
select is((select count(*)::int from public.messages where tenant_id = tests.tenant_id('tenant-a')), 9, 'and no others');
delete from public.tenants where id = (select tenant_id from doomed);
select is((select count(*)::int from public.messages where tenant_id = (select tenant_id from doomed)), 0, 'deleting a company deletes its messages');

select * from finish();
rollback;
