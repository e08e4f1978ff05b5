-- turn chat input: what the executor asks to give a provider the conversation as chat messages
-- (supabase/functions/executor/conversation-chat.ts). A reply run carries the transcript in
-- variables.conversation.transcript (private.start_turn); the steps that answer the conversation
-- itself — those whose input is the run's prompt — get it. A later step of a pipeline, which reads
-- an earlier agent's output, keeps its text input.
--
-- Who may do what: the service role (the executor) only.
--
-- Who writes each table: none.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * The transcript a step answers as chat ([{role, content, ...}], oldest first), or null when the
 * step's run is not a conversation's reply or the step's input is not the run's prompt.
 */
create or replace function private.step_conversation_transcript(target_step_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select e.variables -> 'conversation' -> 'transcript'
  from public.execution_steps s join public.executions e on e.id = s.execution_id
  where s.id = target_step_id
    and pg_catalog.jsonb_typeof(e.variables -> 'conversation' -> 'transcript') = 'array'
    and s.resolved_input = e.initial_prompt;
$$;
comment on function private.step_conversation_transcript(uuid) is
  'Service role (the executor): the conversation a reply step answers, as chat turns; null for any other step.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
grant execute on function private.step_conversation_transcript(uuid) to service_role;
