// The execution queries of the /executions routes, run in the caller's transaction (RLS applies).
// Every query names the current tenant too, so another company's run is not found even for
// someone who belongs to both. Numbers are built in SQL (jsonb) so numerics and bigints arrive as
// JSON numbers.
import type {
  ExecutionEvent,
  ExecutionLogPage,
  ExecutionPage,
  ExecutionResult,
  ExecutionStatus,
  ExecutionStatusResponse,
} from "../../_shared/schemas/executions.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";

export interface ExecutionListParams {
  tenantId: string;
  page: number;
  limit: number;
  teamId: string | null;
  status: ExecutionStatus | null;
  /** Inclusive, on created_at. */
  from: string | null;
  /** Exclusive, on created_at. */
  to: string | null;
  /** Text the prompt or the result contains, case and accents as typed (ilike); null for every run. */
  search: string | null;
  /** Only runs with a step waiting for a decision the caller may take. */
  awaitingMe?: boolean;
}

/** `text` as an ilike pattern that matches it anywhere, its own % and _ taken literally. */
function containsPattern(text: string | null): string | null {
  return text === null ? null : `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** A page of the tenant's runs, newest first. */
export async function listExecutions(tx: TransactionSql, params: ExecutionListParams): Promise<ExecutionPage> {
  const { tenantId, page, limit, teamId, status, from, to } = params;
  const pattern = containsPattern(params.search);
  const awaitingMe = params.awaitingMe ?? false;
  const [result] = await tx<{ total: number; items: ExecutionPage["items"] }[]>`
    with matched as (
      select e.* from public.executions e
      where e.tenant_id = ${tenantId}
        and (${teamId}::uuid is null or e.team_id = ${teamId}::uuid)
        and (${status}::public.execution_status is null or e.status = ${status}::public.execution_status)
        and (${from}::timestamptz is null or e.created_at >= ${from}::timestamptz)
        and (${to}::timestamptz is null or e.created_at < ${to}::timestamptz)
        -- The company's runs only (the tenant filter comes first), so a scan of their text stays small.
        and (${pattern}::text is null
             or e.initial_prompt ilike ${pattern}::text
             or e.final_result ->> 'summary' ilike ${pattern}::text
             or exists (select 1 from jsonb_array_elements(coalesce(e.final_result -> 'details', '[]'::jsonb)) detail
                        where detail ->> 'output' ilike ${pattern}::text))
        -- Waiting for me: a step waiting for approval that the caller may decide (the rule of
        -- private.is_step_approver, as the status's can_decide reads it).
        and (not ${awaitingMe}::boolean or exists (
          select 1 from public.execution_steps s
          join public.memberships m on m.tenant_id = s.tenant_id and m.user_id = (select auth.uid())
          where s.execution_id = e.id and s.status = 'waiting_approval'
            and (m.role in ('owner', 'admin')
                 or (m.role = 'member' and coalesce(s.overrides #> '{approval,approvers}', '[]'::jsonb) ? m.user_id::text))))
    )
    select
      (select count(*)::int from matched) as total,
      coalesce((
        select jsonb_agg(jsonb_build_object(
                 'id', e.id, 'team_id', e.team_id, 'team_name', coalesce(e.team_config ->> 'team_name', ''),
                 'workflow_type', e.workflow_type, 'status', e.status, 'initial_prompt', e.initial_prompt,
                 'total_steps', e.total_steps, 'finished_steps', e.finished_steps, 'input_tokens', e.input_tokens,
                 'output_tokens', e.output_tokens, 'cost_usd', e.cost_usd, 'error_message', e.error_message,
                 'created_by', e.created_by, 'created_at', e.created_at, 'started_at', e.started_at,
                 'finished_at', e.finished_at)
               order by e.created_at desc, e.id)
        from (select * from matched order by created_at desc, id limit ${limit} offset ${(page - 1) * limit}) e
      ), '[]'::jsonb) as items`;
  return { items: result.items, total: result.total, page, limit };
}

/** A run's progress and each agent's step (see executionStatusResponse), or null when not found. */
export async function executionStatus(
  tx: TransactionSql,
  tenantId: string,
  executionId: string,
): Promise<ExecutionStatusResponse | null> {
  const [row] = await tx<{ status: ExecutionStatusResponse }[]>`
    select jsonb_build_object(
      'execution_id', e.id, 'team_id', e.team_id, 'team_name', coalesce(e.team_config ->> 'team_name', ''),
      'workflow_type', e.workflow_type, 'status', e.status,
      'initial_prompt', e.initial_prompt, 'variables', e.variables,
      'current_step', coalesce(
        (select min(s.position) from public.execution_steps s where s.execution_id = e.id and s.status = 'running'),
        (select min(s.position) from public.execution_steps s where s.execution_id = e.id and s.status in ('ready', 'pending'))),
      'total_steps', steps.total, 'finished_steps', steps.finished,
      'progress', case when steps.total = 0 then case when e.status in ('completed', 'failed', 'cancelled') then 1 else 0 end
                       else round(steps.finished::numeric / steps.total, 4) end,
      'agents', steps.agents,
      'cost_usd', e.cost_usd, 'input_tokens', e.input_tokens, 'output_tokens', e.output_tokens,
      'error_message', e.error_message, 'created_at', e.created_at, 'started_at', e.started_at,
      'finished_at', e.finished_at, 'deadline_at', e.deadline_at, 'last_event_seq', e.last_event_seq
    ) as status
    from public.executions e
    cross join lateral (
      select count(*)::int as total,
             (count(*) filter (where s.status in ('succeeded', 'failed', 'skipped', 'cancelled')))::int as finished,
             coalesce(jsonb_agg(jsonb_build_object(
               'step_id', s.id, 'agent_id', s.agent_id, 'name', coalesce(s.agent_definition ->> 'name', ''),
               'position', s.position, 'role', s.role, 'status', s.status, 'attempt_count', s.attempt_count,
               'input_tokens', s.input_tokens, 'output_tokens', s.output_tokens, 'cost_usd', s.cost_usd,
               'latency_ms', s.latency_ms, 'skip_reason', s.skip_reason, 'error', s.error_message,
               'started_at', s.started_at, 'finished_at', s.finished_at,
               -- The passages the step's model was given ([n] in its output), each with its
               -- document's knowledge base for a link; a document deleted since keeps its title.
               'citations', (
                 select coalesce(jsonb_agg(jsonb_build_object(
                   'n', (c ->> 'n')::int, 'document_id', c ->> 'document_id', 'document_title', c ->> 'document_title',
                   'knowledge_base_id', d.knowledge_base_id, 'version', (c ->> 'version')::int,
                   'heading_path', coalesce(c -> 'heading_path', '[]'::jsonb), 'score', (c ->> 'score')::float8
                 ) order by (c ->> 'n')::int), '[]'::jsonb)
                 from jsonb_array_elements(s.citations) c
                 left join public.documents d on d.id = (c ->> 'document_id')::uuid and d.tenant_id = s.tenant_id),
               'approval', case when s.overrides ? 'approval' then jsonb_build_object(
                 'approvers', coalesce(s.overrides #> '{approval,approvers}', '[]'::jsonb),
                 'timeout_seconds', s.overrides #> '{approval,timeout_seconds}',
                 'on_timeout', case when s.overrides #> '{approval}' ? 'timeout_seconds'
                                    then coalesce(s.overrides #>> '{approval,on_timeout}', 'reject') end,
                 'due_at', s.approval_due_at,
                 'output', case when s.status in ('waiting_approval', 'succeeded') then s.output end,
                 'proposed_output', s.proposed_output,
                 'decision', s.approval_decision, 'decided_by', s.approval_decided_by,
                 'decided_at', s.approval_decided_at, 'reason', s.approval_reason,
                 -- The rule of private.is_step_approver, read from the caller's own membership.
                 'can_decide', s.status = 'waiting_approval' and exists (
                   select 1 from public.memberships m
                   where m.tenant_id = s.tenant_id and m.user_id = (select auth.uid())
                     and (m.role in ('owner', 'admin')
                          or (m.role = 'member' and coalesce(s.overrides #> '{approval,approvers}', '[]'::jsonb) ? m.user_id::text)))) end
               ) order by s.position), '[]'::jsonb) as agents
      from public.execution_steps s where s.execution_id = e.id
    ) steps
    where e.id = ${executionId} and e.tenant_id = ${tenantId}`;
  return row?.status ?? null;
}

/**
 * A run's answer and what it cost. `final_result` is the run's own (written when it finishes), so
 * it is null while the run is pending or running. Costs come from the usage ledger: what was
 * recorded, priced, per agent.
 */
export async function executionResult(
  tx: TransactionSql,
  tenantId: string,
  executionId: string,
): Promise<ExecutionResult | null> {
  const [row] = await tx<{ result: ExecutionResult }[]>`
    select jsonb_build_object(
      'execution_id', e.id, 'status', e.status,
      'final_result', case when e.status in ('completed', 'failed', 'cancelled') then e.final_result end,
      'error_message', e.error_message,
      'cost', jsonb_build_object('total_usd', costs.total_usd, 'per_agent', costs.per_agent),
      'usage', jsonb_build_object('input_tokens', costs.input_tokens, 'output_tokens', costs.output_tokens,
                                  'total_tokens', costs.input_tokens + costs.output_tokens),
      'started_at', e.started_at, 'finished_at', e.finished_at
    ) as result
    from public.executions e
    cross join lateral (
      select coalesce(sum(per_step.cost_usd), 0) as total_usd,
             coalesce(sum(per_step.input_tokens), 0)::bigint as input_tokens,
             coalesce(sum(per_step.output_tokens), 0)::bigint as output_tokens,
             coalesce(jsonb_agg(jsonb_build_object(
               'agent_id', per_step.agent_id, 'name', per_step.name, 'position', per_step.position,
               'provider', per_step.provider, 'model', per_step.model, 'input_tokens', per_step.input_tokens,
               'output_tokens', per_step.output_tokens, 'cost_usd', per_step.cost_usd) order by per_step.position), '[]'::jsonb)
               as per_agent
      from (
        select s.agent_id, coalesce(s.agent_definition ->> 'name', '') as name, s.position,
               min(l.provider::text) as provider, min(l.model) as model,
               coalesce(sum(l.input_tokens), 0)::bigint as input_tokens,
               coalesce(sum(l.output_tokens), 0)::bigint as output_tokens,
               coalesce(sum(l.cost_usd), 0) as cost_usd
        from public.execution_steps s
        left join public.usage_ledger l on l.step_id = s.id
        where s.execution_id = e.id
        group by s.id
      ) per_step
    ) costs
    where e.id = ${executionId} and e.tenant_id = ${tenantId}`;
  return row?.result ?? null;
}

/** A window of a run's event log after `afterSeq`, in seq order, or null when the run is not found. */
export async function executionLog(
  tx: TransactionSql,
  tenantId: string,
  executionId: string,
  window: { limit: number; offset: number; afterSeq: number },
): Promise<ExecutionLogPage | null> {
  const [run] = await tx<{ last_event_seq: number }[]>`
    select e.last_event_seq::int as last_event_seq from public.executions e
    where e.id = ${executionId} and e.tenant_id = ${tenantId}`;
  if (!run) return null;
  const [page] = await tx<{ total: number; items: ExecutionEvent[] }[]>`
    select
      (select count(*)::int from public.execution_events v where v.execution_id = ${executionId} and v.seq > ${window.afterSeq}) as total,
      coalesce((
        select jsonb_agg(jsonb_build_object('seq', v.seq, 'event', v.event, 'step_id', v.step_id, 'payload', v.payload,
                                            'created_at', v.created_at) order by v.seq)
        from (
          select * from public.execution_events v
          where v.execution_id = ${executionId} and v.seq > ${window.afterSeq}
          order by v.seq limit ${window.limit} offset ${window.offset}
        ) v
      ), '[]'::jsonb) as items`;
  return {
    items: page.items,
    total: page.total,
    limit: window.limit,
    offset: window.offset,
    after_seq: window.afterSeq,
    last_event_seq: Number(run.last_event_seq),
  };
}
