-- turn outcomes: what a turn's run ending does to the turn, in the transaction that records the
-- run's end (the engine's update of executions.status). A run that failed, or that someone
-- stopped, ends its turn as failed and hands the conversation to people (responder_failed), so a
-- contact is never left unanswered in silence; a superseded or handed-off turn's run ends quietly.
-- The completed run's reply is the reply migration's (20261122001730).
--
-- Who may do what: the engine (service role, pg_cron) only, through the trigger.
--
-- Who writes each table:
--   private.conversation_turns   private.settle_turn_of_run (trigger on executions)

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Settles the running turn of a run that ended. Lock order: the engine holds the run's row when
 * this fires; the conversation's row is taken next, then the turn's (as everywhere else).
 */
create or replace function private.settle_turn_of_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  turn private.conversation_turns;
begin
  select * into turn from private.conversation_turns t where t.execution_id = new.id and t.status = 'running';
  if turn.id is null then
    return null;
  end if;
  perform 1 from public.conversations c where c.id = turn.conversation_id for no key update;
  select * into turn from private.conversation_turns t where t.id = turn.id and t.status = 'running' for update;
  if turn.id is null then
    return null;
  end if;
  if new.status in ('failed', 'cancelled') then
    update private.conversation_turns
    set status = 'failed', finished_at = now(),
        outcome = case when new.status = 'cancelled' then 'run_stopped' else left(coalesce(new.error_message, 'run_failed'), 500) end
    where id = turn.id;
    perform private.hand_off_conversation(turn.conversation_id, 'responder_failed');
  end if;
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger executions_settle_conversation_turn after update of status on public.executions
  for each row when (new.status in ('completed', 'failed', 'cancelled') and old.status is distinct from new.status)
  execute function private.settle_turn_of_run();
