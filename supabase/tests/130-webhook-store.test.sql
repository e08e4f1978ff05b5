-- Webhook store: the `webhooks` function (the service role) finds an active inbox of the URL's
-- provider with the secret that authenticates the request, and keeps each body once per inbox
-- (a provider's retry answers the event already kept). Nobody else may do either: not the
-- tenant's owner, not a member, not anon.
--
-- Cast (tests.create_two_tenants): tenant A (owner_a, member_a), tenant B, anon, the service role.

begin;
set search_path to public, extensions, tests;

select plan(22);

-- ─── setup ───────────────────────────────────────────────────────────────────────────────────
select tests.create_two_tenants();
-- Inboxes and their secrets as the database owner writes them (create_inbox's job in the product).
reset role;

insert into public.inboxes (id, tenant_id, provider, display_name, meta_phone_number_id) values
  ('00000000-0000-4000-8000-000000000130', tests.tenant_id('tenant-a'), 'meta_cloud', 'Sales', '1300001'),
  ('00000000-0000-4000-8000-000000000131', tests.tenant_id('tenant-a'), 'meta_cloud', 'Old number', '1300002');
insert into public.inboxes (id, tenant_id, provider, display_name, zapi_instance_id) values
  ('00000000-0000-4000-8000-000000000132', tests.tenant_id('tenant-b'), 'zapi', 'Support', 'instance130');
update public.inboxes set status = 'disabled' where id = '00000000-0000-4000-8000-000000000131';
insert into private.inbox_secrets (inbox_id, kind, encrypted_value, key_version, last_four)
select inbox_id::uuid, kind::public.inbox_secret_kind, extensions.pgp_sym_encrypt(value, k.secret, 'cipher-algo=aes256'), k.version, right(value, 4)
from (values
  ('00000000-0000-4000-8000-000000000130', 'meta_app_secret', 'app-secret-130'),
  ('00000000-0000-4000-8000-000000000130', 'meta_verify_token', 'verify-token-130'),
  ('00000000-0000-4000-8000-000000000131', 'meta_app_secret', 'app-secret-131'),
  ('00000000-0000-4000-8000-000000000132', 'zapi_client_token', 'client-token-132')
) as s (inbox_id, kind, value), private.current_provider_key_encryption_key() k;

-- ─── webhook_inbox ───────────────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
select results_eq(
  $$ select tenant_id, meta_phone_number_id, secret from private.webhook_inbox('00000000-0000-4000-8000-000000000130', 'meta_cloud', 'meta_app_secret') $$,
  $$ values (tests.tenant_id('tenant-a'), '1300001'::text, 'app-secret-130'::text) $$,
  'the service role reads an active inbox''s tenant, number and app secret');
select is(
  (select secret from private.webhook_inbox('00000000-0000-4000-8000-000000000130', 'meta_cloud', 'meta_verify_token')),
  'verify-token-130', 'and the secret of the kind asked for');
select is(
  (select count(*)::int from private.webhook_inbox('00000000-0000-4000-8000-000000000130', 'zapi', 'zapi_client_token')),
  0, 'an inbox asked for as another provider''s is not found');
select is(
  (select count(*)::int from private.webhook_inbox('00000000-0000-4000-8000-000000000131', 'meta_cloud', 'meta_app_secret')),
  0, 'a disabled inbox is not found');
select is(
  (select count(*)::int from private.webhook_inbox(gen_random_uuid(), 'meta_cloud', 'meta_app_secret')),
  0, 'an unknown inbox is not found');
select is(
  (select secret from private.webhook_inbox('00000000-0000-4000-8000-000000000132', 'zapi', 'evolution_api_key')),
  null, 'a secret the inbox does not have is null (the function then refuses every request)');

select tests.authenticate_as('owner_a');
select is(tests.raised($$ select * from private.webhook_inbox('00000000-0000-4000-8000-000000000130', 'meta_cloud', 'meta_app_secret') $$) ->> 'state',
  '42501', 'the owner is refused the inbox''s secrets');
select tests.clear_authentication();
select is(tests.raised($$ select * from private.webhook_inbox('00000000-0000-4000-8000-000000000130', 'meta_cloud', 'meta_app_secret') $$) ->> 'state',
  '42501', 'anon is refused the inbox''s secrets');

-- ─── store_webhook_event ─────────────────────────────────────────────────────────────────────
select tests.authenticate_as_service_role();
create temporary table stored on commit drop as
  select * from private.store_webhook_event('00000000-0000-4000-8000-000000000130', '{"object":"whatsapp_business_account","entry":[]}', '{"content-type": "application/json"}');
grant select on stored to service_role;
select is((select duplicate from stored), false, 'a new body is stored');
select results_eq(
  $$ select tenant_id, provider::text, raw_body, body_sha256, headers, status::text, attempts from public.webhook_events where id = (select event_id from stored) $$,
  $$ values (tests.tenant_id('tenant-a'), 'meta_cloud', '{"object":"whatsapp_business_account","entry":[]}',
             extensions.digest('{"object":"whatsapp_business_account","entry":[]}', 'sha256'), '{"content-type": "application/json"}'::jsonb, 'pending', 0) $$,
  'raw, with its tenant, provider, digest and headers, pending');
select isnt((select next_attempt_at from public.webhook_events where id = (select event_id from stored)), null,
  'due for processing at once');
select results_eq(
  $$ select event_id, duplicate from private.store_webhook_event('00000000-0000-4000-8000-000000000130', '{"object":"whatsapp_business_account","entry":[]}') $$,
  $$ select event_id, true from stored $$,
  'the same body again for the same inbox answers the event already kept');
select is((select count(*)::int from public.webhook_events where inbox_id = '00000000-0000-4000-8000-000000000130'), 1,
  'and stores nothing new');
select is(
  (select duplicate from private.store_webhook_event('00000000-0000-4000-8000-000000000130', '{"object":"whatsapp_business_account","entry":[] }')),
  false, 'a body differing by one byte is another event');
select is(
  (select duplicate from private.store_webhook_event('00000000-0000-4000-8000-000000000132', '{"object":"whatsapp_business_account","entry":[]}')),
  false, 'the same body for another inbox is another event');
select is(tests.error_code($$ select * from private.store_webhook_event(gen_random_uuid(), '{}') $$),
  'inbox_not_found', 'an unknown inbox is refused with inbox_not_found');
select is(tests.raised($$ select * from private.store_webhook_event('00000000-0000-4000-8000-000000000130', repeat('x', 3145729)) $$) ->> 'state',
  '23514', 'a body over 3 MB is refused by the table itself');

select is(tests.error_code($$ select * from private.store_webhook_event('00000000-0000-4000-8000-000000000131', '{"late": true}') $$),
  'inbox_not_found', 'a disabled inbox is refused by the store too (the function may have remembered it as active)');
select is(
  (select duplicate from private.store_webhook_event('00000000-0000-4000-8000-000000000130', '{"checked": 1}', '{}', 'meta_app_secret',
     (select secret_updated_at from private.webhook_inbox('00000000-0000-4000-8000-000000000130', 'meta_cloud', 'meta_app_secret')))),
  false, 'an event checked with the current secret is stored');
reset role;
update private.inbox_secrets set updated_at = now() + interval '1 second'
where inbox_id = '00000000-0000-4000-8000-000000000130' and kind = 'meta_app_secret';
select tests.authenticate_as_service_role();
select is(tests.error_code($$ select * from private.store_webhook_event('00000000-0000-4000-8000-000000000130', '{"checked": 2}', '{}', 'meta_app_secret', now()) $$),
  'inbox_secret_changed', 'an event checked with a secret set before the current one is refused');

select tests.authenticate_as('owner_a');
select is(tests.raised($$ select * from private.store_webhook_event('00000000-0000-4000-8000-000000000130', '{"forged": true}') $$) ->> 'state',
  '42501', 'the owner cannot store an event');
select tests.clear_authentication();
select is(tests.raised($$ select * from private.store_webhook_event('00000000-0000-4000-8000-000000000130', '{"forged": true}') $$) ->> 'state',
  '42501', 'anon cannot store an event');

select * from finish();
rollback;
