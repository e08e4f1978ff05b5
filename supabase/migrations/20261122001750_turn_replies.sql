-- turn replies: a completed run's answer becomes the conversation's next message, in the
-- transaction that records the run's result (the engine's update of executions.status to
-- completed), through private.append_outbound_message (role assistant, the run's id, tokens and
-- cost summed from the usage ledger; delivery is the outbound queue's). Only the turn still
-- running answers: a superseded or handed-off turn's run, or a conversation a person took over
-- or closed meanwhile, sends nothing. A run that completed without text, or whose answer cannot
-- be appended, fails its turn and hands the conversation to people (responder_failed): never a
-- silent drop. Outside business hours the inbox's out-of-hours reply is sent once per
-- conversation per 12 hours.
--
-- Who may do what: the engine (service role, pg_cron) and the ingest, through triggers.
--
-- Who writes each table:
--   private.conversation_turns   private.settle_turn_of_run, private.note_out_of_hours
--   public.messages              private.append_outbound_message (called from both)

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Settles the running turn of a run that ended (replaces 20261122001720's version, adding the
 * reply). Lock order: the engine holds the run's row; the conversation's row, then the turn's.
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

  -- Completed. A person who took the conversation (or closed it) while the run thought wins.
  if conversation.status = 'closed' or conversation.assignee <> 'bot' then
    update private.conversation_turns set status = 'dropped', finished_at = now(), outcome = 'conversation_not_with_bot' where id = turn.id;
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

/*
 * A contact wrote outside business hours (replaces 20261122001720's version): an out_of_hours
 * turn is recorded and, when the inbox has an out-of-hours reply and none went to this
 * conversation in the last 12 hours, the reply is appended (role assistant).
 */
create or replace function private.note_out_of_hours(conversation public.conversations, settings public.responder_settings,
                                                     first_index integer, last_index integer, arrived_at timestamptz)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  already_told boolean;
  reply_id uuid;
begin
  already_told := exists (select from private.conversation_turns t
                          where t.conversation_id = conversation.id and t.status = 'out_of_hours' and t.outcome like 'replied%'
                            and t.created_at > arrived_at - interval '12 hours');
  if settings.out_of_hours_reply is not null and not already_told then
    reply_id := private.append_outbound_message(conversation.id, 'assistant', settings.out_of_hours_reply);
  end if;
  insert into private.conversation_turns (tenant_id, inbox_id, conversation_id, status, first_message_index, last_message_index,
                                          due_at, outcome, finished_at)
  values (conversation.tenant_id, conversation.inbox_id, conversation.id, 'out_of_hours', first_index, last_index, arrived_at,
          case when reply_id is null then 'outside business hours' else 'replied with message ' || reply_id end, arrived_at);
end;
$$;
