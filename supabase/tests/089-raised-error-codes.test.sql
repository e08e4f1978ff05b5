-- Every error our SQL raises carries a stable machine code (`using constraint = '<code>'`), which
-- supabase/functions/_shared/sql-errors.ts passes on and the web app translates; nobody reads the
-- wording. The catalog check fails for any `raise exception` in a public or private function that
-- names no code; the rest proves, as the callers meet them, the codes given to the raises that had
-- none (provider keys, shares, agent settings, runs).
begin;
set search_path to public, extensions, tests;

select plan(12);

select tests.create_two_tenants();

-- ─── the catalog: no raise without a code ────────────────────────────────────────────────────
select is(
  (select coalesce(array_agg(distinct n.nspname || '.' || p.proname order by n.nspname || '.' || p.proname), '{}')
   from pg_catalog.pg_proc p
   join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   cross join lateral pg_catalog.regexp_matches(p.prosrc, 'raise\s+exception([^;]*);', 'gi') as raised(statement)
   where n.nspname in ('public', 'private') and raised.statement[1] !~* '\mconstraint\s*='),
  '{}'::text[],
  'every raise exception in public and private names its stable code'
);

-- ─── as member of tenant A: provider keys ────────────────────────────────────────────────────
select tests.authenticate_as('member_a');

select is(tests.raised($$ select public.set_provider_key('openai', 'short') $$),
  '{"state": "22023", "code": "provider_key_invalid", "detail": null}'::jsonb, 'a key too short to be one: provider_key_invalid');
select is(tests.error_code($$ select public.set_provider_key('openai-compatible', 'sk-long-enough-key') $$),
  'endpoint_required', 'a custom-endpoint key without its address: endpoint_required');
select is(tests.error_code($$ select public.set_provider_key('openai', 'sk-long-enough-key', null, 'https://llm.example.com') $$),
  'endpoint_not_accepted', 'a first-party key with an address: endpoint_not_accepted');
select is(tests.error_code($$ select public.set_provider_key('openai-compatible', 'sk-long-enough-key', null, 'https://user:pw@llm.example.com') $$),
  'endpoint_invalid', 'an address with a password in it: endpoint_invalid');
select public.set_provider_key('anthropic', 'sk-ant-personal-key-1');
select is(tests.error_code(format($$ select public.set_provider_key_sharing(%L, true) $$, tests.provider_key_id('member_a', 'anthropic'))),
  'personal_key_not_shareable', 'sharing a personal key: personal_key_not_shareable');
select is(tests.raised(format($$ select public.set_provider_key_sharing(%L, true) $$, gen_random_uuid())) ->> 'code',
  'not_found', 'sharing a key that is not there: not_found');

-- ─── as member of tenant A: shares, agents and runs ──────────────────────────────────────────
insert into public.agents (tenant_id, name, model, status) values (tests.tenant_id('tenant-a'), 'Coded refusals', 'demo-small', 'active');
select tests.authenticate_as('owner_a');
select is(tests.error_code(format($$ select * from public.resolve_share_grantee(%L, null, null, null) $$, tests.agent_id('Coded refusals'))),
  'share_grantee_required', 'a share naming no grantee: share_grantee_required');
select is(
  tests.raised(format($$ insert into public.agents (tenant_id, name, model, config) values (%L, 'Too many', 'demo-small', '{"tokens_per_reply": 5000000}') $$, tests.tenant_id('tenant-a'))),
  '{"state": "22023", "code": "agent_config_invalid", "detail": {"field": "config.tokens_per_reply"}}'::jsonb,
  'a setting out of its bounds: agent_config_invalid, naming the field'
);
select is(tests.raised(format($$ select public.start_execution(%L, 'Plan') $$, gen_random_uuid())) - 'detail',
  '{"state": "P0002", "code": "not_found"}'::jsonb, 'starting a team that is not there: not_found');
select is(tests.error_code(format($$ select public.stop_execution(%L) $$, gen_random_uuid())),
  'not_found', 'stopping a run that is not there: not_found');

-- ─── as a token without a person (authenticated, no sub) ─────────────────────────────────────
set local role authenticated;
select set_config('request.jwt.claims', '{"role": "authenticated"}', true);
select is(tests.error_code(format($$ select * from public.read_invitation(%L, 'token') $$, gen_random_uuid())),
  'sign_in_required', 'reading an invitation without a person: sign_in_required');

select * from finish();
rollback;
