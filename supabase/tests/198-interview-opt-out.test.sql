-- Interview opt-out: when a contact opts out (their own word, or a person who handles
-- conversations), their interviews that have not ended (pending, invited, in_progress) are
-- cancelled at once with the reason contact_opted_out and ended_at, recorded in the audit log;
-- completed and expired ones are left; opting back in revives nothing; the same phone number in
-- another company keeps its interviews.
begin;
set search_path to public, extensions, tests;

select plan(8);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
reset role;
insert into public.projects (tenant_id, name, invitation_text, questions)
select t.id, t.slug || ' ' || p.name, 'Olá!', '[{"id": "why", "text": "Por quê?", "answer_type": "free_text"}]'
from public.tenants t cross join (values ('P1'), ('P2'), ('P3'), ('P4'), ('P5')) p (name)
where t.slug in ('tenant-a', 'tenant-b');
insert into public.contacts (tenant_id, phone) values
  (tests.tenant_id('tenant-a'), '+5511976540001'), (tests.tenant_id('tenant-a'), '+5511976540002'),
  (tests.tenant_id('tenant-b'), '+5511976540001');

create function pg_temp.interview(tenant text, project text, phone text, wanted text) returns void
language sql as $$
  insert into public.interviews (tenant_id, project_id, contact_id, status, invited_at, started_at, completed_at, ended_at)
  select tests.tenant_id(tenant), p.id, tests.contact_id(tenant, phone), wanted::public.interview_status,
         case when wanted <> 'pending' then now() - interval '1 day' end,
         case when wanted in ('in_progress', 'completed') then now() - interval '1 day' end,
         case when wanted = 'completed' then now() - interval '1 hour' end,
         case when wanted = 'expired' then now() - interval '1 hour' end
  from public.projects p where p.name = tenant || ' ' || project
$$;
select pg_temp.interview('tenant-a', 'P1', '+5511976540001', 'pending');
select pg_temp.interview('tenant-a', 'P2', '+5511976540001', 'invited');
select pg_temp.interview('tenant-a', 'P3', '+5511976540001', 'in_progress');
select pg_temp.interview('tenant-a', 'P4', '+5511976540001', 'completed');
select pg_temp.interview('tenant-a', 'P5', '+5511976540001', 'expired');
select pg_temp.interview('tenant-a', 'P1', '+5511976540002', 'in_progress');
select pg_temp.interview('tenant-b', 'P1', '+5511976540001', 'invited');
select pg_temp.interview('tenant-b', 'P2', '+5511976540001', 'in_progress');

-- (project, status, cancel_reason, ended) of a contact's interviews, in project order.
create function pg_temp.interviews_of(tenant text, phone text) returns text
language sql volatile as $$
  select string_agg(format('%s %s %s %s', split_part(p.name, ' ', 2), i.status, coalesce(i.cancel_reason, '-'),
                           case when i.ended_at = now() then 'now' when i.ended_at is null then '-' else 'before' end), ', ' order by p.name)
  from public.interviews i join public.projects p on p.id = i.project_id
  where i.contact_id = tests.contact_id(tenant, phone)
$$;
create function pg_temp.say(phone text, provider_id text, body text) returns jsonb
language sql as $$
  select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', phone, 'contact_name', 'Maria Souza',
    'direction', 'in', 'role', 'user', 'type', 'text', 'body', body, 'provider_message_id', provider_id))
$$;

-- ─── the contact writes the opt-out word ─────────────────────────────────────────────────────
select pg_temp.say('+5511976540001', 'wamid.1', 'Quero sair da lista');
select is(pg_temp.interviews_of('tenant-a', '+5511976540001'),
  'P1 pending - -, P2 invited - -, P3 in_progress - -, P4 completed - -, P5 expired - before', 'a sentence with the word cancels nothing');
select pg_temp.say('+5511976540001', 'wamid.2', 'SAIR');
select is(pg_temp.interviews_of('tenant-a', '+5511976540001'),
  'P1 cancelled contact_opted_out now, P2 cancelled contact_opted_out now, P3 cancelled contact_opted_out now, P4 completed - -, P5 expired - before',
  'the opt-out word cancels the pending, invited and in-progress interviews, and leaves the completed and expired ones');
select is((select count(*)::int from public.audit_log a where a.table_name = 'interviews' and a.action = 'update'
           and a.after ->> 'cancel_reason' = 'contact_opted_out' and a.before ->> 'status' in ('pending', 'invited', 'in_progress')), 3,
  'each cancellation is in the audit log');
select is(pg_temp.interviews_of('tenant-a', '+5511976540002'), 'P1 in_progress - -', 'another contact''s interview goes on');
select is(pg_temp.interviews_of('tenant-b', '+5511976540001'), 'P1 invited - -, P2 in_progress - -',
  'the same number in another company keeps its interviews');

-- ─── opting back in revives nothing ──────────────────────────────────────────────────────────
select pg_temp.say('+5511976540001', 'wamid.3', 'Voltar');
select is((select c.opted_out_at from public.contacts c where c.id = tests.contact_id('tenant-a', '+5511976540001')), null, 'the contact is back');
select is(pg_temp.interviews_of('tenant-a', '+5511976540001'),
  'P1 cancelled contact_opted_out now, P2 cancelled contact_opted_out now, P3 cancelled contact_opted_out now, P4 completed - -, P5 expired - before',
  'and the cancelled interviews stay cancelled');

-- ─── a member opts a contact out ─────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
update public.contacts set opted_out_at = now(), opt_out_reason = 'Pediu por telefone' where id = tests.contact_id('tenant-a', '+5511976540002');
reset role;
select is(pg_temp.interviews_of('tenant-a', '+5511976540002'), 'P1 cancelled contact_opted_out now',
  'a member who opts a contact out cancels their interview (the member cannot write interviews themselves)');

select * from finish();
rollback;
