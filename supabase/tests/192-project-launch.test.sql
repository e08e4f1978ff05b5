-- Launching projects and deciding on interviews, per actor: owners and admins launch (by tags, ids,
-- phone prefix, name) and get one pending interview per reachable contact, blocked and opted-out
-- contacts skipped; members and analysts cannot launch; cancel and resend are for owners and admins
-- of the company and platform admins (audited); another company's member and anon see and do
-- nothing. Interviews are read by every member of the company.
begin;
set search_path to public, extensions, tests;

select plan(39);

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
insert into public.contacts (tenant_id, phone, name, tags, status) values
  (tests.tenant_id('tenant-a'), '+5511900000001', 'Ana', array['vip'], 'active'),
  (tests.tenant_id('tenant-a'), '+5511900000002', 'Bruno', array['vip', 'sp'], 'active'),
  (tests.tenant_id('tenant-a'), '+5521900000003', 'Carla', array['rj'], 'active'),
  (tests.tenant_id('tenant-a'), '+5511900000004', 'Davi', array['vip'], 'blocked'),
  (tests.tenant_id('tenant-b'), '+5511900000009', 'Beto', array['vip'], 'active');
insert into public.projects (tenant_id, name, inbox_id, invitation_text, questions) values
  (tests.tenant_id('tenant-a'), 'NPS', tests.inbox_id('Line A'), 'Olá!', '[{"id": "score", "text": "De 1 a 5?", "answer_type": "scale_1_5"}]'),
  (tests.tenant_id('tenant-a'), 'Incompleto', null, null, '[]');

create temporary table b_contact on commit drop as
  select id from public.contacts where phone = '+5511900000009' and tenant_id = tests.tenant_id('tenant-b');
grant select on b_contact to authenticated;

-- ─── as member and analyst of tenant A ───────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is(tests.raised(format($$ select public.launch_project(%L, '{"tags_any": ["vip"]}') $$, (select id from public.projects where name = 'NPS'))),
  format('{"state": "42501", "code": "projects_run_by_inbox_managers", "detail": {"project_id": "%s"}}', (select id from public.projects where name = 'NPS'))::jsonb,
  'a member cannot launch');
select tests.authenticate_as('analyst_a');
select is(tests.error_code(format($$ select public.launch_project(%L, '{"all": true}') $$, (select id from public.projects where name = 'NPS'))),
  'projects_run_by_inbox_managers', 'nor an analyst');

-- ─── as owner of tenant A: launching ─────────────────────────────────────────────────────────
select tests.authenticate_as('owner_a');
select is(tests.error_code(format($$ select public.launch_project(%L, '{}') $$, (select id from public.projects where name = 'NPS'))),
  'launch_selection_invalid', 'a selection must say whom');
select is(tests.error_code(format($$ select public.launch_project(%L, '{"tags": ["vip"]}') $$, (select id from public.projects where name = 'NPS'))),
  'launch_selection_invalid', 'an unknown selection field is refused');
select is(tests.error_code(format($$ select public.launch_project(%L, '{"contact_ids": ["not-a-uuid"]}') $$, (select id from public.projects where name = 'NPS'))),
  'launch_selection_invalid', 'contact ids are uuids');
select is(tests.error_code(format($$ select public.launch_project(%L, '{"all": true}') $$, (select id from public.projects where name = 'Incompleto'))),
  'project_not_launchable', 'a project without inbox, invitation or question does not launch');
select is(count(*)::integer, 0, 'and creates no interview') from public.interviews;
select is(tests.error_code(format($$ select public.launch_project(%L, '{"all": true}') $$, gen_random_uuid())),
  'project_not_found', 'a project that is not there');

select is(public.launch_project((select id from public.projects where name = 'NPS'), '{"tags_any": ["VIP"]}') - 'project_id',
  '{"matched": 3, "created": 2, "already_in_project": 0, "skipped_blocked": 1, "skipped_opted_out": 0, "unknown_contact_ids": []}'::jsonb,
  'launching to a tag: the blocked contact is skipped');
select is((select status::text from public.projects where name = 'NPS'), 'active', 'the draft went active');
select is(array(select c.name from public.interviews i join public.contacts c on c.id = i.contact_id where i.status = 'pending' order by c.name),
  array['Ana', 'Bruno'], 'one pending interview per reachable contact');
select is(public.launch_project((select id from public.projects where name = 'NPS'), '{"phone_prefix": "+5511"}') ->> 'already_in_project',
  '2', 'launching again keeps the interviews contacts already have');
select is(public.launch_project((select id from public.projects where name = 'NPS'),
    format('{"contact_ids": ["%s", "%s", "%s"]}', tests.contact_id('tenant-a', '+5521900000003'),
      (select id from b_contact), '00000000-0000-0000-0000-000000000001')::jsonb) - 'project_id',
  jsonb_build_object('matched', 1, 'created', 1, 'already_in_project', 0, 'skipped_blocked', 0, 'skipped_opted_out', 0,
    'unknown_contact_ids', jsonb_build_array('00000000-0000-0000-0000-000000000001', (select id from b_contact))),
  'by ids: only this company''s contacts; another company''s is unknown, like a made-up id');
select is(public.launch_project((select id from public.projects where name = 'NPS'), '{"name_contains": "ar", "tags_all": ["rj"]}') ->> 'matched',
  '1', 'by name and tags together');
select is((select count(*)::integer from public.interviews), 3, 'three interviews in all');
select is(public.launch_project((select id from public.projects where name = 'NPS'), '{"all": true}') ->> 'created', '0', 'everybody reachable is in already');

-- ─── as admin of tenant A: cancel and resend ─────────────────────────────────────────────────
select tests.authenticate_as('admin_a');
select is(tests.error_code(format($$ select public.cancel_interview(%L, '  ') $$, (select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Ana'))),
  'interview_cancel_reason_required', 'cancelling needs a reason');
select is((public.cancel_interview((select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Ana'), 'Pediu para não participar')).status::text,
  'cancelled', 'an admin cancels an interview');
select is((select cancel_reason from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Ana'), 'Pediu para não participar', 'with its reason');
select is((select count(*)::integer from public.audit_log where table_name = 'interviews' and after ->> 'status' = 'cancelled'), 1, 'the cancellation is audited');
select is(tests.error_code(format($$ select public.cancel_interview(%L, 'again') $$, (select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Ana'))),
  'interview_not_cancellable', 'a cancelled interview is not cancelled again');
select is(tests.error_code(format($$ select public.resend_interview_invitation(%L) $$, (select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Ana'))),
  'interview_not_resendable', 'a cancelled interview is not invited again');

-- The service invited Bruno, who never answered; the interview expired.
select tests.authenticate_as_service_role();
update public.interviews i set status = 'expired', invited_at = now() - interval '4 days', ended_at = now()
from public.contacts c where c.id = i.contact_id and c.name = 'Bruno';
select tests.authenticate_as('admin_a');
select is((public.resend_interview_invitation((select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Bruno'))).status::text,
  'pending', 'resending an expired invitation puts it back in the queue');
select is((select invited_at from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Bruno'), null, 'to be invited anew');
select tests.authenticate_as('owner_a');
update public.contacts set status = 'blocked' where name = 'Bruno';
select is(tests.error_code(format($$ select public.resend_interview_invitation(%L) $$, (select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Bruno'))),
  'contact_unreachable', 'nothing is resent to a blocked contact');

-- ─── as member and analyst of tenant A: read, no decisions ───────────────────────────────────
select tests.authenticate_as('member_a');
select is((select count(*)::integer from public.interviews), 3, 'a member reads the company''s interviews');
select is(tests.error_code(format($$ select public.cancel_interview(%L, 'no') $$, (select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Carla'))),
  'projects_run_by_inbox_managers', 'a member cannot cancel');
select tests.authenticate_as('analyst_a');
select is((select count(*)::integer from public.interviews), 3, 'an analyst reads them');
select is(tests.error_code(format($$ select public.resend_interview_invitation(%L) $$, (select i.id from public.interviews i join public.contacts c on c.id = i.contact_id where c.name = 'Carla'))),
  'projects_run_by_inbox_managers', 'an analyst cannot resend');
select throws_ok($$ delete from public.interviews $$, '42501', null, 'nobody deletes interviews directly');

-- ─── as member of tenant B ───────────────────────────────────────────────────────────────────
select tests.authenticate_as('owner_b');
select is_empty($$ select id from public.interviews $$, 'another company''s owner sees no interview');
select is(tests.error_code(format($$ select public.cancel_interview(%L, 'sabotage') $$, (select id from public.interviews limit 1))),
  'interview_not_found', 'cannot cancel one');
select is(tests.error_code(format($$ select public.launch_project(%L, '{"all": true}') $$, (select id from public.projects where name = 'NPS'))),
  'project_not_found', 'nor launch the project');

-- ─── as platform admin ───────────────────────────────────────────────────────────────────────
select set_config('tests.carla_interview', (select i.id::text from public.interviews i where i.contact_id = tests.contact_id('tenant-a', '+5521900000003')), true)
from (select tests.authenticate_as('admin_a')) signed_in;
select tests.authenticate_as('platform_admin');
select is_empty($$ select id from public.interviews $$, 'a platform admin reads no interview directly');
select is(tests.error_code(format($$ select public.launch_project(%L, '{"all": true}') $$, (select id from public.projects where name = 'NPS'))),
  'project_not_found', 'nor launches a company''s project');
select is((public.cancel_interview(current_setting('tests.carla_interview')::uuid, 'Pedido LGPD')).status::text,
  'cancelled', 'but cancels an interview of any company');
select is((select actor_role from public.audit_log where table_name = 'interviews' and after ->> 'cancel_reason' = 'Pedido LGPD'), 'platform_admin',
  'audited as the platform admin');

-- ─── as anon ─────────────────────────────────────────────────────────────────────────────────
select tests.clear_authentication();
select throws_ok($$ select id from public.interviews $$, '42501', null, 'anon cannot read interviews');
select throws_ok(format($$ select public.launch_project(%L, '{"all": true}') $$, gen_random_uuid()), '42501', null, 'nor launch');

select * from finish();
rollback;
