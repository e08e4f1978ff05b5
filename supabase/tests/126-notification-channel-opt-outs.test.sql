-- A member's own channel opt-outs (#13): each member turns WhatsApp, SMS or e-mail off for
-- themself in a company (public.notification_channel_preferences); private.notify then queues
-- their notices on the rule's other channels, in the rule's order, and none when all are off.
-- RLS: their own rows only, in companies they are in.
begin;
set search_path to public, extensions, tests;

select plan(11);

create function pg_temp.channels_for(wanted_user text) returns text language sql security definer as $$
  select coalesce(string_agg(n.channels::text, ';'), '') from public.notifications n
  where n.recipient_user_id = tests.get_supabase_uid(wanted_user) and n.event = 'handoff_requested' $$;
grant execute on function pg_temp.channels_for(text) to service_role;
select tests.create_two_tenants();

-- ─── each person's own ───────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(format($$ insert into public.notification_channel_preferences (tenant_id, user_id, channel, enabled) values (%L, auth.uid(), 'whatsapp', false) $$,
  tests.tenant_id('tenant-a')), 'a member turns WhatsApp off for themself');
select throws_ok(format($$ insert into public.notification_channel_preferences (tenant_id, user_id, channel, enabled) values (%L, %L, 'sms', false) $$,
  tests.tenant_id('tenant-a'), tests.get_supabase_uid('admin_a')), '42501', null, 'but not for a colleague');
select tests.authenticate_as('member_b');
select throws_ok(format($$ insert into public.notification_channel_preferences (tenant_id, user_id, channel, enabled) values (%L, auth.uid(), 'sms', false) $$,
  tests.tenant_id('tenant-a')), '42501', null, 'nor in a company they are not in');
select tests.authenticate_as('owner_a');
select is_empty($$ select * from public.notification_channel_preferences $$, 'an owner does not read a member''s channel preferences');
select lives_ok(format($$ insert into public.notification_channel_preferences (tenant_id, user_id, channel, enabled)
  values (%1$L, auth.uid(), 'whatsapp', false), (%1$L, auth.uid(), 'sms', false), (%1$L, auth.uid(), 'email', false) $$,
  tests.tenant_id('tenant-a')), 'the owner turns every channel off');
select throws_ok($$ update public.notification_channel_preferences set tenant_id = gen_random_uuid() $$, '42501', null,
  'a preference is not moved to another company');
select tests.clear_authentication();
set local role anon;
select throws_ok($$ select * from public.notification_channel_preferences $$, '42501', null, 'anon reads none');
reset role;

-- ─── notify honours them ─────────────────────────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
select lives_ok(format($$ insert into public.notification_channel_preferences (tenant_id, user_id, channel, enabled) values (%L, auth.uid(), 'sms', true) $$,
  tests.tenant_id('tenant-a')), 'an admin may also store a channel as on');
select tests.authenticate_as_service_role();
select private.notify(tests.tenant_id('tenant-a'), 'handoff_requested', '{}');
select is(pg_temp.channels_for('member_a'), '{sms,email}', 'the member without WhatsApp gets SMS then e-mail');
select is(pg_temp.channels_for('admin_a'), '{whatsapp,sms,email}', 'the admin gets the rule''s three, in order');
select is(pg_temp.channels_for('owner_a'), '', 'the owner with every channel off gets no notice');

select * from finish();
rollback;
