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
 * True when `value` nests at most `max_depth` levels (a scalar, `{}` and `[]` are 1 level,
 * `{"a": []}` is 2) and its text form has at most `max_bytes` bytes; null counts as bounded (not
 * null is a separate rule). Walks level by level, not by recursion, so it never runs out of stack
 * itself, and stops one level past `max_depth`. Immutable, for CHECK constraints on the jsonb
 * columns people write; raises nothing. One self-contained function on purpose: a CHECK runs as the
 * writing role, which may not look names up in `private`.
 */
create or replace function private.jsonb_is_bounded(value jsonb, max_depth integer, max_bytes integer)
returns boolean
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

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
-- Constraints call it as the writing role.
grant execute on function private.jsonb_is_bounded(jsonb, integer, integer) to authenticated, service_role;
