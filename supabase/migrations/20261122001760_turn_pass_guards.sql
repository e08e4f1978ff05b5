-- turn pass guards: a pass of private.start_due_turns must not be stopped by one turn. A turn
-- whose run must be stopped but whose run is gone (deleted with its history: execution_id set
-- null) only has its flag cleared, and a stop that fails for one run is logged and left for the
-- next pass instead of failing every other turn's start (replaces 20261122001710's version).
--
-- Who may do what: the service role and pg_cron only.
--
-- Who writes each table:
--   private.conversation_turns   private.start_due_turns

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
create or replace function private.start_due_turns(as_of timestamptz default now())
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  stale record;
  due record;
  started integer := 0;
begin
  for stale in
    select t.id, t.execution_id from private.conversation_turns t where t.run_stop_pending for update skip locked
  loop
    begin
      if stale.execution_id is not null then
        perform public.stop_execution(stale.execution_id);
      end if;
      update private.conversation_turns set run_stop_pending = false where id = stale.id;
    exception when others then
      raise warning 'start_due_turns: the run % of turn % could not be stopped: %', stale.execution_id, stale.id, sqlerrm;
    end;
  end loop;

  for due in
    select t.id, t.conversation_id from private.conversation_turns t
    where t.status = 'collecting' and t.due_at <= as_of
    order by t.due_at
  loop
    perform 1 from public.conversations c where c.id = due.conversation_id for no key update skip locked;
    continue when not found;
    perform 1 from private.conversation_turns t where t.id = due.id and t.status = 'collecting' and t.due_at <= as_of for update skip locked;
    continue when not found;
    if private.start_turn(due.id) is not null then
      started := started + 1;
    end if;
  end loop;
  return started;
end;
$$;
