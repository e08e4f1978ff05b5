-- tool call events: private.record_tool_call (20261122003000) took any jsonb as the call, so an
-- engine bug that sent the record as one JSON string stored events whose payload was an array of a
-- string and the agent's ids, with no field the monitor reads. The engine now sends an object; the
-- database refuses anything else, so such an event can never be written again.

-- ─── functions ────────────────────────────────────────────────────────────────────────────────
/*
 * Appends a `tool_call` event (the call, its result or error, its duration) to the step's run, for
 * the worker holding the step's lease only; false (nothing recorded) otherwise. Service role only;
 * raises engine_only for anyone else and tool_call_not_object when `call` is not a JSON object.
 */
create or replace function private.record_tool_call(target_step_id uuid, worker text, attempt integer, call jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
  step public.execution_steps;
begin
  if not private.is_trusted_caller() then
    raise exception using errcode = '42501', constraint = 'engine_only', message = 'only the engine can record tool calls';
  end if;
  if call is null or pg_catalog.jsonb_typeof(call) <> 'object' then
    raise exception using errcode = '22023', constraint = 'tool_call_not_object', message = 'a tool call is recorded as a JSON object',
      detail = pg_catalog.jsonb_build_object('field', 'call')::text;
  end if;
  select * into step from public.execution_steps s
  where s.id = target_step_id and s.status = 'running' and s.lease_owner = worker and s.attempt_count = attempt;
  if step.id is null then
    return false;
  end if;
  perform private.append_execution_event(step.execution_id, 'tool_call',
    call || pg_catalog.jsonb_build_object('agent_id', step.agent_id, 'attempt', attempt), step.id);
  return true;
end;
$$;
comment on function private.record_tool_call(uuid, text, integer, jsonb) is
  'Appends a tool_call event (a JSON object) for the step''s lease holder; false otherwise. Service role only.';

-- ─── grants ───────────────────────────────────────────────────────────────────────────────────
revoke execute on function private.record_tool_call(uuid, text, integer, jsonb) from public, anon, authenticated;
grant execute on function private.record_tool_call(uuid, text, integer, jsonb) to service_role;
