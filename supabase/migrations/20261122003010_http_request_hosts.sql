-- The built-in tool http_request calls addresses the model chooses, but only on hosts the company
-- allows: public.tenants.http_request_hosts, set by owners and admins (change_tenant, the policy
-- that already guards the company's settings; audited with them). An entry is a host name
-- (`api.example.com`), every subdomain of one (`*.example.com`), or a host with a port
-- (`erp.example.com:8443`); lower case, at most 20. The egress module still refuses internal
-- addresses at call time whatever the list says, so a name here never opens the inside.

create or replace function private.are_request_hosts(hosts text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.cardinality(hosts) <= 20
     and pg_catalog.array_position(hosts, null) is null
     and (select pg_catalog.bool_and(
                   h ~ '^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+(:[0-9]{1,5})?$'
                   and pg_catalog.length(h) <= 253)
          from pg_catalog.unnest(hosts) h) is not false
     and (select pg_catalog.count(distinct h) = pg_catalog.count(*) from pg_catalog.unnest(hosts) h);
$$;
comment on function private.are_request_hosts(text[]) is
  'True when every entry is a lower-case host name, *.domain or host:port, without repeats, at most 20.';

alter table public.tenants
  add column http_request_hosts text[] not null default '{}'
  constraint tenants_http_request_hosts_valid check (private.are_request_hosts(http_request_hosts));
comment on column public.tenants.http_request_hosts is
  'Hosts the built-in http_request tool may call for this company (name, *.domain or host:port).';

grant update (http_request_hosts) on public.tenants to authenticated;
grant execute on function private.are_request_hosts(text[]) to authenticated, service_role;
