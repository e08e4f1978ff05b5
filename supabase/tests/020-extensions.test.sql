-- The extensions migration: what Renum needs from Postgres, where Supabase puts it, a `private`
-- schema no API role can reach, and deny-by-default execute on new functions.

begin;
set search_path to public, extensions, tests;

select plan(16);

-- ─── extensions at their versions ────────────────────────────────────────────────────────────
select is(
  (select n.nspname::text from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'vector'),
  'extensions',
  'vector is installed in the extensions schema'
);
select ok(
  (select string_to_array(extversion, '.')::int[] >= '{0,8,0}' from pg_extension where extname = 'vector'),
  'vector is at 0.8.0 or newer (halfvec, sparsevec and iterative index scans)'
);
select is(
  (select n.nspname::text from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgcrypto'),
  'extensions',
  'pgcrypto is installed in the extensions schema'
);
select isnt_empty($$ select 1 from pg_extension where extname = 'pg_cron' $$, 'pg_cron is installed');
select has_schema('cron', 'pg_cron keeps its jobs in the cron schema');
select is(
  extensions.vector_dims('[1,2,3]'::extensions.vector),
  3,
  'vector values work'
);
select is(
  ('[1,2,3]'::extensions.vector operator(extensions.<->) '[1,2,4]'::extensions.vector)::numeric,
  1::numeric,
  'vector distance operators work'
);
select ok(
  (with stored as (select extensions.crypt('secret', extensions.gen_salt('bf')) as hash)
   select extensions.crypt('secret', hash) = hash and extensions.crypt('wrong', hash) <> hash from stored),
  'pgcrypto bcrypt hashes verify the right password and reject a wrong one'
);

-- ─── the private schema ──────────────────────────────────────────────────────────────────────
select has_schema('private', 'the private schema exists');
select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon cannot use the private schema');
select ok(not has_schema_privilege('authenticated', 'private', 'usage'), 'authenticated cannot use the private schema');
select ok(has_schema_privilege('service_role', 'private', 'usage'), 'service_role can use the private schema');

-- ─── deny by default: a new function is callable only once granted ───────────────────────────
create function public.renum_test_new_function() returns int language sql as $$ select 42 $$;
select ok(
  not has_function_privilege('anon', 'public.renum_test_new_function()', 'execute'),
  'anon cannot execute a function a migration just created'
);
select ok(
  not has_function_privilege('authenticated', 'public.renum_test_new_function()', 'execute'),
  'authenticated cannot execute a function a migration just created'
);
select ok(
  has_function_privilege('service_role', 'public.renum_test_new_function()', 'execute'),
  'service_role can execute it (Supabase grants it on public)'
);

select tests.clear_authentication();
select throws_ok(
  $$ select public.renum_test_new_function() $$,
  '42501',
  'permission denied for function renum_test_new_function',
  'calling it as anon is refused'
);

select * from finish();
rollback;
