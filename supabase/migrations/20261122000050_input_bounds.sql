-- input bounds: how deep and how large a JSON value people may store. Postgres parses and walks
-- JSON recursively, so a value nested a few thousand levels deep fails with "stack depth limit
-- exceeded" (54001) wherever it is read or written; and a large one costs every reader. Tables that
-- people write (directly through PostgREST or through the API) bound their jsonb columns with
-- `check (private.jsonb_is_bounded(column, depth, bytes))`, so a value that is too deep or too large
-- is refused with 23514 and the constraint's name instead of failing later in some reader.
-- The API's zod schemas check the same bounds first, with a message naming the field
-- (supabase/functions/_shared/schemas/common.ts, `jsonObject`); both read these limits:
--
--   column                                   depth   bytes (as jsonb text)
--   agents.config                            8       16 KiB
--   team_agents.input / conditions / config  8       64 KiB
--   executions.variables                     16      64 KiB
--
-- Deeper than Postgres's own parser can go (about 5000 levels with a 2 MB stack) is refused while
-- parsing, with 54001, before any check runs; the API maps that to 422 as well (sql-errors.ts).

-- ─── helper functions ─────────────────────────────────────────────────────────────────────────
/*
 * How deeply `value` nests (a scalar is 1, `{}` and `[]` are 1, `{"a": []}` is 2), counting no
 * further than `stop_after` + 1 so a deep value costs little. Walks level by level, not by
 * recursion, so it never runs out of stack itself. Immutable, usable in CHECK constraints; callable
 * by anyone (it reads nothing).
 */
create or replace function private.jsonb_depth(value jsonb, stop_after integer)
returns integer
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  level jsonb[] := array[value];
  depth integer := 0;
begin
  if value is null then
    return 0;
  end if;
  while pg_catalog.cardinality(level) > 0 and depth <= stop_after loop
    depth := depth + 1;
    select coalesce(pg_catalog.array_agg(child), '{}') into level
    from pg_catalog.unnest(level) as parent(v)
    cross join lateral (
      select e from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(parent.v) = 'array' then parent.v end) as e
      union all
      select f.value from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(parent.v) = 'object' then parent.v end) as f
    ) as children(child)
    where pg_catalog.jsonb_typeof(child) in ('array', 'object');
  end loop;
  return depth;
end;
$$;

/*
 * True when `value` nests at most `max_depth` levels and its text form has at most `max_bytes`
 * bytes (null counts as bounded: not null is a separate rule). For CHECK constraints on jsonb
 * columns people write; raises nothing.
 */
create or replace function private.jsonb_is_bounded(value jsonb, max_depth integer, max_bytes integer)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select value is null
      or (pg_catalog.octet_length(value::text) <= max_bytes and private.jsonb_depth(value, max_depth) <= max_depth);
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
-- Constraints call these as the writing role.
grant execute on function private.jsonb_depth(jsonb, integer) to authenticated, service_role;
grant execute on function private.jsonb_is_bounded(jsonb, integer, integer) to authenticated, service_role;
