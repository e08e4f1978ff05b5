-- responder settings plans: who answers is planned once per session, not once per message.
--
-- A webhook records one message per statement, so the messages' statement triggers run once per
-- message, and each asks who answers: private.responder_settings_for_inbox (the opt words, and
-- through the hook the turns) and, since 20261122008000, the set hook
-- private.responder_settings_for_conversations. Both were SQL functions, which Postgres 15 plans
-- again each time the statement calling them runs — for one message, every time: with
-- track_functions, 200 messages through private.record_webhook_message spent ~0.5 ms a call in
-- responder_settings_for_inbox (400 calls) and ~1 ms in the set hook's three-part query, a third
-- of the message's time. PL/pgSQL keeps each query's plan for the session (the set hook's generic
-- one: see below). Same queries, same answers (pgTAP 120, 121, 193, 214).

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * The settings an inbox follows: its own row, else its company's default, else the built-in
 * defaults with nobody answering (team_id null). Service side (the turn functions).
 */
create or replace function private.responder_settings_for_inbox(target_inbox_id uuid)
returns public.responder_settings
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce(
    (select s from public.responder_settings s where s.inbox_id = target_inbox_id),
    (select s from public.responder_settings s join public.inboxes i on i.tenant_id = s.tenant_id
     where i.id = target_inbox_id and s.inbox_id is null),
    (select pg_catalog.jsonb_populate_record(null::public.responder_settings, pg_catalog.jsonb_build_object(
       'tenant_id', i.tenant_id, 'time_zone', 'America/Sao_Paulo', 'handoff_keywords', array['atendente', 'humano', 'human', 'agent'],
       'max_bot_turns', 10, 'debounce_ms', 3000, 'history_messages', 20,
       'opt_out_words', array['sair', 'parar', 'stop', 'cancelar'], 'opt_in_words', array['voltar', 'start']))
     from public.inboxes i where i.id = target_inbox_id));
end;
$$;

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
language plpgsql
stable
security definer
set search_path = ''
-- Its one parameter is an array of any length: a plan per call (Postgres's choice here, the
-- generic plan's estimate being for ten ids) cost as much as the call; the generic one serves all.
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
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
end;
$$;
