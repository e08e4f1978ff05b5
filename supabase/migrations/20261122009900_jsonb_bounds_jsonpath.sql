-- jsonb bounds in C everywhere: private.jsonb_is_bounded, behind fourteen CHECK constraints, now
-- answers with the jsonpath engine as private.jsonb_within_bounds does for messages (20261122001305),
-- instead of its PL/pgSQL walk of one query per level.
--
-- Postgres checks every CHECK constraint of a row on every UPDATE of it, whatever the columns
-- changed, so `executions_variables_bounded` walked a run's variables at each of its ~10 updates
-- (one per event appended, the status, the step counts, the tokens), and `contacts_metadata_bounded`
-- at each contact upsert: profiling a burst of 200 WhatsApp replies (scripts/bench/webhook-to-reply.ts
-- with pg_stat_user_functions) found 4,417 calls at ~0.6 ms each, 2.6 s of the database's CPU,
-- about 13 ms per reply on a path whose total is ~50 ms.
--
-- Same answers: the body is jsonb_within_bounds's (pgTAP 107 checks both against the walk they
-- replace, on the same shapes); the constraints are unchanged, so nothing is revalidated. Still one
-- self-contained function: a CHECK runs as the writing role, which has no USAGE on `private`, so
-- the body names only pg_catalog (it cannot call jsonb_within_bounds).

/*
 * True when `value` nests at most `max_depth` levels of arrays and objects (a scalar, `{}` and
 * `[]` are 1 level, `{"a": []}` is 2) and its text form has at most `max_bytes` bytes; null counts
 * as bounded (not null is a separate rule). The size is checked first; `.**{n}` then looks exactly
 * one level past the limit (the jsonpath engine stops there), so deep input costs no deeper walk.
 * Immutable, for CHECK constraints on the jsonb columns people write; raises nothing.
 */
create or replace function private.jsonb_is_bounded(value jsonb, max_depth integer, max_bytes integer)
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
