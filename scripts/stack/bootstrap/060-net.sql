-- Platform bootstrap 060: the `net` schema — pg_net's SQL surface without its C background worker.
-- Requests are queued in net.http_request_queue exactly as pg_net queues them; the local stack's
-- worker performs them and writes net._http_response.
--
-- Sources: supabase/pg_net sql/pg_net.sql and upgrade scripts up to 0.19.x
-- (0.6--0.7: http_method domain with DELETE; 0.4--0.5: unlogged tables; 0.8.0: 5000 ms default
-- timeouts; 0.14.0--0.15.0: http_delete body; 0.18.0--0.19.0: net.wake(); 0.19.2--0.19.3: nullable
-- headers), src/util.c (_urlencode_string = curl_escape, _encode_url_with_params_array = curl URL
-- API with CURLU_APPENDQUERY) — reimplemented here in SQL; and supabase/postgres
-- init-scripts/00000000000003-post-setup.sql (extensions.grant_pg_net_access).
--
-- Privileges follow Supabase's grant_pg_net_access(): http_get/http_post (and here http_delete)
-- are SECURITY DEFINER with search_path = net and executable by postgres, anon, authenticated and
-- service_role. The queue and response tables belong to postgres and service_role only (pg_net
-- >= 0.12 grants them to PUBLIC instead; the local stack is stricter there, no API role can read
-- other requests' responses). Functions are owned by supabase_admin, the platform's superuser, as
-- pg_net's are on Supabase.

create schema if not exists net authorization supabase_admin;
alter schema net owner to supabase_admin;

do $types$
begin
  if not exists (
    select from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'net' and t.typname = 'http_method'
  ) then
    create domain net.http_method as text
      constraint http_method_check check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
  if not exists (
    select from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'net' and t.typname = 'request_status'
  ) then
    create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');
  end if;
  if not exists (
    select from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'net' and t.typname = 'http_response'
  ) then
    create type net.http_response as (status_code integer, headers jsonb, body text);
  end if;
  if not exists (
    select from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'net' and t.typname = 'http_response_result'
  ) then
    create type net.http_response_result as (status net.request_status, message text, response net.http_response);
  end if;
end
$types$;

-- Pending requests; the worker reads (and deletes) from here. Unlogged, as in pg_net.
create unlogged table if not exists net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer not null
);

-- Responses, associated to a request by id. Unlogged, as in pg_net.
create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);

-- ─── wake-up notification ────────────────────────────────────────────────────────────────────
-- pg_net's worker is signalled by net.wake() inside the same backend. The local worker is another
-- process, so every queued request sends NOTIFY net_request_queued with its id: the worker LISTENs
-- and starts the request as soon as the inserting transaction commits (NOTIFY is delivered only on
-- commit, so it never sees a request that is rolled back), instead of polling the table. A trigger
-- rather than a call in each http_* function, so rows queued any other way wake it too.
create or replace function net._notify_request_queued()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.pg_notify('net_request_queued', new.id::text);
  return null;
end;
$$;

drop trigger if exists notify_request_queued on net.http_request_queue;
create trigger notify_request_queued
  after insert on net.http_request_queue
  for each row execute function net._notify_request_queued();

-- Same name and effect as pg_net's net.wake(): ask the worker to look at the queue now.
create or replace function net.wake()
returns void
language sql
set search_path = ''
as $$
  select pg_catalog.pg_notify('net_request_queued', '');
$$;

-- ─── URL helpers (pg_net's are C functions over libcurl) ─────────────────────────────────────
-- curl_escape: every byte of the UTF-8 text except A-Z a-z 0-9 - . _ ~ becomes %XX (upper case).
create or replace function net._urlencode_string(string character varying)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select coalesce(string_agg(
    case
      when b between 48 and 57 or b between 65 and 90 or b between 97 and 122 or b in (45, 46, 95, 126)
        then pg_catalog.chr(b)
      else '%' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(b), 2, '0'))
    end, '' order by i), '')
  from (
    select i, pg_catalog.get_byte(bytes, i) as b
    from (select pg_catalog.convert_to(string, 'UTF8') as bytes) as src,
         pg_catalog.generate_series(0, pg_catalog.octet_length(bytes) - 1) as i
  ) as each_byte;
$$;

-- Parses the URL as curl does (scheme://host required, no whitespace; an empty path becomes "/";
-- the scheme is lower-cased) and appends each already-encoded "key=value" to the query with "?" or
-- "&", before any #fragment. Errors like pg_net on a URL curl would reject.
create or replace function net._encode_url_with_params_array(url text, params_array text[])
returns text
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  fragment_at integer;
  base text;
  fragment text := '';
  query text;
  parts text[];
begin
  parts := pg_catalog.regexp_match(url, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#[:space:]]+)([^[:space:]]*)$');
  if parts is null then
    raise exception 'URL using bad/illegal format or missing URL';
  end if;
  base := pg_catalog.lower(parts[1]) || '://' || parts[2] ||
    case when parts[3] = '' or pg_catalog.left(parts[3], 1) in ('?', '#') then '/' else '' end || parts[3];

  fragment_at := pg_catalog.strpos(base, '#');
  if fragment_at > 0 then
    fragment := pg_catalog.substr(base, fragment_at);
    base := pg_catalog.left(base, fragment_at - 1);
  end if;

  query := pg_catalog.array_to_string(params_array, '&');
  if query <> '' then
    base := base || case
      when pg_catalog.strpos(base, '?') = 0 then '?'
      when pg_catalog.right(base, 1) in ('?', '&') then ''
      else '&'
    end || query;
  end if;
  return base || fragment;
end;
$$;

-- ─── public API (pg_net 0.19 bodies) ────────────────────────────────────────────────────────
create or replace function net.http_get(
  -- url for the request
  url text,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds integer default 5000
)
-- request_id reference
returns bigint
language plpgsql
security definer
set search_path = net
as $$
declare
    request_id bigint;
    params_array text[];
begin
    select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
    into params_array
    from jsonb_each_text(params);

    -- Add to the request queue
    insert into net.http_request_queue(method, url, headers, timeout_milliseconds)
    values (
        'GET',
        net._encode_url_with_params_array(url, params_array),
        headers,
        timeout_milliseconds
    )
    returning id
    into request_id;

    return request_id;
end
$$;

create or replace function net.http_post(
  -- url for the request
  url text,
  -- body of the POST request
  body jsonb default '{}'::jsonb,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds integer default 5000
)
-- request_id reference
returns bigint
language plpgsql
security definer
set search_path = net
as $$
declare
    request_id bigint;
    params_array text[];
    content_type text;
begin

    -- Exctract the content_type from headers
    select
        header_value into content_type
    from
        jsonb_each_text(coalesce(headers, '{}'::jsonb)) r(header_name, header_value)
    where
        lower(header_name) = 'content-type'
    limit
        1;

    -- If the user provided new headers and omitted the content type
    -- add it back in automatically
    if content_type is null then
        select headers || '{"Content-Type": "application/json"}'::jsonb into headers;
    end if;

    -- Confirm that the content-type is set as "application/json"
    if content_type <> 'application/json' then
        raise exception 'Content-Type header must be "application/json"';
    end if;

    select
        coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
    into
        params_array
    from
        jsonb_each_text(params);

    -- Add to the request queue
    insert into net.http_request_queue(method, url, headers, body, timeout_milliseconds)
    values (
        'POST',
        net._encode_url_with_params_array(url, params_array),
        headers,
        convert_to(body::text, 'UTF8'),
        timeout_milliseconds
    )
    returning id
    into request_id;

    return request_id;
end
$$;

create or replace function net.http_delete(
  -- url for the request
  url text,
  -- key/value pairs to be url encoded and appended to the `url`
  params jsonb default '{}'::jsonb,
  -- key/values to be included in request headers
  headers jsonb default '{}'::jsonb,
  -- the maximum number of milliseconds the request may take before being cancelled
  timeout_milliseconds integer default 5000,
  -- optional body of the request
  body jsonb default null
)
-- request_id reference
returns bigint
language plpgsql
security definer
set search_path = net
as $$
declare
    request_id bigint;
    params_array text[];
begin
    select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
    into params_array
    from jsonb_each_text(params);

    -- Add to the request queue
    insert into net.http_request_queue(method, url, headers, body, timeout_milliseconds)
    values (
        'DELETE',
        net._encode_url_with_params_array(url, params_array),
        headers,
        convert_to(body::text, 'UTF8'),
        timeout_milliseconds
    )
    returning id
    into request_id;

    return request_id;
end
$$;

-- ─── response collection (deprecated in pg_net, kept for compatibility) ─────────────────────
-- Blocks until a response for the request exists (pg_net's behaviour: no time limit).
create or replace function net._await_response(request_id bigint)
returns boolean
language plpgsql
volatile
parallel safe
strict
as $$
declare
    rec net._http_response;
begin
    while rec is null loop
        select *
        into rec
        from net._http_response
        where id = request_id;

        if rec is null then
            -- Wait 50 ms before checking again
            perform pg_sleep(0.05);
        end if;
    end loop;

    return true;
end;
$$;

create or replace function net._http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
volatile
parallel safe
strict
as $$
declare
    rec net._http_response;
begin

    if not async then
        perform net._await_response(request_id);
    end if;

    select *
    into rec
    from net._http_response
    where id = request_id;

    if rec is null or rec.error_msg is not null then
        -- The request is either still processing or the request_id provided does not exist

        -- TODO: request in progress is indistinguishable from request that doesn't exist

        -- No request matching request_id found
        return (
            'ERROR',
            coalesce(rec.error_msg, 'request matching request_id not found'),
            null
        )::net.http_response_result;

    end if;

    -- Return a valid, populated http_response_result
    return (
        'SUCCESS',
        'ok',
        (
            rec.status_code,
            rec.headers,
            rec.content
        )::net.http_response
    )::net.http_response_result;
end;
$$;

create or replace function net.http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result
language plpgsql
volatile
parallel safe
strict
as $$
begin
  raise notice 'The net.http_collect_response function is deprecated.';
  return net._http_collect_response(request_id, async);
end;
$$;

-- ─── ownership and grants ────────────────────────────────────────────────────────────────────
alter table net.http_request_queue owner to supabase_admin;
alter table net._http_response owner to supabase_admin;
alter domain net.http_method owner to supabase_admin;
alter type net.request_status owner to supabase_admin;
alter type net.http_response owner to supabase_admin;
alter type net.http_response_result owner to supabase_admin;
alter function net._notify_request_queued() owner to supabase_admin;
alter function net.wake() owner to supabase_admin;
alter function net._urlencode_string(character varying) owner to supabase_admin;
alter function net._encode_url_with_params_array(text, text[]) owner to supabase_admin;
alter function net.http_get(text, jsonb, jsonb, integer) owner to supabase_admin;
alter function net.http_post(text, jsonb, jsonb, jsonb, integer) owner to supabase_admin;
alter function net.http_delete(text, jsonb, jsonb, integer, jsonb) owner to supabase_admin;
alter function net._await_response(bigint) owner to supabase_admin;
alter function net._http_collect_response(bigint, boolean) owner to supabase_admin;
alter function net.http_collect_response(bigint, boolean) owner to supabase_admin;

grant usage on schema net to postgres, anon, authenticated, service_role;

revoke all on all tables in schema net from public, anon, authenticated;
revoke all on all sequences in schema net from public, anon, authenticated;
grant all on all tables in schema net to postgres, service_role;
grant all on all sequences in schema net to postgres, service_role;

revoke all on all functions in schema net from public;
grant execute on function
  net.http_get(text, jsonb, jsonb, integer),
  net.http_post(text, jsonb, jsonb, jsonb, integer),
  net.http_delete(text, jsonb, jsonb, integer, jsonb),
  net.wake()
  to postgres, anon, authenticated, service_role;
grant execute on function
  net._urlencode_string(character varying),
  net._encode_url_with_params_array(text, text[])
  to public, postgres, anon, authenticated, service_role;
grant execute on function
  net._await_response(bigint),
  net._http_collect_response(bigint, boolean),
  net.http_collect_response(bigint, boolean)
  to postgres, service_role;
