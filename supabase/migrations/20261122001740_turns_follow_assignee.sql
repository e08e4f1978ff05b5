-- turns follow the assignee: when a conversation leaves the bot (a person takes it over, assigns
-- it, or it is handed off), its open turn ends as handed_off and a run in flight is stopped by the
-- next pass of private.start_due_turns, so the bot neither answers nor spends on a conversation a
-- person holds. Releasing it back to the bot needs nothing here: the contact's next message opens
-- a turn.
--
-- Who may do what: whoever may change the assignee (handle_conversations; the service role).
--
-- Who writes each table:
--   private.conversation_turns   private.end_turns_leaving_bot (trigger on conversations)

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- Security definer with a reason: people change assignees but never write turns.
create or replace function private.end_turns_leaving_bot()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update private.conversation_turns t
  set status = 'handed_off', outcome = coalesce(t.outcome, 'conversation_left_bot'), finished_at = now(),
      run_stop_pending = (t.status = 'running' and t.execution_id is not null)
  where t.conversation_id = new.id and t.status in ('collecting', 'running');
  return null;
end;
$$;

create trigger conversations_end_turns_leaving_bot after update of assignee, status on public.conversations
  for each row when (old.assignee = 'bot' and old.status <> 'closed' and (new.assignee <> 'bot' or new.status = 'closed'))
  execute function private.end_turns_leaving_bot();
