-- Which key pays for a knowledge base's OpenAI-compatible embeddings: only an openai or
-- openai-compatible key an owner or admin shared with the base's company (its owner still a
-- member), chosen by those who manage knowledge; checked again at every use, and decrypted only by
-- the service role, audited.
--
-- Cast: tenant A (owner_a, admin_a, member_a, analyst_a), tenant B (owner_b, member_b), anon and
-- the service role.
begin;
set search_path to public, extensions, tests;

select plan(25);

select tests.create_two_tenants();

-- Keys: admin_a's company openai-compatible key (shared below), member_a's company key (unshared),
-- member_a's personal key, owner_b's shared key of tenant B, admin_a's company anthropic key (shared).
select tests.authenticate_as('admin_a');
select public.set_provider_key('openai-compatible', 'sk-admin-a-embed-0001', tests.tenant_id('tenant-a'), 'https://embed.example.com/v1');
select public.set_provider_key('anthropic', 'sk-admin-a-anth-0002', tests.tenant_id('tenant-a'));
select public.set_provider_key_sharing(tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a'), true);
select public.set_provider_key_sharing(tests.provider_key_id('admin_a', 'anthropic', 'tenant-a'), true);
select tests.authenticate_as('member_a');
select public.set_provider_key('openai', 'sk-member-a-company-0003', tests.tenant_id('tenant-a'));
select public.set_provider_key('openai', 'sk-member-a-personal-0004');
select tests.authenticate_as('owner_b');
select public.set_provider_key('openai', 'sk-owner-b-company-0005', tests.tenant_id('tenant-b'));
select public.set_provider_key_sharing(tests.provider_key_id('owner_b', 'openai', 'tenant-b'), true);

-- ─── choosing the key ────────────────────────────────────────────────────────────────────────
select tests.authenticate_as('member_a');
select is(
  tests.error_code(format($$ insert into public.knowledge_bases (tenant_id, name, embedder, created_by)
                            values (%L, 'Sem chave', 'openai_compatible', auth.uid()) $$, tests.tenant_id('tenant-a'))),
  'embedding_key_required', 'an openai_compatible base needs a key'
);
select is(
  tests.error_code(format($$ insert into public.knowledge_bases (tenant_id, name, embedder, embedding_key_id, created_by)
                            values (%L, 'Minha', 'openai_compatible', %L, auth.uid()) $$,
                          tests.tenant_id('tenant-a'), tests.provider_key_id('member_a', 'openai', 'tenant-a'))),
  'embedding_key_not_usable', 'a member cannot make the company pay with their own unshared company key'
);
select is(
  tests.error_code(format($$ insert into public.knowledge_bases (tenant_id, name, embedder, embedding_key_id, created_by)
                            values (%L, 'Pessoal', 'openai_compatible', %L, auth.uid()) $$,
                          tests.tenant_id('tenant-a'), tests.provider_key_id('member_a', 'openai', null))),
  'embedding_key_not_usable', 'nor with their personal key'
);
select is(
  tests.error_code(format($$ insert into public.knowledge_bases (tenant_id, name, embedder, embedding_key_id, created_by)
                            values (%L, 'Alheia', 'openai_compatible', %L, auth.uid()) $$,
                          tests.tenant_id('tenant-a'), tests.provider_key_id('owner_b', 'openai', 'tenant-b'))),
  'embedding_key_not_usable', 'nor with another company''s shared key'
);
select is(
  tests.error_code(format($$ insert into public.knowledge_bases (tenant_id, name, embedder, embedding_key_id, created_by)
                            values (%L, 'Anthropic', 'openai_compatible', %L, auth.uid()) $$,
                          tests.tenant_id('tenant-a'), tests.provider_key_id('admin_a', 'anthropic', 'tenant-a'))),
  'embedding_key_not_usable', 'nor with a shared key of a service that makes no embeddings'
);
select is(
  tests.error_code(format($$ insert into public.knowledge_bases (tenant_id, name, embedding_key_id, created_by)
                            values (%L, 'Lexical', %L, auth.uid()) $$,
                          tests.tenant_id('tenant-a'), tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a'))),
  'embedding_key_not_accepted', 'a lexical base takes no key'
);
select lives_ok(
  format($$ insert into public.knowledge_bases (tenant_id, name, embedder, embedding_key_id, created_by)
            values (%L, 'Semântica', 'openai_compatible', %L, auth.uid()) $$,
         tests.tenant_id('tenant-a'), tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a')),
  'a member who manages knowledge picks a key an admin shared with the company'
);
select is((select embedding_model from public.knowledge_bases where name = 'Semântica'), 'text-embedding-3-small',
  'an OpenAI-compatible base takes OpenAI''s model by default');
insert into public.knowledge_bases (tenant_id, name, created_by) values (tests.tenant_id('tenant-a'), 'Comum', auth.uid());
select is(
  tests.error_code(format($$ update public.knowledge_bases set embedding_key_id = %L where name = 'Semântica' $$,
                          tests.provider_key_id('member_a', 'openai', 'tenant-a'))),
  'embedding_key_not_usable', 'changing the key is checked as choosing it'
);

select tests.authenticate_as('analyst_a');
update public.knowledge_bases set embedding_key_id = null where name = 'Semântica';
select isnt((select embedding_key_id from public.knowledge_bases where name = 'Semântica'), null, 'an analyst changes no base''s key (RLS)');

select tests.authenticate_as('member_b');
select is((select count(*)::int from public.knowledge_bases where name = 'Semântica'), 0, 'another company''s member sees no base');

select tests.clear_authentication();
select throws_ok($$ select * from private.knowledge_base_embedding_key(gen_random_uuid()) $$, '42501', null, 'anon cannot look a base''s key up');

-- ─── using the key: only the service role, only while usable ────────────────────────────────
select tests.authenticate_as('member_a');
create temporary table bases as select id, name from public.knowledge_bases where tenant_id = tests.tenant_id('tenant-a');
grant select on bases to authenticated, service_role;
select throws_ok(
  format($$ select * from private.decrypt_knowledge_base_key(%L, 'search', auth.uid()) $$, (select id from bases where name = 'Semântica')),
  '42501', null, 'a member cannot decrypt a base''s key'
);

select tests.authenticate_as_service_role();
select is(
  (select row(api_key, key_service, endpoint_url)::text from private.decrypt_knowledge_base_key((select id from bases where name = 'Semântica'), 'ingest', tests.get_supabase_uid('member_a'))),
  row('sk-admin-a-embed-0001', 'openai-compatible', 'https://embed.example.com/v1')::text,
  'the service role decrypts the base''s key with the address it goes to'
);
select is(
  (select row(actor_id, after ->> 'key_owner_id')::text from public.audit_log
   where action = 'decrypt' and record_id = tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a')::text order by id desc limit 1),
  row(tests.get_supabase_uid('member_a'), tests.get_supabase_uid('admin_a'))::text,
  'audited in the name of whose action needed it, naming the key''s owner'
);
select is(
  tests.error_code(format($$ select * from private.decrypt_knowledge_base_key(%L, 'search', null) $$, (select id from bases where name = 'Comum'))),
  'embedding_key_unavailable', 'a lexical base has no key to decrypt'
);

-- Unshared: the base keeps naming the key, but may not use it any more.
select tests.authenticate_as('owner_a');
select public.set_provider_key_sharing(tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a'), false);
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.knowledge_base_embedding_key((select id from bases where name = 'Semântica'))), 0,
  'an unshared key is no longer the base''s to use');
select is(
  tests.error_code(format($$ select * from private.decrypt_knowledge_base_key(%L, 'ingest', null) $$, (select id from bases where name = 'Semântica'))),
  'embedding_key_unavailable', 'and is not decrypted for it'
);
select tests.authenticate_as('owner_a');
select public.set_provider_key_sharing(tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a'), true);

-- Its owner leaves the company: the key stops with them.
reset role;
delete from public.memberships where user_id = tests.get_supabase_uid('admin_a') and tenant_id = tests.tenant_id('tenant-a');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.knowledge_base_embedding_key((select id from bases where name = 'Semântica'))), 0,
  'a key whose owner left the company is no longer usable');
reset role;
insert into public.memberships (tenant_id, user_id, role) values (tests.tenant_id('tenant-a'), tests.get_supabase_uid('admin_a'), 'admin');
select tests.authenticate_as_service_role();
select is((select key_service from private.knowledge_base_embedding_key((select id from bases where name = 'Semântica'))), 'openai-compatible',
  'back in the company, shared: usable again');

-- Replaced by its owner: the base loses the key (the new one is unshared until shared and chosen).
select tests.authenticate_as('admin_a');
select public.set_provider_key('openai-compatible', 'sk-admin-a-embed-0006', tests.tenant_id('tenant-a'), 'https://embed.example.com/v1');
select is((select embedding_key_id from public.knowledge_bases where name = 'Semântica'), null, 'a replaced key leaves the base without one');
select public.set_provider_key_sharing(tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a'), true);
select tests.authenticate_as('member_a');
select lives_ok(
  format($$ update public.knowledge_bases set embedding_key_id = %L where name = 'Semântica' $$,
         tests.provider_key_id('admin_a', 'openai-compatible', 'tenant-a')),
  'a knowledge manager chooses the new shared key'
);
-- The embedder itself changes too, re-embedding every document (20261122002070, pgTAP 155).
update public.knowledge_bases set embedder = 'lexical' where name = 'Semântica';
select is(
  (select row(embedder, embedding_key_id)::text from public.knowledge_bases where name = 'Semântica'),
  row('lexical', null)::text, 'a base leaving openai_compatible lets its key go'
);

select tests.authenticate_as('owner_b');
select is(
  tests.error_code(format($$ update public.knowledge_bases set embedding_key_id = %L where name = 'Comum' $$,
                          tests.provider_key_id('owner_b', 'openai', 'tenant-b'))),
  null, 'another company''s owner changes nothing (the base is not theirs to see)'
);
select tests.authenticate_as_service_role();
select is((select embedding_key_id from public.knowledge_bases where name = 'Comum'), null, 'and the base stays as it was');

select * from finish();
rollback;
