-- A run's variables are checked when they are written, not at each of the run's updates.
--
-- Postgres evaluates every CHECK constraint of a row on every UPDATE of it, whatever the columns
-- changed. A run's row is updated ~17 times in its life (an event appended bumps last_event_seq;
-- status, step counts, tokens and cost), while its variables are written once, when it starts.
-- `executions_variables_bounded` and `executions_variables_limits` walked them each time: profiling
-- 200 WhatsApp replies (webhook-to-reply.ts at 30/s, pg_stat_user_functions with track_functions =
-- all) counted ~7,300 calls of the two functions, ~1.1 s of the database's CPU, ~5.5 ms a reply.
-- Measured by the Postgres processes' CPU over 300 replies at 25/s: 13.3-14.0 s with the CHECKs,
-- 12.3-12.4 s with this trigger; p95 from webhook to Meta's acceptance 73-118 ms -> 68-75 ms.
--
-- The same two rules now run in a BEFORE INSERT OR UPDATE OF variables trigger, which answers as
-- the constraints did: SQLSTATE 23514 (check_violation), the constraint's name (the API's error
-- codes read it) and Postgres's wording. `executions_variables_is_object`, a built-in test, stays a
-- CHECK. Only the service role and security-definer functions write runs (people call
-- start_execution), and both may call the checks in `private`.

create or replace function private.check_execution_variables()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  broken text;
begin
  if not private.jsonb_is_bounded(new.variables, 16, 65536) then
    broken := 'executions_variables_bounded';
  -- Not an object: the executions_variables_is_object CHECK reports it, as before.
  elsif pg_catalog.jsonb_typeof(new.variables) = 'object' and not private.are_run_variables(new.variables) then
    broken := 'executions_variables_limits';
  else
    return new;
  end if;
  raise exception using
    errcode = 'check_violation', constraint = broken, schema = 'public', table = 'executions',
    message = pg_catalog.format('new row for relation "executions" violates check constraint "%s"', broken);
end;
$$;
comment on function private.check_execution_variables() is
  'A run''s variables within 16 levels and 64 KiB, at most 100 named 1-64 characters: checked when written (the former CHECKs ran at every update of the run).';

alter table public.executions
  drop constraint executions_variables_bounded,
  drop constraint executions_variables_limits;

create trigger executions_variables_checked
  before insert or update of variables on public.executions
  for each row execute function private.check_execution_variables();
