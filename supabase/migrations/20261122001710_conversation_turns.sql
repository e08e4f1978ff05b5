-- conversation turns: when the bot answers. A contact's message (messages direction 'in') opens a
-- turn of its conversation, or extends the turn still collecting, whose due time moves to the
-- message's arrival + the inbox's debounce: several messages in quick succession make one turn.
-- A due turn starts a run of the responder team through public.start_execution (the engine's
-- leases, budgets, ledger, live monitor and stop are the engine's), with the conversation's last
-- messages as a transcript in the run's variables. A message arriving while a turn's run is in
-- flight supersedes it: the turn is marked superseded in the message's transaction and its run is
-- stopped by the next pass through public.stop_execution (not in the message's transaction, which
-- holds the conversation: the engine takes a run, then the conversation, and the other order
-- would deadlock with it); a superseded turn's result is never sent.
--
-- The bot never answers a conversation held by a member or waiting for one (assignee other than
-- 'bot'). A handoff keyword or the inbox's bot-turn limit hands the conversation to people:
-- assignee 'unassigned', status 'pending', announced as `handoff_requested` on `inbox:<id>`.
-- Outside business hours no run starts: the inbox's out-of-hours reply is sent, once per
-- conversation per 12 hours. A company that is not active (suspended by a platform admin, or
-- inactive) answers nothing: no turn opens, a due turn is dropped, and a run that completes after
-- the suspension sends nothing (20261122001720).
--
-- Due turns are started by private.start_due_turns(as_of), which pg_cron runs every half second
-- (private.watch_conversation_turns) and which takes the time as a parameter, so pgTAP runs it
-- with a frozen clock. A debounce of 0 makes the turn due at once; it starts after the message's
-- transaction commits (the webhook drain starts due turns after each batch, 20261122001900).
--
-- Who may do what: the service role and pg_cron only; people see the runs (executions) and the
-- conversation's assignee.
--
-- Who writes each table:
--   private.conversation_turns   the triggers and functions below only

-- ─── tables ───────────────────────────────────────────────────────────────────────────────────
create table private.conversation_turns (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  inbox_id uuid not null references public.inboxes (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  -- collecting: waiting for the contact to stop typing; running: its run is in flight; answered:
  -- the reply is in the conversation; superseded: a newer message started another turn;
  -- handed_off: a person took over; dropped: nobody answers any more; failed: the run or its start
  -- failed; out_of_hours: the contact wrote outside business hours (no run).
  status text not null default 'collecting' constraint conversation_turns_status_values
    check (status in ('collecting', 'running', 'answered', 'superseded', 'handed_off', 'dropped', 'failed', 'out_of_hours')),
  first_message_index integer not null,
  last_message_index integer not null,
  due_at timestamptz not null,
  execution_id uuid references public.executions (id) on delete set null,
  -- The turn's run must still be stopped (superseded or handed off while in flight).
  run_stop_pending boolean not null default false,
  outcome text,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- ─── indexes ──────────────────────────────────────────────────────────────────────────────────
-- One turn collecting or running per conversation.
create unique index conversation_turns_one_open on private.conversation_turns (conversation_id) where status in ('collecting', 'running');
create index conversation_turns_due_idx on private.conversation_turns (due_at) where status = 'collecting';
create index conversation_turns_stop_pending_idx on private.conversation_turns (id) where run_stop_pending;
create index conversation_turns_execution_id_idx on private.conversation_turns (execution_id);
create index conversation_turns_conversation_status_idx on private.conversation_turns (conversation_id, status);
create index conversation_turns_tenant_id_idx on private.conversation_turns (tenant_id);
create index conversation_turns_inbox_id_idx on private.conversation_turns (inbox_id);

create trigger conversation_turns_touch_updated_at before update on private.conversation_turns
  for each row execute function private.touch_updated_at();

alter table private.conversation_turns enable row level security;
revoke all on private.conversation_turns from public, anon, authenticated;
grant select on private.conversation_turns to service_role;

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
-- True when the company is active. A suspended or inactive one keeps its data but its bot answers
-- nothing (the service role's writes are not refused by private.assert_tenant_writable).
create or replace function private.is_tenant_active(target_tenant_id uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (select from public.tenants t where t.id = target_tenant_id and t.status = 'active');
$$;

-- True when one of the texts holds one of the keywords as a word of its own, in any case
-- ("Quero um ATENDENTE" hands off; "agente" does not match "agent").
create or replace function private.mentions_handoff_keyword(texts text[], keywords text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select exists (
    select from unnest(texts) t cross join unnest(keywords) k
    where t is not null and k <> ''
      and lower(t) ~ ('(^|[^[:alnum:]_])' || regexp_replace(lower(k), '([.^$*+?()\[\]{}|\\-])', '\\\1', 'g') || '($|[^[:alnum:]_])'));
$$;

/*
 * Hands a conversation to people: its open turn ends as handed_off (a run in flight is stopped by
 * the next pass), assignee 'unassigned' and status 'pending', and `handoff_requested` on the
 * inbox's topic with the reason (handoff_keyword, turn_limit, responder_failed). Service side;
 * the caller holds the conversation's row.
 */
create or replace function private.hand_off_conversation(target_conversation_id uuid, reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
begin
  update private.conversation_turns t
  set status = 'handed_off', outcome = reason, finished_at = now(),
      run_stop_pending = (t.status = 'running' and t.execution_id is not null)
  where t.conversation_id = target_conversation_id and t.status in ('collecting', 'running');
  update public.conversations c set assignee = 'unassigned', assignee_user_id = null, status = 'pending'
  where c.id = target_conversation_id and c.status <> 'closed'
  returning * into conversation;
  if conversation.id is null then
    return;
  end if;
  perform realtime.send(
    pg_catalog.jsonb_build_object('conversation_id', conversation.id, 'inbox_id', conversation.inbox_id,
                                  'contact_id', conversation.contact_id, 'reason', reason),
    'handoff_requested', 'inbox:' || conversation.inbox_id, true);
end;
$$;

/*
 * The conversation as a chat: its last `history_messages` messages with text, oldest first, as
 * [{role: user|assistant, author: contact|bot|person|system, content, message_index}] — the
 * contact speaks as `user`, the company (bot, people, notices) as `assistant`. Each text is cut
 * at 4,000 characters and the oldest are dropped until the whole fits in 48 KiB, so it stays
 * within a run's variables.
 */
create or replace function private.conversation_transcript(target_conversation_id uuid, history_messages integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  transcript jsonb;
begin
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'role', case when m.role = 'user' then 'user' else 'assistant' end,
           'author', case m.role when 'user' then 'contact' when 'assistant' then 'bot' when 'human' then 'person' else 'system' end,
           'content', left(coalesce(nullif(btrim(m.body), ''), nullif(btrim(m.media ->> 'caption'), ''), '[' || m.type || ']'), 4000),
           'message_index', m.message_index) order by m.message_index), '[]')
  into transcript
  from (select * from public.messages x where x.conversation_id = target_conversation_id
        order by x.message_index desc limit history_messages) m;
  while pg_catalog.octet_length(transcript::text) > 49152 and pg_catalog.jsonb_array_length(transcript) > 1 loop
    transcript := transcript - 0;
  end loop;
  return transcript;
end;
$$;

/*
 * Who answers a conversation and how: here, its inbox's settings. start_turn and
 * note_contact_messages ask only this, so a later domain that runs its own script in a
 * conversation (interviews, 20261122004040) replaces this function instead of those two.
 */
create or replace function private.responder_settings_for_conversation(conversation public.conversations)
returns public.responder_settings
language sql
stable
security definer
set search_path = ''
as $$
  select private.responder_settings_for_inbox(conversation.inbox_id);
$$;

/*
 * What else a turn's run is told about its conversation, merged into the run's variables next to
 * `conversation`. Here nothing; interviews (20261122004040) name the interview being run.
 */
create or replace function private.turn_run_context(target_conversation_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select '{}'::jsonb;
$$;

/*
 * Starts a turn's run, or ends the turn when nobody should answer any more. The caller holds the
 * conversation's row. The run: the responder team on the transcript (flattened as its initial
 * prompt, for teams whose agents read text), with variables.conversation = {id, inbox_id,
 * transcript, contact: {name, phone, metadata}} for the providers that take chat messages. A run
 * that cannot start (team inactive or empty, budget spent) fails the turn and hands the
 * conversation to people, so a contact is never left unanswered in silence. A company that is not
 * active (suspended or inactive) answers nothing: its turn is dropped (company_not_active), as
 * the engine's service-side start would not refuse it.
 */
create or replace function private.start_turn(target_turn_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  turn private.conversation_turns;
  conversation public.conversations;
  contact public.contacts;
  settings public.responder_settings;
  transcript jsonb;
  prompt text;
  run public.executions;
  failure text;
begin
  select * into turn from private.conversation_turns t where t.id = target_turn_id and t.status = 'collecting' for update;
  if turn.id is null then
    return null;
  end if;
  select * into conversation from public.conversations c where c.id = turn.conversation_id;
  settings := private.responder_settings_for_conversation(conversation);
  if not private.is_tenant_active(turn.tenant_id) then
    update private.conversation_turns set status = 'dropped', finished_at = now(), outcome = 'company_not_active' where id = turn.id;
    return null;
  end if;
  if conversation.status = 'closed' or conversation.assignee <> 'bot' or settings.team_id is null then
    update private.conversation_turns set status = 'dropped', finished_at = now(),
      outcome = case when settings.team_id is null then 'nobody_answers' else 'conversation_not_with_bot' end
    where id = turn.id;
    return null;
  end if;

  select * into contact from public.contacts c where c.id = conversation.contact_id;
  transcript := private.conversation_transcript(conversation.id, settings.history_messages);
  select left(string_agg(case when e ->> 'role' = 'user' then coalesce(contact.name, 'Contact') else 'Assistant' end || ': ' || (e ->> 'content'),
                         E'\n' order by (e ->> 'message_index')::integer), 100000)
  into prompt from pg_catalog.jsonb_array_elements(transcript) e;

  begin
    run := public.start_execution(settings.team_id, prompt, pg_catalog.jsonb_build_object('conversation', pg_catalog.jsonb_build_object(
      'id', conversation.id, 'inbox_id', conversation.inbox_id, 'transcript', transcript,
      'contact', pg_catalog.jsonb_build_object('name', contact.name, 'phone', contact.phone, 'metadata', contact.metadata)))
      || private.turn_run_context(conversation.id));
  exception when others then
    get stacked diagnostics failure = constraint_name;
    update private.conversation_turns set status = 'failed', finished_at = now(), outcome = coalesce(nullif(failure, ''), left(sqlerrm, 200))
    where id = turn.id;
    perform private.hand_off_conversation(conversation.id, 'responder_failed');
    return null;
  end;
  update private.conversation_turns set status = 'running', execution_id = run.id, started_at = now() where id = turn.id;
  return run.id;
end;
$$;

/*
 * A contact wrote outside business hours: an out_of_hours turn is recorded (no run) and, when the
 * inbox has an out-of-hours reply and none went to this conversation in the last 12 hours, the
 * reply is appended (role assistant; delivery is the outbound queue's).
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

/*
 * What a contact's new messages do to their conversation (see the opening comment): nothing when
 * the bot is not the one answering or the messages are only opt-out/opt-in words; a handoff for a
 * keyword or past the turn limit; else the open turn is extended (collecting), superseded
 * (running) or a new one opened, due `debounce_ms` after `arrived_at`. Called by the messages trigger with the conversation's row held by the ingest.
 */
create or replace function private.note_contact_messages(target_conversation_id uuid, first_index integer, last_index integer,
                                                         texts text[], arrived_at timestamptz)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversation public.conversations;
  settings public.responder_settings;
  open_turn private.conversation_turns;
  collecting_from integer := first_index;
begin
  select * into conversation from public.conversations c where c.id = target_conversation_id for no key update;
  if conversation.id is null or conversation.status = 'closed' or conversation.assignee <> 'bot' then
    return;
  end if;
  -- A suspended or inactive company's bot says nothing: no turn, no out-of-hours reply, no handoff.
  if not private.is_tenant_active(conversation.tenant_id) then
    return;
  end if;
  settings := private.responder_settings_for_conversation(conversation);
  if settings.team_id is null then
    return;
  end if;
  -- Only opt-out or opt-in words (the contact's wish, recorded by 20261122001800): the bot answers nothing.
  if not exists (select from unnest(texts) t where private.opt_word_of(settings, t) is null) then
    return;
  end if;
  if private.mentions_handoff_keyword(texts, settings.handoff_keywords) then
    perform private.hand_off_conversation(conversation.id, 'handoff_keyword');
    return;
  end if;

  select * into open_turn from private.conversation_turns t
  where t.conversation_id = conversation.id and t.status in ('collecting', 'running') for update;
  if open_turn.id is null and not private.is_within_business_hours(settings.business_hours, settings.time_zone, arrived_at) then
    perform private.note_out_of_hours(conversation, settings, first_index, last_index, arrived_at);
    return;
  end if;
  if open_turn.status = 'collecting' then
    update private.conversation_turns
    set last_message_index = greatest(last_message_index, last_index), due_at = arrived_at + make_interval(secs => settings.debounce_ms / 1000.0)
    where id = open_turn.id;
  else
    if open_turn.status = 'running' then
      -- The answer in flight is to a conversation that has moved on: its run is stopped by the next pass.
      update private.conversation_turns
      set status = 'superseded', outcome = 'a newer message arrived', finished_at = now(), run_stop_pending = execution_id is not null
      where id = open_turn.id;
      collecting_from := open_turn.first_message_index;
    elsif (select count(*) from private.conversation_turns t where t.conversation_id = conversation.id and t.status = 'answered')
          >= settings.max_bot_turns then
      perform private.hand_off_conversation(conversation.id, 'turn_limit');
      return;
    end if;
    insert into private.conversation_turns (tenant_id, inbox_id, conversation_id, first_message_index, last_message_index, due_at)
    values (conversation.tenant_id, conversation.inbox_id, conversation.id, collecting_from, last_index,
            arrived_at + make_interval(secs => settings.debounce_ms / 1000.0));
  end if;
  -- A debounce of 0 is due now: started right after this transaction commits, by the drain that
  -- recorded the message (20261122001900) or the next pass, never here (lock order: the engine
  -- takes a run, then the conversation; starting a run here would take them the other way round).
end;
$$;

/*
 * One pass: stops the runs of turns superseded or handed off while in flight (through
 * public.stop_execution, the engine's stop), then starts every turn due at `as_of`, each under
 * its conversation's row (taken first, as the ingest does). Turns held by another pass are
 * skipped, not waited for. One turn never stops the pass: a turn whose run is gone (deleted with
 * its history, execution_id null) only has its flag cleared, and a stop that fails for one run is
 * logged and left for the next pass. Answers how many runs it started. Service role and pg_cron.
 */
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

/*
 * The pass pg_cron starts every minute: private.start_due_turns every `every_seconds` for
 * `for_seconds`, each in its own transaction (each sees a fresh now() and its runs' kicks go out at
 * once). A procedure for its COMMITs, like private.watch_executions (and for the same reasons
 * security invoker with no SET clause, callable by its owner only).
 */
create or replace procedure private.watch_conversation_turns(for_seconds integer default 58, every_seconds numeric default 0.5)
language plpgsql
as $$
declare
  watch_until timestamptz := pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => for_seconds);
begin
  loop
    perform private.start_due_turns(pg_catalog.clock_timestamp());
    commit;
    exit when pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => every_seconds) > watch_until;
    perform pg_catalog.pg_sleep(every_seconds);
  end loop;
end;
$$;

-- ─── triggers ─────────────────────────────────────────────────────────────────────────────────
-- A contact's messages, once per statement and conversation (a batch of messages is one call).
create or replace function private.note_new_contact_messages()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
begin
  for batch in
    select n.conversation_id, min(n.message_index) as first_index, max(n.message_index) as last_index,
           array_agg(n.body order by n.message_index) as texts, max(n.created_at) as arrived_at
    from new_messages n where n.direction = 'in'
    group by n.conversation_id
    order by n.conversation_id
  loop
    perform private.note_contact_messages(batch.conversation_id, batch.first_index, batch.last_index, batch.texts, batch.arrived_at);
  end loop;
  return null;
end;
$$;

create trigger messages_note_contact_messages after insert on public.messages
  referencing new table as new_messages
  for each statement execute function private.note_new_contact_messages();

-- ─── scheduled jobs ───────────────────────────────────────────────────────────────────────────
select cron.schedule('renum-watch-conversation-turns', '* * * * *', 'call private.watch_conversation_turns()');
select cron.schedule('renum-watch-conversation-turns-at-start', '@reboot', 'call private.watch_conversation_turns()');

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.responder_settings_for_conversation(public.conversations) from public, anon, authenticated;
revoke all on function private.turn_run_context(uuid) from public, anon, authenticated;
grant execute on function private.is_tenant_active(uuid) to service_role;
grant execute on function private.responder_settings_for_conversation(public.conversations) to service_role;
grant execute on function private.turn_run_context(uuid) to service_role;
grant execute on function private.mentions_handoff_keyword(text[], text[]) to service_role;
grant execute on function private.hand_off_conversation(uuid, text) to service_role;
grant execute on function private.conversation_transcript(uuid, integer) to service_role;
grant execute on function private.start_turn(uuid) to service_role;
grant execute on function private.note_out_of_hours(public.conversations, public.responder_settings, integer, integer, timestamptz) to service_role;
grant execute on function private.note_contact_messages(uuid, integer, integer, text[], timestamptz) to service_role;
grant execute on function private.start_due_turns(timestamptz) to service_role;
revoke all on procedure private.watch_conversation_turns(integer, numeric) from public;
