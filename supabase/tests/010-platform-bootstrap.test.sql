-- The platform bootstrap (scripts/stack/bootstrap/*.sql) gives a plain Postgres what a Supabase
-- database has before any migration: roles, auth helpers, realtime broadcast, vault, pg_net's
-- queue, the realtime publication and Supabase's grants. These tests hold it to that.

begin;
set search_path to public, extensions, tests;
set local timezone to 'UTC';

select plan(111);

-- ─── roles ───────────────────────────────────────────────────────────────────────────────────
select ok(
  (select not rolcanlogin and not rolbypassrls from pg_roles where rolname = 'anon'),
  'anon exists, cannot log in and does not bypass RLS'
);
select ok(
  (select not rolcanlogin and not rolbypassrls from pg_roles where rolname = 'authenticated'),
  'authenticated exists, cannot log in and does not bypass RLS'
);
select ok(
  (select not rolcanlogin and rolbypassrls from pg_roles where rolname = 'service_role'),
  'service_role exists, cannot log in and bypasses RLS'
);
select ok(
  (select rolcanlogin and not rolinherit and not rolsuper from pg_roles where rolname = 'authenticator'),
  'authenticator can log in, does not inherit and is not a superuser'
);
select ok(
  pg_has_role('authenticator', 'anon', 'member')
    and pg_has_role('authenticator', 'authenticated', 'member')
    and pg_has_role('authenticator', 'service_role', 'member'),
  'authenticator is a member of anon, authenticated and service_role'
);
select ok(
  not pg_has_role('authenticator', 'postgres', 'member'),
  'authenticator is not a member of postgres'
);
select is(
  (select count(*)::int from pg_roles
   where rolname in ('supabase_admin', 'supabase_auth_admin', 'supabase_realtime_admin', 'dashboard_user')),
  4,
  'the platform admin roles exist'
);
select ok(
  (select rolcanlogin from pg_roles where rolname = 'supabase_auth_admin'),
  'supabase_auth_admin can log in, as GoTrue does on Supabase'
);
select ok(
  (select 'statement_timeout=8s' = any (setconfig) from pg_db_role_setting
   where setrole = 'authenticated'::regrole and setdatabase = 0),
  'authenticated has an 8s statement timeout'
);
select ok(
  (select 'statement_timeout=3s' = any (setconfig) from pg_db_role_setting
   where setrole = 'anon'::regrole and setdatabase = 0),
  'anon has a 3s statement timeout'
);

-- ─── schemas and grants ──────────────────────────────────────────────────────────────────────
select ok(
  (select count(*) = 5 from pg_namespace where nspname in ('auth', 'realtime', 'vault', 'net', 'extensions')),
  'the auth, realtime, vault, net and extensions schemas exist'
);
select ok(
  has_schema_privilege('anon', 'public', 'usage') and has_schema_privilege('authenticated', 'public', 'usage')
    and has_schema_privilege('service_role', 'public', 'usage'),
  'anon, authenticated and service_role may use schema public'
);
select ok(
  has_schema_privilege('anon', 'extensions', 'usage') and has_schema_privilege('authenticated', 'extensions', 'usage')
    and has_schema_privilege('service_role', 'extensions', 'usage'),
  'anon, authenticated and service_role may use schema extensions'
);
select ok(
  has_schema_privilege('anon', 'auth', 'usage') and has_schema_privilege('authenticated', 'auth', 'usage')
    and has_schema_privilege('service_role', 'auth', 'usage'),
  'anon, authenticated and service_role may use schema auth'
);
select ok(
  has_function_privilege('anon', 'auth.uid()', 'execute')
    and has_function_privilege('authenticated', 'auth.uid()', 'execute')
    and has_function_privilege('authenticated', 'auth.role()', 'execute')
    and has_function_privilege('authenticated', 'auth.email()', 'execute')
    and has_function_privilege('authenticated', 'auth.jwt()', 'execute')
    and has_function_privilege('service_role', 'auth.jwt()', 'execute'),
  'the API roles may execute auth.uid(), auth.role(), auth.email() and auth.jwt()'
);
select ok(
  not has_table_privilege('anon', 'auth.users', 'select')
    and not has_table_privilege('authenticated', 'auth.users', 'select')
    and not has_table_privilege('service_role', 'auth.users', 'select'),
  'auth.users is not readable by the API roles'
);
select ok(
  has_table_privilege('postgres', 'auth.users', 'select,insert,update,delete')
    and has_table_privilege('dashboard_user', 'auth.users', 'select,insert,update,delete')
    and has_table_privilege('supabase_auth_admin', 'auth.users', 'select,insert,update,delete'),
  'postgres, dashboard_user and supabase_auth_admin read and write auth.users'
);
select ok(
  exists (
    select from pg_default_acl a
    where a.defaclrole = 'supabase_admin'::regrole and a.defaclnamespace = 'public'::regnamespace and a.defaclobjtype = 'r'
      and exists (select from aclexplode(a.defaclacl) x where x.grantee = 'authenticated'::regrole and x.privilege_type = 'SELECT')
  ),
  'tables the platform creates in public are granted to the API roles by default, as on Supabase'
);

-- ─── extensions ──────────────────────────────────────────────────────────────────────────────
select is(
  (select e.extversion from pg_extension e where e.extname = 'pgcrypto'),
  (select default_version from pg_available_extensions where name = 'pgcrypto'),
  'pgcrypto is installed at its packaged version'
);
select is(
  (select n.nspname::text from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'),
  'extensions',
  'pgcrypto lives in the extensions schema'
);
select is(
  (select n.nspname::text from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'uuid-ossp'),
  'extensions',
  'uuid-ossp lives in the extensions schema'
);
select ok(
  length(extensions.crypt('pw', extensions.gen_salt('bf'))) = 60,
  'pgcrypto functions work from the extensions schema'
);

-- ─── auth.uid(), auth.role(), auth.email(), auth.jwt() ───────────────────────────────────────
select set_config('request.jwt.claim.sub', '', true), set_config('request.jwt.claim.role', '', true),
       set_config('request.jwt.claim.email', '', true), set_config('request.jwt.claim', '', true),
       set_config('request.jwt.claims', '', true);

select ok(
  auth.uid() is null and auth.role() is null and auth.email() is null and auth.jwt() is null,
  'without claims auth.uid(), auth.role(), auth.email() and auth.jwt() are null'
);

select set_config('request.jwt.claims',
  '{"sub": "8f8c1f7e-1c1a-4b51-9d55-0c56c1b0a001", "role": "authenticated", "email": "ana@example.test", "aud": "authenticated", "app_metadata": {"provider": "email"}}',
  true);

select is(auth.uid(), '8f8c1f7e-1c1a-4b51-9d55-0c56c1b0a001'::uuid, 'auth.uid() is the sub of request.jwt.claims');
select is(auth.role(), 'authenticated', 'auth.role() is the role of request.jwt.claims');
select is(auth.email(), 'ana@example.test', 'auth.email() is the email of request.jwt.claims');
select is(auth.jwt() ->> 'aud', 'authenticated', 'auth.jwt() returns the whole claims object');
select is(auth.jwt() -> 'app_metadata' ->> 'provider', 'email', 'auth.jwt() keeps nested claims');

select set_config('request.jwt.claims', '', true);
select set_config('request.jwt.claim.sub', '5d1a0f52-3d0c-4f8e-8d8e-2f3c5a6b7c8d', true),
       set_config('request.jwt.claim.role', 'service_role', true),
       set_config('request.jwt.claim.email', 'old@example.test', true),
       set_config('request.jwt.claim', '{"role": "service_role", "iss": "old"}', true);

select is(auth.uid(), '5d1a0f52-3d0c-4f8e-8d8e-2f3c5a6b7c8d'::uuid, 'auth.uid() reads the older request.jwt.claim.sub');
select is(auth.role(), 'service_role', 'auth.role() reads the older request.jwt.claim.role');
select is(auth.email(), 'old@example.test', 'auth.email() reads the older request.jwt.claim.email');
select is(auth.jwt() ->> 'iss', 'old', 'auth.jwt() reads the older request.jwt.claim');

select set_config('request.jwt.claim.sub', '', true), set_config('request.jwt.claim.role', '', true),
       set_config('request.jwt.claim.email', '', true), set_config('request.jwt.claim', '', true);

select is(
  (select provolatile::text from pg_proc where oid = 'auth.uid()'::regprocedure),
  's',
  'auth.uid() is stable'
);

-- ─── auth tables ─────────────────────────────────────────────────────────────────────────────
insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, email_confirmed_at)
values ('00000000-0000-0000-0000-000000000000', '11111111-1111-4111-8111-111111111111', 'authenticated', 'authenticated',
        'bob@example.test', '{"provider": "email", "providers": ["email"]}', '{}', now(), now(), now() - interval '1 day');

select is(
  (select confirmed_at from auth.users where id = '11111111-1111-4111-8111-111111111111'),
  (select email_confirmed_at from auth.users where id = '11111111-1111-4111-8111-111111111111'),
  'auth.users.confirmed_at is generated from email_confirmed_at'
);
select ok(
  (select not is_sso_user and not is_anonymous and email_change_token_current = '' and email_change_confirm_status = 0
   from auth.users where id = '11111111-1111-4111-8111-111111111111'),
  'auth.users gets GoTrue''s column defaults'
);
select throws_ok(
  $$insert into auth.users (id, email) values ('22222222-2222-4222-8222-222222222222', 'bob@example.test')$$,
  '23505',
  null,
  'a second non-SSO user with the same email is rejected'
);
select lives_ok(
  $$insert into auth.users (id, email, is_sso_user) values ('33333333-3333-4333-8333-333333333333', 'bob@example.test', true)$$,
  'an SSO user may share an email'
);

insert into auth.identities (provider_id, user_id, identity_data, provider)
values ('11111111-1111-4111-8111-111111111111', '11111111-1111-4111-8111-111111111111',
        '{"sub": "11111111-1111-4111-8111-111111111111", "email": "Bob@Example.TEST"}', 'email');
insert into auth.sessions (id, user_id, aal, created_at) values ('44444444-4444-4444-8444-444444444444', '11111111-1111-4111-8111-111111111111', 'aal1', now());
insert into auth.refresh_tokens (token, user_id, revoked, session_id)
values ('refresh-token-1', '11111111-1111-4111-8111-111111111111', false, '44444444-4444-4444-8444-444444444444');

select is(
  (select email from auth.identities where user_id = '11111111-1111-4111-8111-111111111111'),
  'bob@example.test',
  'auth.identities.email is generated, lower-cased, from identity_data'
);
select throws_ok(
  $$insert into auth.identities (provider_id, user_id, identity_data, provider)
    values ('11111111-1111-4111-8111-111111111111', '11111111-1111-4111-8111-111111111111', '{}', 'email')$$,
  '23505',
  null,
  'an identity is unique per (provider_id, provider)'
);
select throws_ok(
  $$insert into auth.sessions (id, user_id, aal) values (gen_random_uuid(), '11111111-1111-4111-8111-111111111111', 'aal9')$$,
  '22P02',
  null,
  'auth.sessions.aal only accepts auth.aal_level values'
);

delete from auth.users where id = '11111111-1111-4111-8111-111111111111';

select ok(
  not exists (select from auth.identities where user_id = '11111111-1111-4111-8111-111111111111')
    and not exists (select from auth.sessions where user_id = '11111111-1111-4111-8111-111111111111')
    and not exists (select from auth.refresh_tokens where token = 'refresh-token-1'),
  'deleting a user cascades to its identities, sessions and refresh tokens'
);
select tests.rls_enabled('auth');

-- ─── test helpers (000-setup-tests-schema) ───────────────────────────────────────────────────
select tests.create_supabase_user('platform_ana', 'ana.platform@example.test', null, '{"full_name": "Ana"}');

select is(
  tests.get_supabase_uid('platform_ana'),
  (select id from auth.users where email = 'ana.platform@example.test'),
  'tests.get_supabase_uid() finds the user created by tests.create_supabase_user()'
);

select tests.authenticate_as('platform_ana');

select is(current_user::text, 'authenticated', 'tests.authenticate_as() switches to the authenticated role');
select is(auth.uid(), tests.get_supabase_uid('platform_ana'), 'auth.uid() is the authenticated test user');
select is(
  (select array_agg(k order by k) from jsonb_object_keys(auth.jwt()) as k),
  array['aal', 'amr', 'app_metadata', 'aud', 'email', 'exp', 'iat', 'is_anonymous', 'iss', 'phone', 'role',
        'session_id', 'sub', 'user_metadata'],
  'tests.authenticate_as() sets the full claim set Supabase Auth issues'
);
select is(auth.jwt() -> 'user_metadata' ->> 'full_name', 'Ana', 'user_metadata carries the user''s metadata');

select tests.clear_authentication();

select is(current_user::text, 'anon', 'tests.clear_authentication() switches to anon');
select ok(auth.uid() is null and auth.role() = 'anon', 'after clear_authentication() the claims are anon''s');

select tests.authenticate_as_service_role();

select is(current_user::text, 'service_role', 'tests.authenticate_as_service_role() switches to service_role');

reset role;

create schema rls_probe;
create table rls_probe.without_rls (id int);
select check_test(tests.rls_enabled('rls_probe'), false, 'tests.rls_enabled() fails for a table without RLS');
alter table rls_probe.without_rls enable row level security;
select check_test(tests.rls_enabled('rls_probe'), true, 'tests.rls_enabled() passes once RLS is enabled');
select check_test(tests.rls_enabled('no_such_schema'), false, 'tests.rls_enabled() fails for a missing schema');

-- ─── realtime partitions ─────────────────────────────────────────────────────────────────────
select ok(
  exists (select from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'realtime.messages'::regclass and c.relname ~ '^messages_\d{4}_\d{2}_\d{2}$'),
  'the bootstrap created daily partitions of realtime.messages'
);
-- The stack calls this on every start; call it here too, so a long-running database is current.
select realtime.ensure_message_partitions();
select is(
  (select count(*)::int from generate_series(0, 3) as d
   where to_regclass('realtime.messages_' || to_char(current_date + d, 'YYYY_MM_DD')) is not null),
  4,
  'realtime.messages has partitions for today and the next 3 days'
);
select is(
  (select pg_get_expr(c.relpartbound, c.oid) from pg_class c
   where c.oid = ('realtime.messages_' || to_char(current_date, 'YYYY_MM_DD'))::regclass),
  format('FOR VALUES FROM (%L) TO (%L)', current_date::timestamp, (current_date + 1)::timestamp),
  'today''s partition covers exactly today'
);
select lives_ok(
  $$select realtime.ensure_message_partitions(); select realtime.ensure_message_partitions(3)$$,
  'realtime.ensure_message_partitions() is idempotent'
);
select ok(
  (select relrowsecurity from pg_class where oid = 'realtime.messages'::regclass),
  'realtime.messages has row level security enabled'
);
select ok(
  has_table_privilege('authenticated', 'realtime.messages', 'select,insert')
    and has_table_privilege('anon', 'realtime.messages', 'select,insert')
    and has_table_privilege('service_role', 'realtime.messages', 'select,insert'),
  'the API roles may select and insert realtime.messages (subject to RLS)'
);
select ok(
  not has_function_privilege('authenticated', 'realtime.ensure_message_partitions(integer)', 'execute')
    and not has_function_privilege('anon', 'realtime.ensure_message_partitions(integer)', 'execute'),
  'partition maintenance is not callable by anon or authenticated'
);

-- As on Supabase, no DEFAULT partition: a row for a day without a partition is refused.
select ok(
  not exists (select from pg_inherits i join pg_class c on c.oid = i.inhrelid
              where i.inhparent = 'realtime.messages'::regclass and pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'),
  'realtime.messages has no DEFAULT partition, as on Supabase'
);
select throws_ok(
  $$insert into realtime.messages (topic, extension, payload, inserted_at)
    values ('probe:future', 'broadcast', '{}', (current_date + 10)::timestamp + interval '5 hours')$$,
  '23514', 'no partition of relation "messages" found for row',
  'a message for a day without a partition is refused'
);

-- ─── realtime.send(), realtime.topic(), realtime.broadcast_changes() ─────────────────────────
select is(realtime.topic(), null, 'realtime.topic() is null outside a send');

select realtime.send('{"text": "hello"}', 'chat', 'room:platform-test');

select is(
  (select tableoid::regclass::text from realtime.messages where topic = 'room:platform-test'),
  'realtime.messages_' || to_char(current_date, 'YYYY_MM_DD'),
  'realtime.send() inserts into today''s partition'
);
select is(
  (select row(extension, event, private, payload ->> 'text')::text from realtime.messages where topic = 'room:platform-test'),
  row('broadcast', 'chat', true, 'hello')::text,
  'realtime.send() stores a private broadcast with its event and payload'
);
select is(
  (select (payload ->> 'id')::uuid = id from realtime.messages where topic = 'room:platform-test'),
  true,
  'realtime.send() adds the message id to the payload'
);
select is(realtime.topic(), 'room:platform-test', 'realtime.send() sets realtime.topic for the transaction');

-- Policies on realtime.messages see the topic being sent to.
create policy platform_test_send on realtime.messages
  for insert to authenticated
  with check ((select realtime.topic()) = topic and extension = 'broadcast' and topic like 'room:allowed%');

-- The rejected sends raise the warning WarnSendingBroadcastMessage; keep it out of the TAP output.
set local client_min_messages to error;
select tests.authenticate_as('platform_ana');
select realtime.send('{"n": 1}', 'ping', 'room:allowed-1', true);
select realtime.send('{"n": 2}', 'ping', 'room:denied-1', true);
reset role;

select ok(
  exists (select from realtime.messages where topic = 'room:allowed-1'),
  'an authenticated send allowed by a policy on realtime.topic() is stored'
);
select ok(
  not exists (select from realtime.messages where topic = 'room:denied-1'),
  'a send rejected by RLS stores nothing'
);
select lives_ok(
  $$set local role anon; select realtime.send('{}', 'ping', 'room:anon-1'); reset role$$,
  'a rejected send is a warning, not an error'
);
set local client_min_messages to warning;

create table tests.broadcast_probe (id int primary key, label text);
create function tests.broadcast_probe_changes() returns trigger
language plpgsql as $$
begin
  perform realtime.broadcast_changes(
    'probe:' || coalesce(new.id, old.id), tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;
create trigger broadcast_probe_changes after insert or update or delete on tests.broadcast_probe
  for each row execute function tests.broadcast_probe_changes();

insert into tests.broadcast_probe values (7, 'first');
update tests.broadcast_probe set label = 'second' where id = 7;
delete from tests.broadcast_probe where id = 7;

select is(
  (select array_agg(event order by inserted_at, event) from realtime.messages where topic = 'probe:7'),
  array['DELETE', 'INSERT', 'UPDATE'],
  'broadcast_changes() sends one message per row change, with the event name'
);
select is(
  (select payload - 'id' from realtime.messages where topic = 'probe:7' and event = 'UPDATE'),
  '{"old_record": {"id": 7, "label": "first"}, "record": {"id": 7, "label": "second"},
    "operation": "UPDATE", "table": "broadcast_probe", "schema": "tests"}'::jsonb,
  'broadcast_changes() payload is {old_record, record, operation, table, schema}'
);
select ok(
  (select payload -> 'record' = 'null'::jsonb and payload -> 'old_record' ->> 'label' = 'second' and private
   from realtime.messages where topic = 'probe:7' and event = 'DELETE'),
  'a DELETE broadcast carries the old record, a null record, and is private'
);
select throws_ok(
  $$select realtime.broadcast_changes('t', 'e', 'TRUNCATE', 'x', 'public', null::record, null::record)$$,
  'P0001',
  'Failed to process the row: Unexpected operation type: TRUNCATE',
  'broadcast_changes() rejects an unknown operation'
);

-- ─── vault ───────────────────────────────────────────────────────────────────────────────────
select ok(
  vault.create_secret('sk-test-Plaintext-123', 'platform_test_key', 'a test secret') is not null,
  'vault.create_secret() returns the new secret''s id'
);
select is(
  (select decrypted_secret from vault.decrypted_secrets where name = 'platform_test_key'),
  'sk-test-Plaintext-123',
  'vault.decrypted_secrets returns the plaintext'
);
select ok(
  (select secret <> 'sk-test-Plaintext-123' and position('Plaintext' in secret) = 0 and secret like '-----BEGIN PGP MESSAGE-----%'
   from vault.secrets where name = 'platform_test_key'),
  'vault.secrets stores only ciphertext'
);

select vault.update_secret((select id from vault.secrets where name = 'platform_test_key'), 'sk-test-rotated');

select is(
  (select row(decrypted_secret, name, description)::text from vault.decrypted_secrets where name = 'platform_test_key'),
  row('sk-test-rotated', 'platform_test_key', 'a test secret')::text,
  'vault.update_secret() re-encrypts the secret and keeps name and description'
);

select vault.create_secret('other-value', 'platform_test_other');

select throws_ok(
  $$select vault._decrypt((select secret from vault.secrets where name = 'platform_test_key'),
                          (select id from vault.secrets where name = 'platform_test_other'))$$,
  null,
  null,
  'a ciphertext read as another secret''s does not decrypt'
);
select throws_ok(
  $$select vault.create_secret('x', 'platform_test_key')$$,
  '23505',
  null,
  'secret names are unique'
);

select tests.authenticate_as('platform_ana');
select throws_ok(
  $$select * from vault.decrypted_secrets$$,
  '42501',
  null,
  'authenticated cannot read vault.decrypted_secrets'
);
select throws_ok(
  $$select vault.create_secret('x')$$,
  '42501',
  null,
  'authenticated cannot create vault secrets'
);
select tests.clear_authentication();
select throws_ok(
  $$select * from vault.secrets$$,
  '42501',
  null,
  'anon cannot read vault.secrets'
);
select tests.authenticate_as_service_role();
select is(
  (select decrypted_secret from vault.decrypted_secrets where name = 'platform_test_key'),
  'sk-test-rotated',
  'service_role reads vault.decrypted_secrets'
);
select throws_ok(
  $$select vault._root_key()$$,
  '42501',
  null,
  'service_role cannot read the vault root key'
);
reset role;

-- ─── the postgres role: hosted Supabase's privileges, so what fails on deploy fails here ──────
-- pg_prove, like migrations, seed and the functions, connects as postgres.
select is(current_user::text, 'postgres', 'the tests, like migrations, run as postgres');
select ok(
  (select not rolsuper and rolcreatedb and rolcreaterole and rolcanlogin and rolreplication and rolbypassrls
   from pg_roles where rolname = 'postgres'),
  'postgres is NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS, as Supabase demotes it'
);
select ok(
  (select rolsuper from pg_roles where rolname = 'supabase_admin'),
  'supabase_admin is the superuser'
);
select is(
  (select pg_get_userbyid(datdba)::text from pg_database where datname = current_database()),
  'postgres',
  'postgres owns the database, and so may create schemas and, through pg_database_owner, public'
);
select ok(
  has_database_privilege('postgres', current_database(), 'create')
    and has_schema_privilege('postgres', 'public', 'create')
    and has_schema_privilege('postgres', 'extensions', 'create'),
  'postgres may create in the database, in public and in extensions'
);
select ok(
  has_table_privilege('postgres', 'vault.secrets', 'select')
    and has_table_privilege('postgres', 'vault.secrets', 'delete')
    and has_table_privilege('postgres', 'vault.decrypted_secrets', 'select'),
  'postgres may read and delete vault secrets'
);
select ok(
  not has_table_privilege('postgres', 'vault.secrets', 'insert')
    and not has_table_privilege('postgres', 'vault.secrets', 'update')
    and not has_table_privilege('postgres', 'vault.secrets', 'truncate')
    and not has_table_privilege('postgres', 'vault.secrets', 'references')
    and not has_table_privilege('postgres', 'vault.secrets', 'trigger'),
  'postgres may not insert, update, truncate, reference or trigger on vault.secrets'
);
select throws_ok(
  $$update vault.secrets set description = 'changed' where name = 'platform_test_key'$$,
  '42501',
  'permission denied for table secrets',
  'postgres changes a secret only through vault.update_secret()'
);
select throws_ok(
  $$insert into vault.secrets (secret) values ('plain')$$,
  '42501',
  'permission denied for table secrets',
  'postgres adds a secret only through vault.create_secret()'
);
select ok(
  has_function_privilege('postgres', 'vault.create_secret(text, text, text, uuid)', 'execute')
    and has_function_privilege('postgres', 'vault.update_secret(uuid, text, text, text, uuid)', 'execute'),
  'postgres may create and update secrets through the vault functions'
);
select throws_ok(
  $$select vault._root_key()$$,
  '42501',
  null,
  'postgres cannot read the vault root key'
);
select ok(
  has_table_privilege('postgres', 'cron.job', 'select')
    and not has_table_privilege('postgres', 'cron.job', 'update')
    and not has_table_privilege('postgres', 'cron.job', 'insert')
    and has_function_privilege('postgres', 'cron.schedule(text, text, text)', 'execute')
    and has_function_privilege('postgres', 'cron.alter_job(bigint, text, text, text, text, boolean)', 'execute')
    and has_function_privilege('postgres', 'cron.unschedule(name)', 'execute'),
  'postgres reads cron.job and changes jobs only through cron.schedule(), cron.alter_job() and cron.unschedule()'
);
select throws_ok(
  $$create extension pageinspect$$,
  '42501',
  null,
  'postgres cannot create an extension that needs a superuser'
);
select throws_ok(
  $$create function tests.platform_probe_trigger() returns event_trigger language plpgsql as 'begin end';
    create event trigger platform_probe on ddl_command_start execute function tests.platform_probe_trigger()$$,
  '42501',
  null,
  'postgres cannot create an event trigger'
);
select throws_ok(
  $$select pg_read_file('postgresql.conf')$$,
  '42501',
  null,
  'postgres cannot read the server''s files'
);
select throws_ok(
  $$set role supabase_admin$$,
  '42501',
  null,
  'postgres cannot become the superuser'
);

-- ─── net (pg_net's queue) ────────────────────────────────────────────────────────────────────
select ok(
  net.http_post(
    url := 'https://hooks.example.test/run',
    body := '{"job": 1}',
    params := '{"tenant": "a b&c/ü"}',
    headers := '{"Authorization": "Bearer t"}'
  ) > 0,
  'net.http_post() returns a request id'
);
select is(
  (select row(method, url, headers ->> 'Content-Type', headers ->> 'Authorization', convert_from(body, 'UTF8'), timeout_milliseconds)::text
   from net.http_request_queue order by id desc limit 1),
  row('POST', 'https://hooks.example.test/run?tenant=a%20b%26c%2F%C3%BC', 'application/json', 'Bearer t', '{"job": 1}', 5000)::text,
  'net.http_post() queues the request with the params url-encoded into the url'
);
select set_config('test.get_id', net.http_get('http://127.0.0.1:9/x?a=1', '{"b": "2"}')::text, true),
       set_config('test.delete_id', net.http_delete('http://example.test')::text, true);
select is(
  (select url from net.http_request_queue where id = current_setting('test.get_id')::bigint),
  'http://127.0.0.1:9/x?a=1&b=2',
  'net.http_get() appends params to an existing query string'
);
select is(
  (select row(method, url, body)::text from net.http_request_queue where id = current_setting('test.delete_id')::bigint),
  row('DELETE', 'http://example.test/', null)::text,
  'net.http_delete() queues a DELETE without a body'
);
select throws_ok(
  $$select net.http_post('https://example.test', '{}', '{}', '{"Content-Type": "text/plain"}')$$,
  'P0001',
  'Content-Type header must be "application/json"',
  'net.http_post() only sends JSON'
);
select throws_ok(
  $$select net.http_get('not a url')$$,
  'P0001',
  'URL using bad/illegal format or missing URL',
  'net.http_get() rejects a malformed URL'
);
select tests.authenticate_as('platform_ana');
select ok(
  net.http_get('http://example.test/from-authenticated') > 0,
  'authenticated may queue a request with net.http_get()'
);
select throws_ok(
  $$select * from net._http_response$$,
  '42501',
  null,
  'authenticated cannot read net._http_response'
);
reset role;
select ok(
  exists (
    select from pg_trigger
    where tgrelid = 'net.http_request_queue'::regclass and tgname = 'notify_request_queued' and tgenabled = 'O'
  ),
  'queued requests notify net_request_queued'
);

-- ─── publication ─────────────────────────────────────────────────────────────────────────────
select ok(
  exists (select from pg_publication where pubname = 'supabase_realtime'),
  'the supabase_realtime publication exists'
);

select * from finish();
rollback;
