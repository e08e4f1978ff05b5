-- The rules that once lived only in zod or in route code, proven as PostgREST would act: as
-- `authenticated` with a user's claims, straight on the tables and functions, no `api` function in
-- between. Each refusal is checked for its SQLSTATE and message (throws_ok) and for its stable
-- machine code and structured detail (tests.raised), which the API and the web app read instead
-- of the wording.
--
-- Cast (tests.create_two_tenants): tenant A (owner_a, admin_a, member_a, analyst_a), tenant B
-- (owner_b, member_b). Workflow checks run at commit; as in 070-teams, each case ends with
-- `set constraints ... immediate` so they run inside the assertion.

begin;
set search_path to public, extensions, tests;

select plan(43);

create function pg_temp.immediately(statement text) returns text language sql as $$
  select statement || '; set constraints public.teams_workflow_valid, public.team_agents_workflow_valid immediate';
$$;
grant execute on function pg_temp.immediately(text) to authenticated;

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, status)
select tests.tenant_id('tenant-a'), 'Bulk ' || n, 'demo-small', 'active' from generate_series(1, 51) n;
insert into public.teams (tenant_id, name, workflow_type) values (tests.tenant_id('tenant-a'), 'Big team', 'parallel');
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Small team');
insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Small team'), tests.agent_id('Bulk 1'), 1);
insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Run team');
insert into public.team_agents (team_id, agent_id, execution_order) values (tests.team_id('Run team'), tests.agent_id('Bulk 2'), 1);

-- ─── the 50-agent limit (as member of tenant A) ─────────────────────────────────────────────
select lives_ok(
  pg_temp.immediately($$ insert into public.team_agents (team_id, agent_id, execution_order)
     select tests.team_id('Big team'), a.id, 1 from public.agents a where a.name in (select 'Bulk ' || n from generate_series(1, 50) n) $$),
  'a team may have 50 agents'
);
set constraints public.teams_workflow_valid, public.team_agents_workflow_valid deferred;
select throws_ok(
  pg_temp.immediately($$ insert into public.team_agents (team_id, agent_id, execution_order)
     values (tests.team_id('Big team'), tests.agent_id('Bulk 51'), 1) $$),
  '22023', 'a team has at most 50 agents',
  'inserting a 51st agent straight into team_agents is refused'
);
select is(
  tests.raised(pg_temp.immediately($$ insert into public.team_agents (team_id, agent_id, execution_order)
     values (tests.team_id('Big team'), tests.agent_id('Bulk 51'), 1) $$)),
  '{"state": "22023", "code": "team_agent_limit", "detail": {"field": "agents", "limit": 50}}'::jsonb,
  'the limit is refused with the code team_agent_limit and the limit in its detail'
);

-- ─── inputs and conditions (as member of tenant A) ──────────────────────────────────────────
select throws_ok(
  pg_temp.immediately($$ update public.team_agents set input = jsonb_build_object('source', 'combined', 'sources',
       (select jsonb_agg('{"type": "initial_prompt"}'::jsonb) from generate_series(1, 21)))
     where team_id = tests.team_id('Small team') $$),
  '22023', 'agent "Bulk 1": input.sources has at most 20 sources',
  'a combined input of 21 sources is refused'
);
select is(
  tests.raised(pg_temp.immediately($$ update public.team_agents set input = jsonb_build_object('source', 'combined', 'sources',
       (select jsonb_agg('{"type": "initial_prompt"}'::jsonb) from generate_series(1, 21)))
     where team_id = tests.team_id('Small team') $$)) -> 'detail',
  jsonb_build_object('agent_id', tests.agent_id('Bulk 1'), 'field', 'input.sources', 'limit', 20),
  'the source limit names the agent and the field in its detail'
);
select throws_ok(
  pg_temp.immediately($$ update public.team_agents set conditions =
       (select jsonb_agg('{"field": "initial_prompt", "operator": "contains", "value": "x"}'::jsonb) from generate_series(1, 21))
     where team_id = tests.team_id('Small team') $$),
  '22023', 'agent "Bulk 1": conditions has at most 20 conditions',
  'an agent with 21 conditions is refused'
);
select is(
  tests.raised(pg_temp.immediately($$ update public.team_agents set conditions =
       (select jsonb_agg('{"field": "initial_prompt", "operator": "contains", "value": "x"}'::jsonb) from generate_series(1, 21))
     where team_id = tests.team_id('Small team') $$)) ->> 'code',
  'team_condition_limit',
  'the condition limit has its own code'
);
select throws_ok(
  pg_temp.immediately($$ update public.team_agents set conditions = '[{"field": "initial_prompt", "operator": "equals", "value": {"x": 1}}]'
     where team_id = tests.team_id('Small team') $$),
  '22023', 'agent "Bulk 1": conditions[0].value must be text of at most 10000 characters, a number or true/false',
  'a condition compared with an object is refused'
);
select throws_ok(
  pg_temp.immediately($$ update public.team_agents set conditions = jsonb_build_array(jsonb_build_object(
       'field', 'initial_prompt', 'operator', 'equals', 'value', repeat('x', 10001)))
     where team_id = tests.team_id('Small team') $$),
  '22023', 'agent "Bulk 1": conditions[0].value must be text of at most 10000 characters, a number or true/false',
  'a condition value longer than 10000 characters is refused'
);
select throws_ok(
  pg_temp.immediately($$ update public.team_agents set conditions = '[{"field": "initial_prompt", "operator": "equals", "value": "x", "note": "?"}]'
     where team_id = tests.team_id('Small team') $$),
  '22023', 'agent "Bulk 1": conditions[0] needs field, operator and value',
  'a condition with a key of its own is refused'
);
select throws_ok(
  pg_temp.immediately($$ update public.team_agents set input = '{"source": "initial_prompt", "agent_id": "whatever"}'
     where team_id = tests.team_id('Small team') $$),
  '22023', 'agent "Bulk 1": input.agent_id is not part of a initial_prompt input',
  'an input with a key its source does not have is refused'
);
select is(
  tests.raised(pg_temp.immediately($$ update public.team_agents set input = '{"source": "initial_prompt", "agent_id": "whatever"}'
     where team_id = tests.team_id('Small team') $$)),
  jsonb_build_object('state', '22023', 'code', 'team_input_invalid',
                     'detail', jsonb_build_object('agent_id', tests.agent_id('Bulk 1'), 'field', 'input.agent_id')),
  'an input refusal carries team_input_invalid, the agent and the field'
);
select throws_ok(
  pg_temp.immediately($$ update public.team_agents set input = '{"source": "combined", "sources": [{"type": "context", "key": "k", "name": "n"}]}'
     where team_id = tests.team_id('Small team') $$),
  '22023', 'agent "Bulk 1": input.sources[0] must be an initial_prompt, an agent_result with agent_id, a context key or a variable name',
  'a source with a key its type does not have is refused'
);

-- ─── per-agent overrides (checked as the row is written) ────────────────────────────────────
select throws_ok(
  $$ update public.team_agents set config = '{"max_tokens": 0}' where team_id = tests.team_id('Small team') $$,
  '22023', 'config.max_tokens must be a whole number between 1 and 200000',
  'a max_tokens override of 0 is refused'
);
select throws_ok(
  $$ update public.team_agents set config = '{"max_tokens": 10.5}' where team_id = tests.team_id('Small team') $$,
  '22023', 'config.max_tokens must be a whole number between 1 and 200000',
  'a fractional max_tokens override is refused'
);
select throws_ok(
  $$ update public.team_agents set config = '{"temperature": 2.5}' where team_id = tests.team_id('Small team') $$,
  '22023', 'config.temperature must be a number between 0 and 2',
  'a temperature override above 2 is refused'
);
select throws_ok(
  $$ update public.team_agents set config = jsonb_build_object('tools', (select jsonb_agg('t' || n) from generate_series(1, 65) n))
     where team_id = tests.team_id('Small team') $$,
  '22023', 'config.tools must list at most 64 tool names',
  'an override of 65 tools is refused'
);
select is(
  tests.raised($$ update public.team_agents set config = '{"temperature": "hot"}' where team_id = tests.team_id('Small team') $$),
  jsonb_build_object('state', '22023', 'code', 'team_agent_config_invalid',
                     'detail', jsonb_build_object('agent_id', tests.agent_id('Bulk 1'), 'field', 'config.temperature')),
  'an override refusal carries team_agent_config_invalid, the agent and the field'
);
select lives_ok(
  $$ update public.team_agents set config = '{"temperature": 0.3, "max_tokens": 800, "tools": ["web_search"]}' where team_id = tests.team_id('Small team') $$,
  'overrides within the ranges are kept'
);

-- ─── agents ──────────────────────────────────────────────────────────────────────────────────
select throws_ok(
  $$ update public.agents set knowledge_base_ids = (select array_agg(gen_random_uuid()) from generate_series(1, 101))
     where name = 'Bulk 1' $$,
  '23514', 'new row for relation "agents" violates check constraint "agents_knowledge_base_ids_count"',
  'an agent reads at most 100 knowledge bases'
);
select is(
  tests.raised($$ update public.agents set config = '{"organization": "x"}' where name = 'Bulk 1' $$),
  '{"state": "22023", "code": "agent_config_unknown_setting", "detail": {"field": "config.organization", "provider": "demo"}}'::jsonb,
  'an unknown agent setting is refused with its code, field and provider'
);

-- ─── role checks (as analyst, member and admin of tenant A) ─────────────────────────────────
select tests.authenticate_as('analyst_a');
select throws_ok(
  $$ insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-a'), 'Analyst team') $$,
  '42501', 'new row violates row-level security policy for table "teams"',
  'an analyst cannot create a team directly'
);
select is(
  tests.raised($$ select public.start_execution(tests.team_id('Small team'), 'go') $$),
  '{"state": "42501", "code": "executions_start_by_builders", "detail": null}'::jsonb,
  'an analyst cannot start a run, refused with executions_start_by_builders'
);
select tests.authenticate_as('member_a');
delete from public.teams where id = tests.team_id('Small team');
select isnt(tests.team_id('Small team'), null, 'a member''s direct delete of a team removes nothing');

-- ─── what a run starts with (as member of tenant A, calling start_execution directly) ───────
select tests.authenticate_as('member_a');
select throws_ok(
  $$ select public.start_execution(tests.team_id('Run team'), E'  \n ') $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_initial_prompt_not_blank"',
  'a run cannot start on a blank prompt'
);
select throws_ok(
  $$ select public.start_execution(tests.team_id('Run team'), 'go', (select jsonb_object_agg('v' || n, n) from generate_series(1, 101) n)) $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_limits"',
  'a run takes at most 100 variables'
);
select throws_ok(
  $$ select public.start_execution(tests.team_id('Run team'), 'go', jsonb_build_object(repeat('v', 65), 1)) $$,
  '23514', 'new row for relation "executions" violates check constraint "executions_variables_limits"',
  'a variable''s name has at most 64 characters'
);

-- ─── no deletion while a run is in flight (as owner of tenant A) ────────────────────────────
select tests.authenticate_as('member_a');
select public.start_execution(tests.team_id('Small team'), 'first run');
select tests.authenticate_as('owner_a');
select throws_ok(
  $$ delete from public.teams where id = tests.team_id('Small team') $$,
  'P0001', 'the team has runs in progress: stop them or wait for them to finish first',
  'an owner cannot delete a team straight from the table while its run is in flight'
);
select is(
  tests.raised($$ delete from public.teams where id = tests.team_id('Small team') $$),
  jsonb_build_object('state', 'P0001', 'code', 'team_has_runs_in_flight', 'detail', jsonb_build_object('team_id', tests.team_id('Small team'))),
  'the refusal carries team_has_runs_in_flight and the team'
);
select public.stop_execution(tests.run_id('first run'));
select lives_ok(
  $$ delete from public.teams where id = tests.team_id('Small team') $$,
  'once its run is stopped, the team can be deleted'
);
select is(
  (select team_id from public.executions where id = tests.run_id('first run')),
  null,
  'the finished run outlives its team'
);

-- ─── invitations (as admin of tenant A) ─────────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'Member.A@renum.test', 'member') $$,
  '23505', 'this person is already a member of the company',
  'inviting someone who is already a member is refused'
);
select is(
  tests.raised($$ insert into public.invitations (tenant_id, email, role) values (tests.tenant_id('tenant-a'), 'member.a@renum.test', 'analyst') $$),
  '{"state": "23505", "code": "invitations_invitee_is_member", "detail": {"field": "email"}}'::jsonb,
  'with the code invitations_invitee_is_member'
);
select throws_ok(
  $$ insert into public.invitations (tenant_id, email, role, expires_at)
     values (tests.tenant_id('tenant-a'), 'forever@renum.test', 'member', now() + interval '100 years') $$,
  '42501', 'permission denied for table invitations',
  'an invitation cannot be given its own expiry'
);
select throws_ok(
  $$ insert into public.agents (tenant_id, name, model, created_at) values (tests.tenant_id('tenant-a'), 'Backdated', 'demo-small', '2000-01-01') $$,
  '42501', 'permission denied for table agents',
  'an agent cannot be backdated'
);

-- ─── capabilities ────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(public.my_capabilities(tests.tenant_id('tenant-a')),
  '{change_tenant,delete_tenant,manage_members,manage_owners,read_audit_log,build_agents,delete_agents,share_agents,share_keys,build_teams,delete_teams,run_teams,manage_inboxes,handle_conversations,manage_knowledge,manage_tools,manage_analytics}'::public.tenant_capability[],
  'an owner may do everything');
select tests.authenticate_as('admin_a');
select is(public.my_capabilities(tests.tenant_id('tenant-a')),
  '{change_tenant,manage_members,read_audit_log,build_agents,delete_agents,share_agents,share_keys,build_teams,delete_teams,run_teams,manage_inboxes,handle_conversations,manage_knowledge,manage_tools,manage_analytics}'::public.tenant_capability[],
  'an admin may do everything but delete the company and manage owners');
select tests.authenticate_as('member_a');
select is(public.my_capabilities(tests.tenant_id('tenant-a')),
  '{build_agents,build_teams,run_teams,handle_conversations,manage_knowledge}'::public.tenant_capability[],
  'a member builds agents and teams and runs them');
select tests.authenticate_as('analyst_a');
select is(public.my_capabilities(tests.tenant_id('tenant-a')), '{}'::public.tenant_capability[], 'an analyst only reads');
select tests.authenticate_as('owner_b');
select is(public.my_capabilities(tests.tenant_id('tenant-a')), '{}'::public.tenant_capability[],
  'someone outside the tenant may do nothing there');

-- ─── tenant suspension (as owner of a suspended tenant B) ──────────────────────────────────
select tests.authenticate_as_service_role();
update public.tenants set status = 'suspended' where slug = 'tenant-b';
select tests.authenticate_as('owner_b');
select is(
  tests.raised($$ insert into public.teams (tenant_id, name) values (tests.tenant_id('tenant-b'), 'Too late') $$),
  jsonb_build_object('state', '42501', 'code', 'tenant_read_only',
                     'detail', jsonb_build_object('tenant_id', tests.tenant_id('tenant-b'), 'tenant_status', 'suspended')),
  'a suspended company''s write is refused with tenant_read_only and its status'
);

-- ─── grants: what `authenticated` may call and write without the api function ──────────────
select tests.clear_authentication(); reset role;
select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'public' and has_function_privilege('authenticated', p.oid, 'execute')),
  array['accept_invitation', 'admin_get_tenant', 'admin_list_tenants', 'admin_set_tenant_status',
        'analytics_agent_consumption', 'analytics_agent_performance', 'analytics_freshness', 'analytics_inbox_consumption',
        'analytics_lead_funnel', 'analytics_refresh_now', 'analytics_response_times', 'analytics_team_performance', 'approve_execution_step', 'cancel_interview', 'conversation_messages', 'convert_contact', 'create_analyst_login', 'create_inbox',
        'create_mcp_token', 'create_team_from_template', 'create_tenant', 'dead_letters', 'decide_qualification_request', 'decline_invitation', 'decline_my_invitation',
        'discard_dead_letter', 'inbox_secret_hints', 'issue_invitation_token', 'knowledge_text_candidates', 'launch_project', 'list_my_invitations', 'my_capabilities', 'notification_rules_of', 'project_report', 'read_invitation',
        'record_knowledge_usage', 'reject_execution_step', 'replace_message_templates', 'replay_webhook_event', 'reply_in_conversation', 'reply_with_template', 'request_qualification', 'resend_interview_invitation', 'resolve_share_grantee',
        'retry_dead_letter', 'revoke_mcp_token', 'rotate_inbox_secret', 'run_admin_command', 'search_contacts', 'search_knowledge', 'set_company_budget',
        'set_contact_stage', 'set_inbox_window_template', 'set_provider_key', 'set_provider_key_sharing', 'set_tenant_tool_secret', 'share_grantee', 'start_execution', 'stop_execution',
        'team_template_definitions', 'tenant_tool_secret_names'],
  'authenticated may call exactly the public API functions'
);
select is(
  (select array_agg(table_name || ':' || privileges order by table_name) from (
     select c.table_name::text, string_agg(c.privilege_type, ',' order by c.privilege_type) as privileges
     from (select distinct table_name, privilege_type from information_schema.column_privileges
           where grantee = 'authenticated' and table_schema = 'public' and privilege_type in ('INSERT', 'UPDATE', 'DELETE')
           union
           select table_name, privilege_type from information_schema.role_table_grants
           where grantee = 'authenticated' and table_schema = 'public' and privilege_type in ('INSERT', 'UPDATE', 'DELETE')) c
     group by c.table_name) t),
  array['agent_shares:DELETE,INSERT,UPDATE', 'agents:DELETE,INSERT,UPDATE', 'analyst_logins:DELETE', 'contacts:INSERT,UPDATE', 'conversations:UPDATE',
        'customers:UPDATE', 'document_versions:INSERT', 'documents:DELETE,INSERT,UPDATE', 'inboxes:DELETE,UPDATE', 'invitations:DELETE,INSERT',
        'knowledge_bases:DELETE,INSERT,UPDATE', 'knowledge_collections:DELETE,INSERT,UPDATE',
        'memberships:DELETE,UPDATE', 'message_templates:DELETE,INSERT,UPDATE', 'notification_channel_preferences:DELETE,INSERT,UPDATE', 'notification_contacts:DELETE,INSERT,UPDATE', 'notification_preferences:DELETE,INSERT,UPDATE', 'notification_rules:DELETE,INSERT,UPDATE', 'profiles:UPDATE', 'projects:DELETE,INSERT,UPDATE', 'provider_keys:DELETE', 'qualification_rules:DELETE,INSERT,UPDATE', 'responder_settings:DELETE,INSERT,UPDATE', 'team_agents:DELETE,INSERT,UPDATE',
        'teams:DELETE,INSERT,UPDATE', 'tenant_tools:DELETE,INSERT,UPDATE', 'tenants:DELETE,UPDATE'],
  'authenticated writes only the tables a person edits; engine state, ledgers and the audit log are not among them'
);

select * from finish();
rollback;
