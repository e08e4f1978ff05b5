-- private.jsonb_is_bounded (every jsonb limit; jsonpath since 20261122009900, and the messages' too
-- since their copy, private.jsonb_within_bounds, was dropped in 20261122009930) answers as the
-- PL/pgSQL walk it replaced, kept here as the reference, and messages over the limits are refused
-- with the same codes.
begin;
set search_path to public, extensions, tests;

select plan(5);

-- The level-by-level walk private.jsonb_is_bounded was until 20261122009900: the reference.
create function pg_temp.walked_bounds(value jsonb, max_depth integer, max_bytes integer)
returns boolean
language plpgsql
immutable
as $$
declare
  level jsonb[] := array[value];
  depth integer := 0;
begin
  if value is null then
    return true;
  end if;
  if pg_catalog.octet_length(value::text) > max_bytes then
    return false;
  end if;
  while pg_catalog.cardinality(level) > 0 loop
    depth := depth + 1;
    if depth > max_depth then
      return false;
    end if;
    select coalesce(pg_catalog.array_agg(child), '{}') into level
    from pg_catalog.unnest(level) as parent(v)
    cross join lateral (
      select e from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(parent.v) = 'array' then parent.v end) as e
      union all
      select f.value from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(parent.v) = 'object' then parent.v end) as f
    ) as children(child)
    where pg_catalog.jsonb_typeof(child) in ('array', 'object');
  end loop;
  return true;
end;
$$;

create temporary table shapes (value jsonb, max_depth integer, max_bytes integer);
insert into shapes values
  (null, 1, 10), ('{}', 1, 10), ('[]', 1, 10), ('"text"', 1, 10), ('42', 1, 10), ('{"a": 1}', 1, 100), ('{"a": []}', 1, 100),
  ('{"a": []}', 2, 100), ('[[[]]]', 2, 100), ('[[[]]]', 3, 100), ('[1, [2, [3]]]', 2, 100), ('[1, [2, [3]]]', 3, 100),
  ('[{"a": [{"b": []}]}]', 4, 100), ('[{"a": [{"b": []}]}]', 5, 100), ('{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}}', 8, 1000),
  ('{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}}', 9, 1000), ('{"long": "0123456789"}', 8, 10), ('{"long": "0123456789"}', 8, 100),
  ('{"x": [1, 2, {"y": null}], "z": {"w": [true]}}', 3, 100), ('{"x": [1, 2, {"y": null}], "z": {"w": [true]}}', 2, 100);
insert into shapes select (repeat('[', 200) || repeat(']', 200))::jsonb, 8, 65536;
insert into shapes values
  ('[[1], [2, [3, [4]]]]', 3, 100), ('[[1], [2, [3, [4]]]]', 4, 100), ('{"a": {"b": 1}, "c": [[[]]]}', 3, 100),
  ('{"a": {"b": 1}, "c": [[[]]]}', 4, 100), ('"abcdefgh"', 1, 10), ('"abcdefgh"', 1, 9), ('[null, "x", 1.5, false]', 1, 100),
  ('{"a": [{"b": {"c": []}}, {"d": 1}]}', 4, 1000), ('{"a": [{"b": {"c": []}}, {"d": 1}]}', 5, 1000);

select hasnt_function('private', 'jsonb_within_bounds', array['jsonb', 'integer', 'integer'],
  'the messages'' copy, private.jsonb_within_bounds, is gone (20261122009930): one function answers every jsonb limit');
select is(
  (select array_agg(value::text || ' depth ' || max_depth || ' bytes ' || max_bytes) from shapes
   where private.jsonb_is_bounded(value, max_depth, max_bytes) is distinct from pg_temp.walked_bounds(value, max_depth, max_bytes)),
  null, 'jsonb_is_bounded answers as the walk for every shape');
select ok(not private.jsonb_is_bounded((repeat('[', 200) || repeat(']', 200))::jsonb, 8, 65536), 'two hundred levels are over eight');

select tests.create_two_tenants();
select public.create_inbox(tests.tenant_id('tenant-a'), 'zapi', 'Line A', null, '{"zapi_instance_id": "line-a"}',
  '{"instance_token": "zapi-instance-a", "client_token": "zapi-client-a"}');
select is(tests.error_code(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'),
  jsonb_build_object('contact_phone', '5511987657001', 'direction', 'in', 'role', 'user', 'type', 'text', 'provider_message_id', 'wamid.deep',
                     'metadata', '{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}}'::jsonb))),
  'messages_metadata_bounded', 'metadata nested deeper than eight levels is refused with messages_metadata_bounded');
select is(tests.error_code(format($$ select private.record_webhook_message(%L, %L) $$, tests.inbox_id('Line A'),
  jsonb_build_object('contact_phone', '5511987657001', 'direction', 'in', 'role', 'user', 'type', 'image', 'provider_message_id', 'wamid.big',
                     'media', jsonb_build_object('caption', repeat('x', 9000))))),
  'messages_media_bounded', 'media over 8 KiB is refused with messages_media_bounded');

select * from finish();
rollback;
