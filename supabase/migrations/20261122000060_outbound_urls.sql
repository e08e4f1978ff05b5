-- outbound urls: the database's rule for every address a user stores for Renum to call (an agent's
-- config.base_url, a company's agents_endpoint_url): http(s), no user:password@, and no internal
-- host written literally — loopback, private, link-local and cloud metadata, CGNAT, multicast,
-- unspecified, documentation, benchmarking and reserved ranges, in any notation WHATWG URL parsing
-- accepts (2130706433, 0x7f.1, 0177.0.0.1, 127.1, [::ffff:127.0.0.1], ...), and names that are
-- internal whatever DNS says (localhost, *.internal, metadata, single labels).
--
-- It is the rule for callers that reach the tables without the API (PostgREST). The API also
-- resolves names (supabase/functions/_shared/outbound-address.ts), and every request is checked
-- again when it is made (supabase/functions/_shared/egress.ts): DNS can change after storing.
--
-- The local stack's fake servers on 127.0.0.1 are let through by the Vault secret
-- `renum_egress_allow_private` ("127.0.0.1:57230-57269,..."), which only the local stack stores;
-- production has none.

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────

-- WHATWG's IPv4 parser: 1 to 4 dot-separated parts, each decimal, 0x-hex or 0-octal, the last
-- filling the remaining bytes ("127.1" is 127.0.0.1). Null when the host is not one.
create or replace function private.whatwg_ipv4(host text)
returns inet
language plpgsql
immutable
set search_path = ''
as $$
declare
  parts text[] := pg_catalog.string_to_array(pg_catalog.regexp_replace(host, '\.$', ''), '.');
  part text;
  numbers numeric[] := '{}'::numeric[];
  value numeric := 0;
  n integer;
begin
  if host is null or host = '' or pg_catalog.array_length(parts, 1) > 4 then return null; end if;
  foreach part in array parts loop
    if part ~* '^0x[0-9a-f]*$' then
      numbers := numbers || (select coalesce(sum((pg_catalog.strpos('0123456789abcdef', pg_catalog.lower(d)) - 1) * 16::numeric ^ (pg_catalog.length(part) - 2 - i)), 0)
                             from pg_catalog.regexp_split_to_table(pg_catalog.substr(part, 3), '') with ordinality as t(d, i));
    elsif part ~ '^0[0-7]+$' then
      numbers := numbers || (select sum(d::numeric * 8::numeric ^ (pg_catalog.length(part) - 1 - i))
                             from pg_catalog.regexp_split_to_table(pg_catalog.substr(part, 2), '') with ordinality as t(d, i));
    elsif part ~ '^[0-9]+$' then
      numbers := numbers || part::numeric;
    else
      return null;
    end if;
  end loop;
  n := pg_catalog.array_length(numbers, 1);
  for i in 1 .. n - 1 loop
    if numbers[i] > 255 then return null; end if;
    value := value + numbers[i] * 256::numeric ^ (4 - i);
  end loop;
  if numbers[n] >= 256::numeric ^ (5 - n) then return null; end if;
  value := value + numbers[n];
  return '0.0.0.0'::inet + value::bigint;
end;
$$;
comment on function private.whatwg_ipv4(text) is
  'The IPv4 address a URL host stands for under WHATWG URL parsing (decimal, hex, octal, short forms), or null. Pure; anyone may call it.';

-- Why Renum must not call `url`, or null when it may. Reads the local stack's allow-list from Vault.
create or replace function private.outbound_url_refusal(url text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  authority text;
  host text;
  port integer;
  address inet;
  allowed text;
begin
  if url is null then return null; end if;
  if url !~* '^https?://' then return 'only http and https addresses are called'; end if;
  -- WHATWG ends the authority at /, ?, # and, for http(s), a backslash.
  authority := pg_catalog.substring(url, '^[A-Za-z]+://([^/?#\\]*)');
  if pg_catalog.strpos(authority, '@') > 0 then return 'the address carries a user name or password; give keys separately'; end if;
  if authority ~ '^\[' then
    host := pg_catalog.substring(authority, '^\[([^\]]*)\]');
    port := nullif(pg_catalog.substring(authority, '^\[[^\]]*\]:([0-9]+)$'), '')::integer;
  else
    host := pg_catalog.split_part(authority, ':', 1);
    port := nullif(pg_catalog.substring(authority, ':([0-9]+)$'), '')::integer;
  end if;
  port := coalesce(port, case when url ~* '^https' then 443 else 80 end);
  -- What the URL parser would make of it: compatibility forms (fullwidth digits, ideographic dots).
  host := pg_catalog.lower(pg_catalog.translate(pg_catalog.normalize(coalesce(host, ''), 'NFKC'), '。．｡', '...'));
  if host = '' or pg_catalog.strpos(host, '%') > 0 then return 'the address has no valid host'; end if;

  if pg_catalog.strpos(host, ':') > 0 then
    begin
      address := host::inet;
    exception when others then
      return 'the address has no valid host';
    end;
  elsif pg_catalog.split_part(pg_catalog.regexp_replace(host, '\.$', ''), '.', -1) ~* '^(0x[0-9a-f]*|[0-9]+)$' then
    address := private.whatwg_ipv4(host);
    if address is null then return 'the address has no valid host'; end if;
  else
    host := pg_catalog.regexp_replace(host, '\.+$', '');
    if host in ('localhost', 'metadata', 'instance-data') or host !~ '\.'
       or host ~ '\.(localhost|local|internal|localdomain|home\.arpa)$' then
      return pg_catalog.format('%s is an internal name; Renum only calls public addresses', host);
    end if;
    return null;
  end if;

  -- IPv4 written as IPv6 (mapped, translated) is judged as the IPv4 address it carries.
  if pg_catalog.family(address) = 6 and address <<= '::ffff:0:0/96' then
    address := '0.0.0.0'::inet + (address - '::ffff:0:0'::inet);
  elsif pg_catalog.family(address) = 6 and address <<= '::ffff:0:0:0/96' then
    address := '0.0.0.0'::inet + (address - '::ffff:0:0:0'::inet);
  end if;
  if (pg_catalog.family(address) = 4 and not address <<= any (array[
        '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
        '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15',
        '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4']::inet[]))
     -- IPv6: global unicast only, less its special blocks (Teredo/ORCHID/benchmarking, documentation,
     -- 6to4, the new documentation block). NAT64 and IPv4-compatible forms lie outside 2000::/3.
     or (pg_catalog.family(address) = 6 and address <<= '2000::/3' and not address <<= any (array[
        '2001::/23', '2001:db8::/32', '2002::/16', '3fff::/20']::inet[])) then
    return null;
  end if;

  select s.decrypted_secret into allowed from vault.decrypted_secrets s where s.name = 'renum_egress_allow_private';
  if allowed is not null then
    begin
      if exists (
        select 1
        from pg_catalog.regexp_split_to_table(allowed, '\s*,\s*') e,
             pg_catalog.regexp_match(e, '^\[?([0-9a-fA-F:.]+)\]?:([0-9]{1,5})(?:-([0-9]{1,5}))?$') m
        where m is not null and address = m[1]::inet and port between m[2]::integer and coalesce(m[3], m[2])::integer
      ) then
        return null;
      end if;
    exception when invalid_text_representation then
      null; -- a malformed allow-list lets nothing through
    end;
  end if;
  return pg_catalog.format('%s is an internal address; Renum only calls public addresses', pg_catalog.host(address));
end;
$$;
comment on function private.outbound_url_refusal(text) is
  'Why Renum must not call the URL (scheme, credentials, internal host written literally, internal name), or null when it may. Security definer to read the local allow-list from Vault; callable by authenticated and service_role (check constraints and triggers).';

-- For check constraints and triggers: true, or raises P0001 `address_not_allowed` naming `field`.
create or replace function private.assert_outbound_url(url text, field text)
returns boolean
language plpgsql
stable
security definer -- a CHECK runs it as the writing role, which cannot look names up in private
set search_path = ''
as $$
declare
  refusal text := private.outbound_url_refusal(url);
begin
  if refusal is not null then
    raise exception using errcode = 'P0001', constraint = 'address_not_allowed',
      message = pg_catalog.format('%s: %s.', field, refusal),
      hint = 'Give the public address of the service (https://...); Renum never calls internal networks.';
  end if;
  return true;
end;
$$;
comment on function private.assert_outbound_url(text, text) is
  'True when Renum may call the URL; otherwise raises P0001 with constraint address_not_allowed and a message naming the field. Security definer because CHECK constraints run it as the writing role; callable by authenticated and service_role.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.whatwg_ipv4(text) to authenticated, service_role;
grant execute on function private.outbound_url_refusal(text) to authenticated, service_role;
grant execute on function private.assert_outbound_url(text, text) to authenticated, service_role;
