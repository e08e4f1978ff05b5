-- Notifications (#13): who is notified of what (rules, defaults, opt-outs), the leased queue with
-- its channel fallback (sent, next channel, dead, a worker that died mid-channel), the events that
-- really notify (a handoff, a dead letter, the budget's 80 %), and RLS per actor on the four tables.
begin;
set search_path to public, extensions, tests;

select plan(48);

create function pg_temp.queued(wanted_tenant text, wanted_event text) returns setof uuid language sql as $$
  select n.recipient_user_id from public.notifications n
  where n.tenant_id = tests.tenant_id(wanted_tenant) and n.event = wanted_event::public.notification_event $$;
create function pg_temp.one(wanted_tenant text, wanted_event text, wanted_user text) returns public.notifications language sql as $$
  select n.* from public.notifications n
  where n.tenant_id = tests.tenant_id(wanted_tenant) and n.event = wanted_event::public.notification_event
    and n.recipient_user_id = tests.get_supabase_uid(wanted_user) $$;
create function pg_temp.lease_ran_out(wanted uuid) returns void language sql security definer as $$
  update public.notifications set lease_expires_at = now() - interval '1 second' where id = wanted $$;
create function pg_temp.outbound_leases_ran_out() returns void language sql security definer as $$
  update private.outbound_deliveries set lease_expires_at = now() - interval '1 second' where status = 'sending' $$;
grant execute on function pg_temp.queued(text, text), pg_temp.one(text, text, text), pg_temp.lease_ran_out(uuid),
  pg_temp.outbound_leases_ran_out() to service_role, authenticated;
select tests.create_two_tenants();

-- ─── as a person: their own phone ────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select lives_ok($$ insert into public.notification_contacts (user_id, phone) values (auth.uid(), '(11) 98765-4321') $$,
  'a person adds their own notification phone');
select is((select phone from public.notification_contacts), '+5511987654321', 'written in E.164 (private.normalize_phone)');
select is(tests.error_code($$ insert into public.notification_contacts (user_id, phone) values (auth.uid(), '12') $$) is not null, true,
  'a number that is no phone is refused');
select throws_ok(format($$ insert into public.notification_contacts (user_id, phone) values (%L, '+5511912345678') $$,
  tests.get_supabase_uid('member_a')), '42501', null, 'nobody writes another person''s phone');
select tests.authenticate_as('admin_a');
select is_empty($$ select * from public.notification_contacts $$, 'an admin does not read the owner''s phone');
select lives_ok($$ insert into public.notification_contacts (user_id, phone) values (auth.uid(), '+5511912345678') $$,
  'the admin adds their own');

-- ─── rules: members read, owners and admins change ───────────────────────────────────────────
select tests.authenticate_as('member_a');
select results_eq($$ select event::text, enabled, roles::text[], channels::text[], is_default from public.notification_rules_of(tests.tenant_id('tenant-a')) $$,
  $$ values ('handoff_requested', true, array['owner', 'admin', 'member'], array['whatsapp', 'sms', 'email'], true),
            ('dead_letter', true, array['owner', 'admin'], array['whatsapp', 'sms', 'email'], true),
            ('budget_80', true, array['owner'], array['whatsapp', 'sms', 'email'], true),
            ('approval_requested', true, array['owner', 'admin'], array['email'], true),
            ('project_finished', true, array['owner', 'admin'], array['whatsapp', 'sms', 'email'], true) $$,
  'a member reads the company''s rules: the defaults until someone changes them');
select throws_ok(format($$ insert into public.notification_rules (tenant_id, event, roles, channels) values (%L, 'dead_letter', '{member}', '{email}') $$,
  tests.tenant_id('tenant-a')), '42501', null, 'a member cannot change a rule');
select tests.authenticate_as('member_b');
select is_empty(format($$ select * from public.notification_rules_of(%L) $$, tests.tenant_id('tenant-a')),
  'another company''s member reads none of its rules');
select tests.authenticate_as('admin_a');
select lives_ok(format($$ insert into public.notification_rules (tenant_id, event, roles, channels) values (%L, 'dead_letter', '{owner}', '{sms,email}') $$,
  tests.tenant_id('tenant-a')), 'an admin changes a rule');
select is(tests.error_code(format($$ insert into public.notification_rules (tenant_id, event, roles, channels) values (%L, 'budget_80', '{owner}', '{sms,sms}') $$,
  tests.tenant_id('tenant-a'))), 'notification_rules_channels_valid', 'a channel named twice is refused');
select tests.authenticate_as('owner_b');
select throws_ok(format($$ insert into public.notification_rules (tenant_id, event, roles, channels) values (%L, 'budget_80', '{owner}', '{email}') $$,
  tests.tenant_id('tenant-a')), '42501', null, 'another company''s owner cannot write A''s rules');
select is_empty(format($$ update public.notification_rules set enabled = false where tenant_id = %L returning 1 $$, tests.tenant_id('tenant-a')),
  'nor change them (filtered)');

-- ─── preferences: each member's own opt-outs ─────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select lives_ok(format($$ insert into public.notification_preferences (tenant_id, user_id, event, enabled) values (%L, auth.uid(), 'handoff_requested', false) $$,
  tests.tenant_id('tenant-a')), 'a member turns handoff notices off for themself');
select throws_ok(format($$ insert into public.notification_preferences (tenant_id, user_id, event, enabled) values (%L, %L, 'handoff_requested', false) $$,
  tests.tenant_id('tenant-a'), tests.get_supabase_uid('admin_a')), '42501', null, 'but not for a colleague');
select tests.authenticate_as('member_b');
select throws_ok(format($$ insert into public.notification_preferences (tenant_id, user_id, event, enabled) values (%L, auth.uid(), 'dead_letter', false) $$,
  tests.tenant_id('tenant-a')), '42501', null, 'nor in a company they are not in');
select tests.authenticate_as('owner_a');
select is_empty($$ select * from public.notification_preferences $$, 'an owner does not read a member''s preferences');

-- ─── anon ────────────────────────────────────────────────────────────────────────────────────
select tests.clear_authentication();
set local role anon;
select throws_ok($$ select * from public.notifications $$, '42501', null, 'anon reads no notifications');
select throws_ok($$ select * from public.notification_contacts $$, '42501', null, 'nor phones');
reset role;

-- ─── who may queue and send ──────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select throws_ok(format($$ select private.notify(%L, 'budget_80', '{}') $$, tests.tenant_id('tenant-a')), '42501', null,
  'a person cannot queue notifications');
select throws_ok($$ select * from private.claim_notifications('w', 10, 60) $$, '42501', null, 'nor claim them');
select tests.authenticate_as_service_role();
select is(tests.error_code(format($$ select private.notify(%L, 'party', '{}') $$, tests.tenant_id('tenant-a'))), 'notification_event_invalid',
  'an unknown event: notification_event_invalid');
select is(tests.error_code($$ select * from private.claim_notifications('', 10, 60) $$), 'notification_claim_invalid',
  'a claim without a worker: notification_claim_invalid');

-- ─── the events notify: a handoff ────────────────────────────────────────────────────────────
select public.create_inbox(tests.tenant_id('tenant-a'), 'meta_cloud', 'Line A', null, '{"meta_phone_number_id": "5550001"}',
  '{"app_secret": "app-secret-a", "access_token": "token-a"}');
select private.record_webhook_message(tests.inbox_id('Line A'), jsonb_build_object('contact_phone', '5511987651111', 'contact_name', 'Lead',
  'direction', 'in', 'role', 'user', 'type', 'text', 'body', 'hello', 'provider_message_id', 'wamid.in1', 'sent_at', now()::text));
select private.hand_off_conversation(tests.conversation_id('Line A', '+5511987651111'), 'handoff_keyword');
select set_eq($$ select * from pg_temp.queued('tenant-a', 'handoff_requested') $$,
  array[tests.get_supabase_uid('owner_a'), tests.get_supabase_uid('admin_a')],
  'a handoff notifies the owner and the admin; the member who opted out is not, the analyst not named');
select is(((pg_temp.one('tenant-a', 'handoff_requested', 'owner_a')).payload ->> 'contact_name'), 'Lead', 'the notice names the contact');
select is(
  (select row(n.to_phone, n.to_email, n.channels::text[], n.status, n.channel_index)::text from pg_temp.one('tenant-a', 'handoff_requested', 'owner_a') n),
  row('+5511987654321', 'owner.a@renum.test', array['whatsapp', 'sms', 'email'], 'pending'::public.notification_status, 0)::text,
  'queued with the person''s phone and e-mail and the rule''s channels');
select ok(
  (select count(*) from net.http_request_queue q where q.url like '%/notify/run') >= 1
  or not exists (select from vault.decrypted_secrets where name = 'renum_functions_url'),
  'and the notify function is woken');
select private.hand_off_conversation(tests.conversation_id('Line A', '+5511987651111'), 'handoff_keyword');
select is((select count(*)::int from pg_temp.queued('tenant-a', 'handoff_requested')), 2, 'a conversation already with people is not announced again');

-- ─── claim, fallback, sent ───────────────────────────────────────────────────────────────────
create temporary table claimed as select * from private.claim_notifications('worker-1', 20, 60);
grant all on claimed to service_role;
select is((select count(*)::int from claimed), 2, 'a claim leases the due notifications');
select is((select row(provider, meta_phone_number_id, tenant_name)::text from claimed where to_phone = '+5511987654321'),
  row('meta_cloud'::public.inbox_provider, '5550001', 'Tenant A')::text, 'with the company''s WhatsApp inbox to send through');
select is((select count(*)::int from private.claim_notifications('worker-2', 20, 60)), 0, 'a second worker finds them taken');
select is(private.record_notification_attempt((pg_temp.one('tenant-a', 'handoff_requested', 'owner_a')).id, 'worker-2', 'whatsapp', 'sent'),
  null, 'a worker without the lease records nothing');
select is(tests.error_code(format($$ select private.record_notification_attempt(%L, 'worker-1', 'email', 'sent') $$,
  (pg_temp.one('tenant-a', 'handoff_requested', 'owner_a')).id)), 'notification_attempt_invalid', 'only the next channel may be recorded');
select is(private.record_notification_attempt((pg_temp.one('tenant-a', 'handoff_requested', 'owner_a')).id, 'worker-1', 'whatsapp', 'failed',
  '{"code": "outside_customer_window", "message": "24 h", "http_status": 400}'), 'sending', 'WhatsApp failed: on to SMS, still leased');
select is(private.record_notification_attempt((pg_temp.one('tenant-a', 'handoff_requested', 'owner_a')).id, 'worker-1', 'sms', 'sent',
  null, 'SM123'), 'sent', 'SMS accepted: sent');
select is((select row(n.sent_channel, jsonb_array_length(n.attempts), n.attempts -> 0 ->> 'code', n.attempts -> 1 ->> 'provider_id')::text
           from pg_temp.one('tenant-a', 'handoff_requested', 'owner_a') n),
  row('sms'::public.notification_channel, 2, 'outside_customer_window', 'SM123')::text, 'each attempt is logged with its channel and outcome');

-- ─── every channel failing: dead; a worker dying mid-channel ─────────────────────────────────
select private.record_notification_attempt((pg_temp.one('tenant-a', 'handoff_requested', 'admin_a')).id, 'worker-1', 'whatsapp', 'failed',
  '{"code": "provider_unavailable", "message": "500", "http_status": 500}');
select pg_temp.lease_ran_out((pg_temp.one('tenant-a', 'handoff_requested', 'admin_a')).id);
select lives_ok($$ select private.rescue_notifications() $$, 'the watchdog''s rescue_notifications reaps it');
select is((select row(n.status, n.channel_index, n.attempts -> 1 ->> 'code')::text from pg_temp.one('tenant-a', 'handoff_requested', 'admin_a') n),
  row('pending'::public.notification_status, 2, 'delivery_interrupted')::text,
  'a worker that died on SMS: SMS counts as failed (never sent twice), e-mail is next');
select is((select count(*)::int from private.claim_notifications('worker-3', 20, 60)), 1, 'claimed again for its last channel');
select is(private.record_notification_attempt((pg_temp.one('tenant-a', 'handoff_requested', 'admin_a')).id, 'worker-3', 'email', 'failed',
  '{"code": "email_rejected", "message": "422", "http_status": 422}'), 'dead', 'the last channel failed: dead');

-- ─── reading notifications per actor ─────────────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
select is((select count(*)::int from public.notifications), 2, 'an admin reads every notification of the company');
select tests.authenticate_as('member_a');
select is_empty($$ select * from public.notifications $$, 'a member reads only their own (none)');
select tests.authenticate_as('owner_b');
select is_empty($$ select * from public.notifications $$, 'another company''s owner reads none of A''s');
select tests.authenticate_as('platform_admin');
select is_empty($$ select * from public.notifications $$, 'a platform admin reads none through RLS');

-- ─── a dead letter; the budget's 80 % (its trigger: 202) ────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select private.append_outbound_message(tests.conversation_id('Line A', '+5511987651111'), 'human', 'oi', tests.get_supabase_uid('owner_a'));
select count(*) from private.claim_outbound_deliveries('out-1', 20, 60);
select pg_temp.outbound_leases_ran_out();
select private.reap_outbound_deliveries();
select set_eq($$ select * from pg_temp.queued('tenant-a', 'dead_letter') $$, array[tests.get_supabase_uid('owner_a')],
  'a dead letter notifies whom the changed rule names (the owner only)');
select is((select n.channels::text[] from pg_temp.one('tenant-a', 'dead_letter', 'owner_a') n), array['sms', 'email'], 'on the rule''s channels');
select is(private.notify(tests.tenant_id('tenant-b'), 'budget_80', '{"share": 0.8}'), 1, 'the budget notice reaches B''s one owner');
select tests.authenticate_as('owner_b');
select is((select count(*)::int from public.notifications where event = 'budget_80'), 1, 'who reads it');

select * from finish();
rollback;
