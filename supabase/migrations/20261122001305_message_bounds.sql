-- message bounds: the same limits on messages' jsonb (metadata: 8 levels, 64 KiB; media: 4 levels,
-- 8 KiB) as private.jsonb_is_bounded sets, checked by Postgres's jsonpath engine in C instead of a
-- plpgsql loop of queries. On the hottest insert path the loop cost ~175 µs per row, more than the
-- insert itself (scripts/bench/messages-ingest.ts); this costs a few µs. Same names, same answers
-- (pgTAP 107 compares the two on a list of shapes).

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * True when `value` nests at most `max_depth` levels of arrays and objects (a scalar, `{}` and
 * `[]` are 1 level, `{"a": []}` is 2) and its text form has at most `max_bytes` bytes; null counts
 * as bounded. The size is checked first; `.**{n}` then looks exactly one level past the limit (the
 * jsonpath engine stops there), so deep input costs no deeper walk.
 */
create or replace function private.jsonb_within_bounds(value jsonb, max_depth integer, max_bytes integer)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select value is null
      or (pg_catalog.octet_length(value::text) <= max_bytes
          and not pg_catalog.jsonb_path_exists(
                value, ('strict $.**{' || max_depth || '} ? (@.type() == "object" || @.type() == "array")')::jsonpath));
$$;
comment on function private.jsonb_within_bounds(jsonb, integer, integer) is
  'private.jsonb_is_bounded''s answer (depth of arrays and objects, size of the text) from the jsonpath engine: for hot CHECK constraints.';

-- ─── constraints ──────────────────────────────────────────────────────────────────────────────
alter table public.messages
  drop constraint messages_metadata_bounded,
  add constraint messages_metadata_bounded check (private.jsonb_within_bounds(metadata, 8, 65536)),
  drop constraint messages_media_bounded,
  add constraint messages_media_bounded check (private.jsonb_within_bounds(media, 4, 8192));

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
-- Constraints call it as the writing role.
grant execute on function private.jsonb_within_bounds(jsonb, integer, integer) to authenticated, service_role;
