-- Approval notices (20261122001990): when an agent's output starts waiting for approval, its
-- approvers get the `approval_requested` notification — owners and admins (the rule's default
-- roles) and the members the team names, by e-mail — once, with the run, step, agent and team.
--
-- Cast (tests.create_two_tenants): tenant A's owner_a, admin_a, member_a (named approver),
-- analyst_a, plus approver_less (a member not named); tenant B's member_b; the service role as the
-- engine (worker-1).

begin;
set search_path to public, extensions, tests;

select plan(10);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
select tests.create_supabase_user('approver_less', 'approver.less@renum.test');
select tests.authenticate_as_service_role();
insert into public.memberships (tenant_id, user_id, role) values
  (tests.tenant_id('tenant-a'), tests.get_supabase_uid('approver_less'), 'member');
update public.tenants set plan = 'enterprise' where id = tests.tenant_id('tenant-a');

create function pg_temp.notified(prompt text) returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(n.recipient_user_id order by n.recipient_user_id), '{}')
  from public.notifications n
  where n.event = 'approval_requested' and n.payload ->> 'execution_id' = tests.run_id(prompt)::text
$$;
grant execute on function pg_temp.notified(text) to service_role;

select tests.authenticate_as('member_a');
insert into public.agents (tenant_id, name, model, status) values
  (tests.tenant_id('tenant-a'), 'Writer', 'demo-small', 'active'),
  (tests.tenant_id('tenant-a'), 'Editor', 'demo-small', 'active');
insert into public.teams (tenant_id, name, workflow_type, continue_on_error, timeout_seconds) values
  (tests.tenant_id('tenant-a'), 'Gated', 'pipeline', false, 600),
  (tests.tenant_id('tenant-a'), 'Ungated', 'pipeline', false, 600);
insert into public.team_agents (team_id, agent_id, role, execution_order, config) values
  (tests.team_id('Gated'), tests.agent_id('Writer'), 'member', 1,
   jsonb_build_object('approval', jsonb_build_object('approvers', jsonb_build_array(tests.get_supabase_uid('member_a')),
                                                     'timeout_seconds', 3600, 'on_timeout', 'reject'))),
  (tests.team_id('Gated'), tests.agent_id('Editor'), 'member', 2, '{}'),
  (tests.team_id('Ungated'), tests.agent_id('Writer'), 'member', 1, '{}');
select public.start_execution(tests.team_id('Gated'), 'Notice me');
select public.start_execution(tests.team_id('Ungated'), 'No approval');

-- ─── a step that waits tells its approvers ───────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_steps('worker-1', 5)), 2, 'both writers are claimed');
select private.complete_step(tests.step_id('No approval', 'Writer'), 'worker-1', 1, 'Plain', 1, 1, 1);
select is(pg_temp.notified('No approval'), '{}'::uuid[], 'a step without approval tells nobody');
select private.complete_step(tests.step_id('Notice me', 'Writer'), 'worker-1', 1, 'Draft', 1, 1, 1);
select is(
  pg_temp.notified('Notice me'),
  (select array_agg(id order by id)
   from unnest(array[tests.get_supabase_uid('owner_a'), tests.get_supabase_uid('admin_a'), tests.get_supabase_uid('member_a')]) id),
  'the owner, the admin and the named member are told; the member not named, the analyst and the other company are not'
);
select is(
  (select array_agg(distinct n.channels::text) from public.notifications n where n.event = 'approval_requested'),
  array['{email}'],
  'by e-mail (the default rule); they are told live in the app as well'
);
select is(
  (select n.payload - 'approval_due_at' from public.notifications n
   where n.event = 'approval_requested' and n.recipient_user_id = tests.get_supabase_uid('member_a')),
  jsonb_build_object('execution_id', tests.run_id('Notice me'), 'step_id', tests.step_id('Notice me', 'Writer'),
                     'agent_name', 'Writer', 'team_name', 'Gated'),
  'the notice names the run, the step, the agent and the team'
);
select ok(
  (select bool_and((n.payload ->> 'approval_due_at')::timestamptz > now() + interval '59 minutes') from public.notifications n
   where n.event = 'approval_requested'),
  'and when the wait times out'
);

-- ─── once, and as the company and each person chose ──────────────────────────────────────────
select private.decide_step_approval(tests.step_id('Notice me', 'Writer'), 'approved', null, null, null, 'service_role');
select is(cardinality(pg_temp.notified('Notice me')), 3, 'deciding sends no further notice');

select tests.authenticate_as('owner_a');
insert into public.notification_rules (tenant_id, event, roles, channels)
  values (tests.tenant_id('tenant-a'), 'approval_requested', '{owner}', '{email,whatsapp}');
select tests.authenticate_as('member_a');
insert into public.notification_preferences (tenant_id, user_id, event, enabled)
  values (tests.tenant_id('tenant-a'), auth.uid(), 'approval_requested', false);
select public.start_execution(tests.team_id('Gated'), 'Notice me again');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.claim_steps('worker-1', 5)), 2, 'the next run''s writer is claimed (and the first run''s editor, after the approval)');
select private.complete_step(tests.step_id('Notice me again', 'Writer'), 'worker-1', 1, 'Draft', 1, 1, 1);
select is(
  pg_temp.notified('Notice me again'),
  array[tests.get_supabase_uid('owner_a')],
  'the company''s rule (owners only) and the named member''s opt-out are honoured'
);
select is(
  (select n.channels::text from public.notifications n
   where n.event = 'approval_requested' and n.payload ->> 'execution_id' = tests.run_id('Notice me again')::text),
  '{email,whatsapp}',
  'on the rule''s channels, in its order'
);

select * from finish();
rollback;
