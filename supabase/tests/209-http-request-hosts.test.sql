-- The hosts a company's http_request tool may call (public.tenants.http_request_hosts): owners and
-- admins set them, members and analysts cannot, another company cannot, anon reads nothing; the
-- database refuses what is not a host name, *.domain or host:port, repeats and more than 20.
begin;
set search_path to public, extensions, tests;
select plan(12);

select tests.create_two_tenants();
reset role;

select tests.authenticate_as('owner_a');
select is((select http_request_hosts from public.tenants where slug = 'tenant-a'), '{}'::text[], 'none by default');
update public.tenants set http_request_hosts = '{api.example.com,*.erp.example.com,crm.example.com:8443}' where slug = 'tenant-a';
select is((select http_request_hosts from public.tenants where slug = 'tenant-a'), '{api.example.com,*.erp.example.com,crm.example.com:8443}'::text[], 'an owner sets names, *.domain and host:port');
select throws_ok($$update public.tenants set http_request_hosts = '{localhost}' where slug = 'tenant-a'$$, '23514', null, 'a name without a domain is refused');
select throws_ok($$update public.tenants set http_request_hosts = '{https://api.example.com}' where slug = 'tenant-a'$$, '23514', null, 'an address is not a host');
select throws_ok($$update public.tenants set http_request_hosts = '{API.example.com}' where slug = 'tenant-a'$$, '23514', null, 'upper case is refused (the API lowers it)');
select throws_ok($$update public.tenants set http_request_hosts = '{a.example.com,a.example.com}' where slug = 'tenant-a'$$, '23514', null, 'a repeat is refused');
select throws_ok($$update public.tenants set http_request_hosts = (select array_agg('h' || g || '.example.com') from generate_series(1, 21) g) where slug = 'tenant-a'$$,
  '23514', null, 'more than 20 are refused');

select tests.authenticate_as('admin_a');
update public.tenants set http_request_hosts = '{api.example.com}' where slug = 'tenant-a';
select is((select http_request_hosts from public.tenants where slug = 'tenant-a'), '{api.example.com}'::text[], 'an admin sets them too');

select tests.authenticate_as('member_a');
update public.tenants set http_request_hosts = '{evil.example.com}' where slug = 'tenant-a';
select is((select http_request_hosts from public.tenants where slug = 'tenant-a'), '{api.example.com}'::text[], 'a member changes nothing');
select tests.authenticate_as('analyst_a');
update public.tenants set http_request_hosts = '{evil.example.com}' where slug = 'tenant-a';
select is((select http_request_hosts from public.tenants where slug = 'tenant-a'), '{api.example.com}'::text[], 'nor an analyst');

select tests.authenticate_as('owner_b');
update public.tenants set http_request_hosts = '{evil.example.com}' where slug = 'tenant-a';
select tests.authenticate_as_service_role();
select is((select http_request_hosts from public.tenants where slug = 'tenant-a'), '{api.example.com}'::text[], 'another company''s owner changes nothing');

select tests.clear_authentication();
select throws_ok($$select http_request_hosts from public.tenants$$, '42501', null, 'anon reads nothing');

select * from finish();
rollback;
