-- platform admin: the panel through which platform admins (profiles.is_platform_admin, set only by
-- the service role) list and read any tenant and suspend or reactivate it. They never read other
-- tenants through plain selects; every read through these functions is written to the audit log.
--
-- Who writes each table: none of its own; admin_set_tenant_status() writes tenants.status, the
-- one path to that column for a person.

-- Platform admins read other tenants only through these, and every call is audited.
create or replace function private.audit_platform_admin_read(target_tenant_id uuid, what text)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id)
  values (target_tenant_id, (select auth.uid()), 'platform_admin', 'read', what, target_tenant_id::text);
$$;

create or replace function private.assert_platform_admin()
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.is_platform_admin() then
    raise exception using errcode = '42501', constraint = 'platform_admin_only', message = 'only platform admins can use the admin panel';
  end if;
end;
$$;

create or replace function public.admin_list_tenants(search text default null, page_limit integer default 20, page_offset integer default 0)
returns table (id uuid, name text, slug text, plan public.tenant_plan, status public.tenant_status, member_count bigint, created_at timestamptz, total_count bigint)
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.assert_platform_admin();
  insert into public.audit_log (tenant_id, actor_id, actor_role, action, table_name, record_id, after)
  values (null, (select auth.uid()), 'platform_admin', 'read', 'tenants', null, pg_catalog.jsonb_build_object('search', search));
  return query
    select t.id, t.name, t.slug, t.plan, t.status,
           (select count(*) from public.memberships m where m.tenant_id = t.id),
           t.created_at,
           count(*) over ()
    from public.tenants t
    where search is null or t.name ilike '%' || search || '%' or t.slug ilike '%' || search || '%'
    order by t.created_at desc
    limit least(greatest(page_limit, 1), 100) offset greatest(page_offset, 0);
end;
$$;
comment on function public.admin_list_tenants(text, integer, integer) is
  'Platform admins only (42501 otherwise): every tenant with its member count; the read is audited.';

create or replace function public.admin_get_tenant(target_tenant_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  result jsonb;
begin
  perform private.assert_platform_admin();
  select pg_catalog.to_jsonb(t) || pg_catalog.jsonb_build_object(
           'members', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('user_id', m.user_id, 'role', m.role, 'email', p.email))
                                from public.memberships m left join public.profiles p on p.id = m.user_id
                                where m.tenant_id = t.id), '[]'::jsonb))
  into result
  from public.tenants t where t.id = target_tenant_id;
  if result is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'tenant not found';
  end if;
  perform private.audit_platform_admin_read(target_tenant_id, 'tenants');
  return result;
end;
$$;
comment on function public.admin_get_tenant(uuid) is
  'Platform admins only: one tenant with its members; the read is audited. Raises P0002 when absent.';

create or replace function public.admin_set_tenant_status(target_tenant_id uuid, new_status public.tenant_status)
returns public.tenants
language plpgsql
security definer
set search_path = ''
as $$
declare
  updated public.tenants;
begin
  perform private.assert_platform_admin();
  update public.tenants set status = new_status where id = target_tenant_id returning * into updated;
  if updated.id is null then
    raise exception using errcode = 'P0002', constraint = 'not_found', message = 'tenant not found';
  end if;
  return updated;
end;
$$;
comment on function public.admin_set_tenant_status(uuid, public.tenant_status) is
  'Platform admins only: suspend or reactivate a tenant (audited by the tenants trigger).';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function public.admin_list_tenants(text, integer, integer) to authenticated;
grant execute on function public.admin_get_tenant(uuid) to authenticated;
grant execute on function public.admin_set_tenant_status(uuid, public.tenant_status) to authenticated;
