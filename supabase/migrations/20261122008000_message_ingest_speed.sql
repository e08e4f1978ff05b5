-- message ingest speed: the messages' statement triggers ask who answers once per statement.
--
-- Found with EXPLAIN (ANALYZE) and pg_stat_user_functions on one 1,000-row INSERT … SELECT into
-- public.messages (scripts/bench/messages-ingest.ts: 2,000 open conversations of 100 inboxes, two
-- thirds of the rows from contacts): the consumption trigger cost ~4 ms of it, but two other
-- statement triggers asked a row at a time who answers the conversation, and that was most of
-- the statement (~2/3 of the time, 4–6k rows/s in all on the shared 2-CPU machine):
--   messages_note_contact_messages     private.note_contact_messages per conversation (667): each
--                                      locked the conversation and asked the hook
--                                      private.responder_settings_for_conversation — the inbox's
--                                      settings (three lookups) and, since 20261122004040, the open
--                                      interview and its project — only to find that nobody answers
--   messages_apply_contact_opt_words   private.responder_settings_for_inbox per short text message
--                                      (667), although a batch has a handful of inboxes
-- Each of those SQL functions (security definer with its own search_path, so never inlined) is
-- set up and its plan started again on every call.
--
-- Now:
--   private.responder_settings_for_conversations(ids)   the hook in set form: the inbox settings
--       once per inbox, the open interviews of all the conversations in one query. It is the one
--       place that says who answers: the per-conversation hook answers through it, so start_turn,
--       note_contact_messages and the trigger can never disagree. A later domain that changes who
--       answers replaces this function (20261122004040's rules are restated here unchanged).
--   private.note_new_contact_messages   locks the batch's conversations in one statement, in the
--       id order the calls took them one by one, then asks the set hook for all of them and calls
--       note_contact_messages only where somebody answers. With nobody answering (team_id null)
--       note_contact_messages did nothing but take that lock, so the turns are the same.
--   private.apply_contact_opt_words   the settings once per inbox of the batch's short texts.
-- Same rules, same answers: pgTAP 121/115/193 unchanged, and 214 for bulk inserts spanning
-- conversations and inboxes with different responders.

-- ─── who answers, for many conversations ──────────────────────────────────────────────────────
/*
 * For each of the given conversations that exists: the settings of whoever answers it (see
 * private.responder_settings_for_conversation): its inbox's responder settings, except while an
 * interview is invited or in progress in it (its latest by invited_at, as
 * private.open_interview_of_conversation picks), when the project's team answers (else the
 * inbox's), at any hour, with a bot-turn limit of at least two turns per question plus two.
 * Service side (the turn functions and the messages trigger).
 */
create or replace function private.responder_settings_for_conversations(conversation_ids uuid[])
returns table (conversation_id uuid, settings public.responder_settings)
language sql
stable
security definer
set search_path = ''
as $$
  with wanted as (
    select c.id, c.inbox_id from public.conversations c where c.id = any (conversation_ids)
  ), inbox_settings as materialized (
    select i.inbox_id, private.responder_settings_for_inbox(i.inbox_id) as settings
    from (select distinct w.inbox_id from wanted w) i
  ), open_interviews as (
    select distinct on (i.conversation_id) i.conversation_id, i.project_id
    from public.interviews i
    where i.conversation_id = any (conversation_ids) and i.status in ('invited', 'in_progress')
    order by i.conversation_id, i.invited_at desc
  )
  select w.id,
         case when p.id is null then s.settings
              else pg_catalog.jsonb_populate_record(s.settings, pg_catalog.jsonb_build_object(
                     'team_id', coalesce(p.responder_team_id, (s.settings).team_id),
                     'business_hours', null,
                     'max_bot_turns', greatest((s.settings).max_bot_turns, 2 * pg_catalog.jsonb_array_length(p.questions) + 2)))
         end
  from wanted w
  join inbox_settings s on s.inbox_id = w.inbox_id
  left join open_interviews o on o.conversation_id = w.id
  left join public.projects p on p.id = o.project_id;
$$;

/*
 * Who answers the conversation and how (the hook start_turn and note_contact_messages ask): the
 * set form's answer for this one conversation.
 */
create or replace function private.responder_settings_for_conversation(conversation public.conversations)
returns public.responder_settings
language sql
stable
security definer
set search_path = ''
as $$
  select s.settings from private.responder_settings_for_conversations(array[conversation.id]) s;
$$;

-- ─── the messages triggers ────────────────────────────────────────────────────────────────────
-- A contact's messages, once per statement and conversation that somebody answers.
create or replace function private.note_new_contact_messages()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch record;
begin
  -- The conversations the contacts wrote in, locked as note_contact_messages took them (one by
  -- one, in id order), before asking who answers them: what was committed meanwhile is seen.
  perform from public.conversations c
  where c.id in (select n.conversation_id from new_messages n where n.direction = 'in')
  order by c.id
  for no key update;
  for batch in
    select b.* from (
      select n.conversation_id, min(n.message_index) as first_index, max(n.message_index) as last_index,
             array_agg(n.body order by n.message_index) as texts, max(n.created_at) as arrived_at
      from new_messages n where n.direction = 'in'
      group by n.conversation_id) b
    where b.conversation_id in (
      select s.conversation_id
      from private.responder_settings_for_conversations(array(select distinct n.conversation_id from new_messages n where n.direction = 'in')) s
      where (s.settings).team_id is not null)
    order by b.conversation_id
  loop
    perform private.note_contact_messages(batch.conversation_id, batch.first_index, batch.last_index, batch.texts, batch.arrived_at);
  end loop;
  return null;
end;
$$;

/*
 * A contact's opt-out or opt-in words, once per statement: the last such message of each contact
 * in the batch decides. Opting out again keeps the first moment; opting in an opted-in contact
 * changes nothing (so the audit log holds only real changes). The settings are read once per inbox,
 * each text folded once, and private.opt_word_of asked only for the texts that are one of the words.
 */
create or replace function private.apply_contact_opt_words()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  decision record;
begin
  for decision in
    with short_texts as materialized (
      -- Only short texts can be a word (opt_word_of's limit): each is folded once here.
      select m.contact_id, m.inbox_id, m.message_index, m.body, private.fold_word(m.body) as word from new_messages m
      where m.direction = 'in' and m.type = 'text' and char_length(m.body) <= 80
    ), inbox_settings as materialized (
      select i.inbox_id, private.responder_settings_for_inbox(i.inbox_id) as settings
      from (select distinct t.inbox_id from short_texts t) i
    )
    select distinct on (n.contact_id) n.contact_id, w.word_kind, n.word
    from short_texts n
    -- Folded as opt_word_of folds, a text that is none of its inbox's words is no word: only the
    -- others are asked.
    join inbox_settings s on s.inbox_id = n.inbox_id and n.word = any ((s.settings).opt_out_words || (s.settings).opt_in_words)
    cross join lateral (select private.opt_word_of(s.settings, n.body) as word_kind) w
    where w.word_kind is not null
    order by n.contact_id, n.message_index desc
  loop
    if decision.word_kind = 'opt_out' then
      update public.contacts c set opted_out_at = now(), opt_out_reason = 'word:' || decision.word
      where c.id = decision.contact_id and c.opted_out_at is null;
    else
      update public.contacts c set opted_out_at = null
      where c.id = decision.contact_id and c.opted_out_at is not null;
    end if;
  end loop;
  return null;
end;
$$;

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke all on function private.responder_settings_for_conversations(uuid[]) from public, anon, authenticated;
grant execute on function private.responder_settings_for_conversations(uuid[]) to service_role;
