-- The storage schema the platform bootstrap creates (scripts/stack/bootstrap/080-storage.sql) is
-- the one Supabase Storage leaves on a project: the columns of storage.buckets and
-- storage.objects, RLS on both, the API roles' grants, the helpers policies call, and the guard
-- against bare deletes. A migration can add a bucket and policies on storage.objects as on
-- Supabase, and those policies then decide per caller.

begin;
set search_path to public, extensions, tests;

select plan(32);

-- ─── tables and columns ──────────────────────────────────────────────────────────────────────
select columns_are('storage', 'buckets', array[
  'id', 'name', 'owner', 'created_at', 'updated_at', 'public', 'avif_autodetection', 'file_size_limit',
  'allowed_mime_types', 'owner_id', 'type', 'versioning_status'
], 'storage.buckets has the columns Supabase Storage gives it');
select columns_are('storage', 'objects', array[
  'id', 'bucket_id', 'name', 'owner', 'created_at', 'updated_at', 'last_accessed_at', 'metadata', 'path_tokens',
  'version', 'owner_id', 'user_metadata', 'archived_at', 'is_delete_marker', 'is_versioned'
], 'storage.objects has the columns Supabase Storage gives it');
select col_type_is('storage', 'buckets', 'file_size_limit', 'bigint', 'a bucket''s size limit is in bytes (bigint)');
select col_type_is('storage', 'objects', 'path_tokens', 'text[]', 'objects keep their path as tokens');
select has_index('storage', 'objects', 'bucketid_objname', 'an object name is unique within its bucket');
select tests.rls_enabled('storage', 'buckets');
select tests.rls_enabled('storage', 'objects');
select is((select tableowner::text from pg_tables where schemaname = 'storage' and tablename = 'objects'),
  'supabase_storage_admin', 'storage.objects belongs to supabase_storage_admin, as on Supabase');

-- ─── grants ──────────────────────────────────────────────────────────────────────────────────
select ok(has_table_privilege('anon', 'storage.objects', 'select, insert, update, delete'), 'anon holds every grant on storage.objects (RLS decides)');
select ok(has_table_privilege('authenticated', 'storage.objects', 'select, insert, update, delete'), 'authenticated holds every grant on storage.objects');
select ok(has_table_privilege('service_role', 'storage.buckets', 'select, insert, update, delete'), 'service_role holds every grant on storage.buckets');
select ok(has_schema_privilege('authenticated', 'storage', 'usage'), 'authenticated may use the storage schema');
select ok(has_function_privilege('authenticated', 'storage.foldername(text)', 'execute'), 'policies run as authenticated may call storage.foldername');

-- ─── helpers ─────────────────────────────────────────────────────────────────────────────────
select is(storage.foldername('tenant/document/1/report.final.pdf'), array['tenant', 'document', '1'], 'foldername answers the folders of a path');
select is(storage.foldername('report.pdf'), '{}'::text[], 'foldername of a top-level file is empty');
select is(storage.filename('tenant/document/1/report.final.pdf'), 'report.final.pdf', 'filename answers the last part of a path');
select is(storage.extension('tenant/document/1/report.final.pdf'), 'pdf', 'extension answers what follows the last dot');
select is(storage.extension('tenant/README'), 'README', 'extension of a name without a dot is the name, as on Supabase');
select is((select provolatile from pg_proc where oid = 'storage.filename(text)'::regprocedure), 'i', 'filename is immutable, so policies can use it freely');
select is(storage.operation(), null, 'storage.operation() is empty outside a Storage request');
select is(
  (select set_config('storage.operation', 'storage.object.upload', true) is not null and storage.allow_only_operation('object.upload')),
  true,
  'allow_only_operation matches the request''s operation with or without the storage. prefix'
);
select is(storage.allow_any_operation(array['object.list', 'storage.object.get_authenticated']), false, 'allow_any_operation refuses operations other than the current one');

-- ─── a migration's bucket and policies, decided per caller ───────────────────────────────────
select tests.create_supabase_user('storage_ana', 'storage.ana@renum.test');
select tests.create_supabase_user('storage_bruno', 'storage.bruno@renum.test');

select lives_ok(
  $$insert into storage.buckets (id, name, public) values ('pgtap-documents', 'pgtap-documents', false)$$,
  'a migration (as postgres) can add a bucket'
);
select lives_ok(
  $$create policy "pgtap: users upload to their folder" on storage.objects for insert to authenticated
      with check (bucket_id = 'pgtap-documents' and (storage.foldername(name))[1] = (select auth.uid())::text);
    create policy "pgtap: users read their folder" on storage.objects for select to authenticated
      using (bucket_id = 'pgtap-documents' and (storage.foldername(name))[1] = (select auth.uid())::text)$$,
  'a migration (as postgres) can create policies on storage.objects'
);

-- as ana
select tests.authenticate_as('storage_ana');
select lives_ok(
  format($$insert into storage.objects (bucket_id, name, owner_id) values ('pgtap-documents', '%s/a.txt', '%s')$$,
    tests.get_supabase_uid('storage_ana'), tests.get_supabase_uid('storage_ana')),
  'ana may add an object in her own folder'
);
select throws_ok(
  format($$insert into storage.objects (bucket_id, name) values ('pgtap-documents', '%s/planted.txt')$$, tests.get_supabase_uid('storage_bruno')),
  '42501', 'new row violates row-level security policy for table "objects"',
  'ana may not add an object in bruno''s folder'
);
select is((select count(*)::int from storage.objects where bucket_id = 'pgtap-documents'), 1, 'ana sees her object');

-- as bruno
select tests.authenticate_as('storage_bruno');
select is_empty($$select 1 from storage.objects where bucket_id = 'pgtap-documents'$$, 'bruno does not see ana''s object');

-- as anon
select tests.clear_authentication();
select is_empty($$select 1 from storage.objects where bucket_id = 'pgtap-documents'$$, 'anon sees no object');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('pgtap-documents', 'anon.txt')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'anon may not add an object'
);

-- as service
select tests.authenticate_as_service_role();
select is((select count(*)::int from storage.objects where bucket_id = 'pgtap-documents'), 1, 'the service role sees every object');
select throws_ok(
  $$delete from storage.objects where bucket_id = 'pgtap-documents'$$,
  '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
  'a bare delete is refused even for the service role: rows go through the Storage API with their files'
);

select * from finish();
rollback;
