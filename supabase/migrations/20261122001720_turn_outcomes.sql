-- turn outcomes: what a turn's run ending does to the turn, in the transaction that records the
-- run's end (the engine's update of executions.status). A run that failed, or that someone
-- stopped, ends its turn as failed and hands the conversation to people (responder_failed), so a
-- contact is never left unanswered in silence; a superseded or handed-off turn's run ends quietly.
--
-- A completed run's answer becomes the conversation's next message, in the same transaction,
-- through private.append_outbound_message (role assistant, the run's id, tokens and cost summed
-- from the usage ledger; delivery is the outbound queue's). Only the turn still running answers:
-- a conversation a person took over or closed meanwhile sends nothing (the turn is dropped). A run
-- that completed without text, or whose answer cannot be appended, fails its turn and hands the
-- conversation to people (responder_failed): never a silent drop.
--
-- Who may do what: the engine (service role, pg_cron) only, through the trigger.
--
-- Who writes each table:
--   private.conversation_turns   private.settle_turn_of_run (trigger on executions)
--   public.messages              private.append_outbound_message (called from it)

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Settles the running turn of a run that ended, and sends a completed run's answer. Lock order:
 * the engine holds the run's row when this fires; the conversation's row is taken next, then the
 * turn's (as everywhere else).
 */
create or replace function private.settle_turn_of_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  turn private.conversation_turns;
  conversation public.conversations;
  reply text;
  usage record;
  reply_id uuid;
  failure text;
begin
  select * into turn from private.conversation_turns t where t.execution_id = new.id and t.status = 'running';
  if turn.id is null then
    return null;
  end if;
  select * into conversation from public.conversations c where c.id = turn.conversation_id for no key update;
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
    return null;
  end if;

  -- Completed. A person who took the conversation (or closed it) while the run thought wins; a
  -- company suspended meanwhile sends nothing.
  if conversation.status = 'closed' or conversation.assignee <> 'bot' or not private.is_tenant_active(conversation.tenant_id) then
    update private.conversation_turns set status = 'dropped', finished_at = now(),
      outcome = case when private.is_tenant_active(conversation.tenant_id) then 'conversation_not_with_bot' else 'company_not_active' end
    where id = turn.id;
    return null;
  end if;
  reply := new.final_result ->> 'summary';
  select coalesce(sum(l.input_tokens), 0) as input_tokens, coalesce(sum(l.output_tokens), 0) as output_tokens,
         coalesce(sum(l.cost_usd), 0) as cost_usd
  into usage from public.usage_ledger l where l.execution_id = new.id;
  begin
    reply_id := private.append_outbound_message(conversation.id, 'assistant', reply, execution_id => new.id,
      input_tokens => least(usage.input_tokens, 2147483647)::integer, output_tokens => least(usage.output_tokens, 2147483647)::integer,
      cost_usd => usage.cost_usd);
  exception when others then
    get stacked diagnostics failure = constraint_name;
    update private.conversation_turns set status = 'failed', finished_at = now(), outcome = coalesce(nullif(failure, ''), left(sqlerrm, 200))
    where id = turn.id;
    perform private.hand_off_conversation(conversation.id, 'responder_failed');
    return null;
  end;
  update private.conversation_turns set status = 'answered', finished_at = now(), outcome = 'message ' || reply_id where id = turn.id;
  return null;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
create trigger executions_settle_conversation_turn after update of status on public.executions
  for each row when (new.status in ('completed', 'failed', 'cancelled') and old.status is distinct from new.status)
  execute function private.settle_turn_of_run();
