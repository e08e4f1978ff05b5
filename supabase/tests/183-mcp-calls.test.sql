-- MCP calls (public.mcp_calls) per actor: the mcp function (service role) records each tool call
-- and resource read; the company's owners and admins (manage_tools) read their company's calls;
-- members, analysts, another company, a platform admin and anon read none; nobody signed in writes,
-- changes or deletes one; values outside the rules are refused; 90 days are kept.
begin;
set search_path to public, extensions, tests;
select plan(18);

select tests.create_two_tenants();
select tests.authenticate_as('owner_a');
create temporary table made as select t.id from public.create_mcp_token(tests.tenant_id('tenant-a'), 'Claude desktop', 'read') t;
grant select on made to authenticated, service_role;
select tests.authenticate_as('owner_b');
insert into made select t.id from public.create_mcp_token(tests.tenant_id('tenant-b'), 'B script', 'read') t;

-- ─── the service role records ────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select lives_ok($$
  insert into public.mcp_calls (tenant_id, token_id, user_id, kind, name, outcome, row_count, duration_ms)
  select tests.tenant_id('tenant-a'), m.id, tests.get_supabase_uid('owner_a'), 'tool', 'list_agents', 'ok', 3, 12
  from made m join public.mcp_tokens t on t.id = m.id where t.tenant_id = tests.tenant_id('tenant-a');
  insert into public.mcp_calls (tenant_id, token_id, user_id, kind, name, outcome, duration_ms)
  select tests.tenant_id('tenant-a'), m.id, tests.get_supabase_uid('owner_a'), 'resource', 'renum://teams/x', 'error', 2
  from made m join public.mcp_tokens t on t.id = m.id where t.tenant_id = tests.tenant_id('tenant-a');
  insert into public.mcp_calls (tenant_id, token_id, user_id, kind, name, outcome, row_count, duration_ms)
  select tests.tenant_id('tenant-b'), m.id, tests.get_supabase_uid('owner_b'), 'tool', 'list_teams', 'ok', 1, 5
  from made m join public.mcp_tokens t on t.id = m.id where t.tenant_id = tests.tenant_id('tenant-b')
$$, 'the service role (the mcp function) records calls');
select is((select count(*)::int from public.mcp_calls), 3, 'and reads every company''s');
select is(tests.error_code($$ insert into public.mcp_calls (tenant_id, name, outcome, duration_ms)
  values (tests.tenant_id('tenant-a'), 'x', 'maybe', 1) $$), 'mcp_calls_outcome_values', 'an outcome is ok or error');
select is(tests.error_code($$ insert into public.mcp_calls (tenant_id, kind, name, outcome, duration_ms)
  values (tests.tenant_id('tenant-a'), 'prompt', 'x', 'ok', 1) $$), 'mcp_calls_kind_values', 'a call is of a tool or a resource');
select is(tests.error_code($$ insert into public.mcp_calls (tenant_id, name, outcome, duration_ms)
  values (tests.tenant_id('tenant-a'), 'x', 'ok', -1) $$), 'mcp_calls_duration_range', 'a duration is not negative');
select is(tests.error_code($$ insert into public.mcp_calls (tenant_id, name, outcome, duration_ms)
  values (tests.tenant_id('tenant-a'), '', 'ok', 1) $$), 'mcp_calls_name_length', 'a call names what was called');

-- ─── who reads ───────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is((select array_agg(name order by name) from public.mcp_calls), array['list_agents', 'renum://teams/x'],
  'an owner reads the company''s calls, none of another company''s');
select throws_ok($$ insert into public.mcp_calls (tenant_id, name, outcome, duration_ms) values (tests.tenant_id('tenant-a'), 'forged', 'ok', 1) $$,
  '42501', null, 'and cannot write one');
select throws_ok($$ delete from public.mcp_calls $$, '42501', null, 'nor delete the log');
select throws_ok($$ update public.mcp_calls set outcome = 'ok' $$, '42501', null, 'nor change it');
select tests.authenticate_as('admin_a');
select is((select count(*)::int from public.mcp_calls), 2, 'an admin reads the company''s calls');
select tests.authenticate_as('member_a');
select is((select count(*)::int from public.mcp_calls), 0, 'a member reads none');
select tests.authenticate_as('analyst_a');
select is((select count(*)::int from public.mcp_calls), 0, 'an analyst reads none');
select tests.authenticate_as('owner_b');
select is((select array_agg(name) from public.mcp_calls), array['list_teams'], 'another company''s owner reads only its own');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.mcp_calls), 0, 'a platform admin reads none');
select tests.clear_authentication();
set local role anon;
select throws_ok($$ select count(*) from public.mcp_calls $$, '42501', null, 'anon reads nothing');

-- ─── a token revoked and deleted with its maker leaves the log ──────────────────────────────
reset role;
select is((select count(*)::int from cron.job where jobname = 'renum-mcp-calls-retention'
           and command like '%delete from public.mcp_calls where created_at < now() - interval ''90 days''%'), 1,
  'a daily job keeps 90 days');
delete from public.mcp_tokens where tenant_id = tests.tenant_id('tenant-a');
select is((select count(*)::int from public.mcp_calls where tenant_id = tests.tenant_id('tenant-a') and token_id is null), 2,
  'deleting a token keeps its calls in the company''s log');

select * from finish();
rollback;
