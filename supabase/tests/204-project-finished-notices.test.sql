-- Project finished notices (20261122004090): private.notice_finished_projects, run by pg_cron each
-- minute, tells a launched project's people (project_finished: owners and admins by default) once
-- every interview of the project has ended, with how they ended; once per ending, again after a new
-- launch ends; never a draft, never a project with an interview still open; only the service side
-- runs it.
--
-- Cast: tenant A (owner_a, admin_a, member_a), tenant B (owner_b), the service role as pg_cron.
begin;
set search_path to public, extensions, tests;

select plan(10);

select tests.create_two_tenants();
reset role;
-- 'Pesquisa' was launched and is paused now (an active one needs an inbox, beside the point here).
insert into public.projects (tenant_id, name, invitation_text, questions, status)
select t.id, p.name, 'Olá!', '[{"id": "why", "text": "Por quê?", "answer_type": "free_text"}]', p.status::public.project_status
from public.tenants t cross join (values ('Pesquisa', 'paused'), ('Rascunho', 'draft')) p (name, status)
where t.slug in ('tenant-a', 'tenant-b');
insert into public.contacts (tenant_id, phone) values
  (tests.tenant_id('tenant-a'), '+5511976540001'), (tests.tenant_id('tenant-a'), '+5511976540002'),
  (tests.tenant_id('tenant-a'), '+5511976540003'), (tests.tenant_id('tenant-b'), '+5511976540001');

create function pg_temp.interview(tenant text, project text, phone text, wanted text) returns void
language sql as $$
  insert into public.interviews (tenant_id, project_id, contact_id, status, invited_at, started_at, completed_at, ended_at)
  select tests.tenant_id(tenant), p.id, tests.contact_id(tenant, phone), wanted::public.interview_status,
         case when wanted <> 'pending' then now() - interval '1 day' end,
         case when wanted in ('in_progress', 'completed') then now() - interval '1 day' end,
         case when wanted = 'completed' then now() - interval '1 hour' end,
         case when wanted = 'expired' then now() - interval '1 hour' end
  from public.projects p where p.tenant_id = tests.tenant_id(tenant) and p.name = project
$$;
select pg_temp.interview('tenant-a', 'Pesquisa', '+5511976540001', 'completed');
select pg_temp.interview('tenant-a', 'Pesquisa', '+5511976540002', 'in_progress');
select pg_temp.interview('tenant-a', 'Rascunho', '+5511976540001', 'expired');
select pg_temp.interview('tenant-b', 'Pesquisa', '+5511976540001', 'completed');

create function pg_temp.told(tenant text) returns text[]
language sql stable as $$
  select coalesce(array_agg(format('%s:%s/%s/%s/%s', n.payload ->> 'project_name', n.payload ->> 'interviews', n.payload ->> 'completed',
                                   n.payload ->> 'expired', n.payload ->> 'cancelled') order by n.created_at, n.recipient_user_id), '{}')
  from public.notifications n where n.tenant_id = tests.tenant_id(tenant) and n.event = 'project_finished'
$$;

-- ─── who may run it ──────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok($$ select private.notice_finished_projects() $$, '42501', null, 'a person cannot run the sweep');

-- ─── once every interview ended ──────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is(private.notice_finished_projects(), 1, 'the sweep tells the one launched project whose interviews all ended');
reset role;
select is(pg_temp.told('tenant-b'), array['Pesquisa:1/1/0/0'], 'tenant B''s owner hears how its interviews ended');
select is(pg_temp.told('tenant-a'), '{}'::text[], 'a project with an interview in progress is not finished, and a draft is never told');

update public.interviews set status = 'completed', completed_at = now()
where contact_id = tests.contact_id('tenant-a', '+5511976540002');
select tests.authenticate_as_service_role();
select is(private.notice_finished_projects(), 1, 'once its last interview ends, the project is told');
reset role;
select is(pg_temp.told('tenant-a'), array['Pesquisa:2/2/0/0', 'Pesquisa:2/2/0/0'], 'its owner and admin hear it (the default rule), not the member');
select is(
  (select array_agg(distinct n.channels::text) from public.notifications n where n.event = 'project_finished'),
  array['{whatsapp,sms,email}'], 'through the fallback: WhatsApp, then SMS, then e-mail');
select tests.authenticate_as_service_role();
select is(private.notice_finished_projects(), 0, 'a finished project is told once');

-- ─── a new launch ends again ─────────────────────────────────────────────────────────────────
reset role;
select pg_temp.interview('tenant-a', 'Pesquisa', '+5511976540003', 'pending');
update public.interviews set status = 'cancelled', ended_at = now() + interval '1 second', cancel_reason = 'no time'
where contact_id = tests.contact_id('tenant-a', '+5511976540003');
select tests.authenticate_as_service_role();
select is(private.notice_finished_projects(), 1, 'interviews launched later and ended make a new notice');

reset role;
select ok(exists (select from cron.job where jobname = 'renum-notice-finished-projects' and schedule = '* * * * *' and active),
  'pg_cron runs the sweep every minute');

select * from finish();
rollback;
