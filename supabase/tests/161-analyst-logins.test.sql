-- Analyst logins: owners and admins of a company create SQL logins for its analysts (password shown
-- once; limits and timeouts set on the role) and revoke them (the role is dropped), both audited;
-- nobody else can. A login reads only its own company's rows of the analytics views, and every
-- other thing it might try is refused: the materialized views, the refresh tables, public,
-- private, auth and vault, any write, creating objects. (Connecting for real with the password,
-- becoming another role, and a revoked login no longer connecting: api/routes/analytics.test.ts.)
begin;
set search_path to public, extensions, tests;

select plan(52);

select tests.create_two_tenants();
reset role;
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Alpha'), (tests.tenant_id('tenant-b'), 'Beta');
insert into public.executions (tenant_id, team_id, status, workflow_type, initial_prompt, team_config, created_at)
select tests.tenant_id(slug), tests.team_id(team), 'completed', 'sequential', 'run ' || n, '{"timeout_seconds": 10}', '2026-11-10'::date + n
from (values ('tenant-a', 'Alpha'), ('tenant-b', 'Beta')) t(slug, team), generate_series(0, case when slug = 'tenant-a' then 2 else 0 end) n;
select analytics.refresh(view_name) from analytics.refresh_schedule;

-- The logins made below, by who made them.
create temporary table made (maker text primary key, role_name text, password text);
grant all on made to authenticated;
-- Runs a statement as a login (pgTAP itself lives where a login cannot go): its SQLSTATE, or 'ok';
-- and a query's one value as a login.
create function pg_temp.attempt_as(maker text, statement text) returns text
language plpgsql as $$
declare
  login text := coalesce((select m.role_name from made m where m.maker = attempt_as.maker), maker);
  outcome text := 'ok';
begin
  execute format('grant %I to postgres', login);
  execute format('set local role %I', login);
  begin
    execute statement;
  exception when others then
    outcome := sqlstate;
  end;
  reset role;
  return outcome;
end;
$$;
create function pg_temp.value_as(maker text, query text) returns text
language plpgsql as $$
declare
  login text := coalesce((select m.role_name from made m where m.maker = value_as.maker), maker);
  answer text;
begin
  execute format('grant %I to postgres', login);
  execute format('set local role %I', login);
  execute query into answer;
  reset role;
  return answer;
end;
$$;

-- ─── creating ────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
insert into made select 'owner_a', l.role_name, l.password from public.create_analyst_login(tests.tenant_id('tenant-a')) l;
select matches((select role_name from made where maker = 'owner_a'), '^renum_analyst_[0-9a-f]{12}$', 'an owner creates a login; its name says nothing of the company');
select ok((select char_length(password) = 32 from made where maker = 'owner_a'), 'and gets a 32-character password, once');
select tests.authenticate_as('admin_a');
insert into made select 'admin_a', l.role_name, l.password from public.create_analyst_login(tests.tenant_id('tenant-a'), 2, 5000) l;
select is((select count(*)::int from made), 2, 'an admin creates one too');
select tests.authenticate_as('owner_b');
insert into made select 'owner_b', l.role_name, l.password from public.create_analyst_login(tests.tenant_id('tenant-b')) l;
select is(tests.error_code(format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-a'))), 'analyst_logins_by_managers',
  'another company''s owner cannot create one for tenant A');
select tests.authenticate_as('member_a');
select is(tests.raised(format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-a'))),
  '{"state": "42501", "code": "analyst_logins_by_managers", "detail": null}'::jsonb, 'a member cannot');
select tests.authenticate_as('analyst_a');
select is(tests.error_code(format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-a'))), 'analyst_logins_by_managers', 'nor can an analyst');
select tests.authenticate_as('platform_admin');
select is(tests.error_code(format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-a'))), 'analyst_logins_by_managers', 'nor a platform admin');
select tests.authenticate_as('owner_a');
select is((tests.raised(format('select public.create_analyst_login(%L, 50)', tests.tenant_id('tenant-a'))) ->> 'state'), '23514',
  'a connection limit out of range is refused by its check');
select tests.clear_authentication();
select throws_ok(format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-a')), '42501', null, 'anon cannot');

-- ─── the role as made ────────────────────────────────────────────────────────────────────────
reset role;
select is((select row(r.rolcanlogin, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolinherit, r.rolbypassrls, r.rolreplication, r.rolconnlimit)::text
           from pg_roles r join made m on m.role_name = r.rolname where m.maker = 'owner_a'),
  '(t,f,f,f,t,f,f,5)', 'a plain login: no superuser, role or database creation, bypassrls or replication; 5 connections');
select is((select r.rolconfig from pg_roles r join made m on m.role_name = r.rolname where m.maker = 'admin_a'),
  array['statement_timeout=5000', 'idle_in_transaction_session_timeout=60000', 'default_transaction_read_only=on', 'search_path=analytics'],
  'its statement timeout, idle timeout, read-only transactions and the analytics schema are set on the role');
select is((select array_agg(g.rolname::text) from pg_auth_members am join pg_roles g on g.oid = am.roleid join made m on am.member = (select oid from pg_roles where rolname = m.role_name)
           where m.maker = 'owner_a'), array['renum_analyst'], 'its one group is renum_analyst');

-- ─── who sees the logins ─────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is((select count(*)::int from public.analyst_logins), 2, 'an owner lists the company''s logins');
select tests.authenticate_as('admin_a');
select is((select count(*)::int from public.analyst_logins), 2, 'so does an admin');
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.analyst_logins), 0, 'a member sees none');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.analyst_logins), 0, 'an analyst sees none');
select tests.authenticate_as('owner_b');
select is((select array_agg(tenant_id) from public.analyst_logins), array[tests.tenant_id('tenant-b')], 'tenant B''s owner sees only B''s');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.analyst_logins), 0, 'a platform admin sees none');
select tests.clear_authentication();
select throws_ok($$ select * from public.analyst_logins $$, '42501', null, 'anon cannot read them');
select tests.authenticate_as('owner_a');
select throws_ok(format($$ insert into public.analyst_logins (role_name, tenant_id, connection_limit, statement_timeout_ms)
  values ('renum_analyst_000000000000', %L, 1, 1000) $$, tests.tenant_id('tenant-a')), '42501', null, 'nobody inserts a login row directly');
select throws_ok($$ update public.analyst_logins set connection_limit = 20 $$, '42501', null, 'nor changes one');

-- ─── what a login of tenant A reads ──────────────────────────────────────────────────────────
reset role;
select is(pg_temp.value_as('owner_a', 'select current_user'), (select role_name from made where maker = 'owner_a'), 'acting as tenant A''s login');
select is(pg_temp.value_as('owner_a', 'select count(*) from analytics.team_performance'), '3', 'it reads its company''s three team-days');
select is(pg_temp.value_as('owner_a', 'select string_agg(distinct tenant_id::text, '','') from analytics.team_performance'),
  tests.tenant_id('tenant-a')::text, 'all of its own company');
select is(pg_temp.value_as('owner_a', 'select count(*) from analytics.freshness'), '6', 'it reads when each view was refreshed');
select is(pg_temp.attempt_as('owner_a', 'select * from analytics.agent_performance, analytics.inbox_consumption, analytics.agent_consumption'),
  'ok', 'and the other views');

-- Every forbidden thing, refused.
select is(pg_temp.attempt_as('owner_a', $$ select * from analytics.team_performance_daily $$), '42501', 'not the materialized view itself');
select is(pg_temp.attempt_as('owner_a', $$ select * from analytics.refresh_log $$), '42501', 'not the refresh log');
select is(pg_temp.attempt_as('owner_a', $$ select * from analytics.refresh_schedule $$), '42501', 'not the schedule');
select is(pg_temp.attempt_as('owner_a', $$ select * from public.analyst_logins $$), '42501', 'not the logins');
select is(pg_temp.attempt_as('owner_a', $$ select * from public.tenants $$), '42501', 'not public tables');
select is(pg_temp.attempt_as('owner_a', $$ select * from public.usage_ledger $$), '42501', 'not the usage ledger');
select is(pg_temp.attempt_as('owner_a', $$ select * from public.consumption_inbox_daily $$), '42501', 'not consumption rows');
select is(pg_temp.attempt_as('owner_a', $$ select * from private.inbox_secrets $$), '42501', 'not private');
select is(pg_temp.attempt_as('owner_a', $$ select * from auth.users $$), '42501', 'not auth');
select is(pg_temp.attempt_as('owner_a', $$ select * from vault.secrets $$), '42501', 'not vault');
select is(pg_temp.attempt_as('owner_a', $$ insert into analytics.refresh_schedule (view_name) values ('mine') $$), '42501', 'it cannot write');
select is(pg_temp.attempt_as('owner_a', $$ select analytics.refresh('team_performance_daily') $$), '42501', 'it cannot refresh a view');
select is(pg_temp.attempt_as('owner_a', $$ select analytics.refresh_due_views() $$), '42501', 'nor run the job');
select is(pg_temp.attempt_as('owner_a', $$ create table analytics.mine (id int) $$), '42501', 'it creates nothing in analytics');
select is(pg_temp.attempt_as('owner_a', $$ create table public.mine (id int) $$), '42501', 'nor in public');
select is(pg_temp.attempt_as('owner_a', $$ create view analytics.mine as select 1 $$), '42501', 'no views');
select is(pg_temp.attempt_as('owner_a', $$ create schema mine $$), '42501', 'no schemas');
-- (SET ROLE is checked against the session's login, which here is postgres: the real connection in
-- supabase/functions/api/routes/analytics.test.ts proves a login cannot become another role.)
select is(pg_temp.attempt_as('owner_a', format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-a'))), '42501',
  'it cannot make logins');

-- ─── tenant B's login, and the group ─────────────────────────────────────────────────────────
select is(pg_temp.value_as('owner_b', 'select string_agg(distinct tenant_id::text, '','') from analytics.team_performance'),
  tests.tenant_id('tenant-b')::text, 'tenant B''s login reads only B''s rows');
select is(pg_temp.value_as('renum_analyst', 'select count(*) from analytics.team_performance'), '0',
  'the group itself maps to no company and reads nothing');

-- ─── revoking ────────────────────────────────────────────────────────────────────────────────
reset role;
select tests.authenticate_as('member_a');
delete from public.analyst_logins;
select tests.authenticate_as('owner_b');
delete from public.analyst_logins where tenant_id = tests.tenant_id('tenant-a');
reset role;
select is((select count(*)::int from pg_roles r join made m on m.role_name = r.rolname), 3, 'a member or another company revokes nothing');
select tests.authenticate_as('admin_a');
delete from public.analyst_logins where role_name = (select role_name from made where maker = 'owner_a');
reset role;
select is((select count(*)::int from pg_roles where rolname = (select role_name from made where maker = 'owner_a')), 0, 'an admin revokes: the role is gone');
select is((select array_agg(action order by id) from public.audit_log where table_name = 'analyst_logins'
           and (after ->> 'role_name' = (select role_name from made where maker = 'owner_a') or before ->> 'role_name' = (select role_name from made where maker = 'owner_a'))),
  array['insert', 'delete'], 'creating and revoking are in the audit log');

-- ─── limits ──────────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select public.create_analyst_login(tests.tenant_id('tenant-a')) from generate_series(1, 4);
select is(tests.raised(format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-a'))),
  '{"state": "P0001", "code": "analyst_login_limit", "detail": {"limit": 5}}'::jsonb, 'a company has at most five logins');
select tests.authenticate_as_service_role();
update public.tenants set status = 'suspended' where slug = 'tenant-b';
select tests.authenticate_as('owner_b');
select is(tests.error_code(format('select public.create_analyst_login(%L)', tests.tenant_id('tenant-b'))), 'tenant_read_only',
  'a suspended company creates no login');
delete from public.analyst_logins;
reset role;
select is((select count(*)::int from pg_roles where rolname = (select role_name from made where maker = 'owner_b')), 0,
  'but can still revoke one');

select * from finish();
rollback;
