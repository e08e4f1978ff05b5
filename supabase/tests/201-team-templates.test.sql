-- Team templates (#18): one call creates a template's demo agents and its team, as the caller under
-- RLS — so only those who build agents and teams in the company can, in pt-BR or en, and an unknown
-- template or language is refused by its code with nothing left behind.
--
-- Cast: tests.create_two_tenants().

begin;
set search_path to public, extensions, tests;

select plan(17);

select tests.create_two_tenants();

create function pg_temp.counts(tenant text) returns text
language sql stable security definer set search_path = ''
as $$
  select pg_catalog.format('%s teams, %s agents',
    (select count(*) from public.teams t where t.tenant_id = tests.tenant_id(tenant)),
    (select count(*) from public.agents a where a.tenant_id = tests.tenant_id(tenant)))
$$;
grant execute on function pg_temp.counts(text) to anon, authenticated;

-- ─── the definitions ─────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('analyst_a');
select is(
  (select array_agg(key order by key) from jsonb_object_keys(public.team_template_definitions()) key),
  array['content_pipeline', 'lead_qualification', 'market_research'],
  'three templates: lead qualification, market research, content pipeline'
);
select is(
  (select count(*)::int from jsonb_each(public.team_template_definitions()) t, jsonb_array_elements(t.value -> 'agents') a
   where coalesce(a -> 'name' ->> 'pt-BR', '') = '' or coalesce(a -> 'name' ->> 'en', '') = ''
      or coalesce(a -> 'prompt' ->> 'pt-BR', '') = '' or coalesce(a -> 'prompt' ->> 'en', '') = ''),
  0,
  'every template agent has a name and instructions in both languages'
);

-- ─── who may create ──────────────────────────────────────────────────────────────────────────
select is(
  tests.raised($$ select public.create_team_from_template(tests.tenant_id('tenant-a'), 'lead_qualification') $$) ->> 'state',
  '42501',
  'an analyst cannot create a team from a template (no build_teams)'
);
select tests.authenticate_as('member_b');
select is(
  tests.raised($$ select public.create_team_from_template(tests.tenant_id('tenant-a'), 'lead_qualification') $$) ->> 'state',
  '42501',
  'a member of another company cannot create one in this company'
);
select tests.authenticate_as('platform_admin');
select is(
  tests.raised($$ select public.create_team_from_template(tests.tenant_id('tenant-a'), 'lead_qualification') $$) ->> 'state',
  '42501',
  'a platform admin outside the company cannot either'
);
select tests.clear_authentication();
set local role anon;
select is(
  tests.raised($$ select public.create_team_from_template(tests.tenant_id('tenant-a'), 'lead_qualification') $$) ->> 'state',
  '42501',
  'anon may not call it'
);
reset role;
select is(pg_temp.counts('tenant-a'), '0 teams, 0 agents', 'the refusals left nothing behind');

select tests.authenticate_as('member_a');
select is(
  tests.error_code($$ select public.create_team_from_template(tests.tenant_id('tenant-a'), 'sales_magic') $$),
  'team_template_unknown',
  'an unknown template is refused by its code'
);
select is(
  tests.error_code($$ select public.create_team_from_template(tests.tenant_id('tenant-a'), 'market_research', 'fr') $$),
  'team_template_language',
  'a language other than pt-BR or en is refused by its code'
);

-- ─── a member creates ────────────────────────────────────────────────────────────────────────
create temporary table created (team_id uuid) on commit drop;
grant all on created to authenticated;
insert into created select public.create_team_from_template(tests.tenant_id('tenant-a'), 'lead_qualification');
select results_eq(
  $$ select t.name, t.workflow_type::text, t.tenant_id = tests.tenant_id('tenant-a') from public.teams t join created c on c.team_id = t.id $$,
  $$ values ('Qualificação de leads'::text, 'pipeline'::text, true) $$,
  'a member creates the lead qualification team in Portuguese, as a pipeline'
);
select results_eq(
  $$ select ta.execution_order, a.name, a.provider::text, a.model, a.status::text, a.system_prompt <> ''
     from public.team_agents ta join public.agents a on a.id = ta.agent_id join created c on c.team_id = ta.team_id
     order by ta.execution_order $$,
  $$ values (1, 'Triagem de leads'::text, 'demo'::text, 'demo-small'::text, 'active'::text, true),
            (2, 'Qualificador', 'demo', 'demo-small', 'active', true),
            (3, 'Redator de follow-up', 'demo', 'demo-small', 'active', true) $$,
  'with its three agents in order, active on the demo provider, with instructions'
);
reset role;
select is(
  (select count(*)::int from public.audit_log l where l.tenant_id = tests.tenant_id('tenant-a') and l.table_name in ('teams', 'agents', 'team_agents')
     and l.action = 'insert' and l.actor_id = tests.get_supabase_uid('member_a')),
  7,
  'every row is audited in the member''s name (1 team, 3 agents, 3 places in the team)'
);
select tests.authenticate_as('member_a');
select lives_ok(
  $$ select public.start_execution((select team_id from created), 'Oi, sou a Ana da Padaria Central', '{}'::jsonb) $$,
  'the new team can be run at once'
);

select tests.authenticate_as('admin_a');
delete from created;
insert into created select public.create_team_from_template(tests.tenant_id('tenant-a'), 'market_research', 'en');
select is(
  (select t.name || ' / ' || t.workflow_type from public.teams t join created c on c.team_id = t.id),
  'Market research / parallel',
  'an admin creates the market research team in English, in parallel'
);
select is(
  (select count(*)::int from public.agents a where a.tenant_id = tests.tenant_id('tenant-a') and a.name in ('Competitor analyst', 'Audience analyst', 'Trend analyst')),
  3,
  'with its agents named in English'
);

-- ─── isolation ───────────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_b');
select is(
  (select count(*)::int from public.teams t where t.name in ('Qualificação de leads', 'Market research')),
  0,
  'another company sees none of the teams created from templates'
);
reset role;
select is(pg_temp.counts('tenant-b'), '0 teams, 0 agents', 'and nothing was created in it');

select * from finish();
rollback;
