// The agent queries shared by the routes and the list-agents benchmark (scripts/bench), which runs
// them as `authenticated` and unprotected to measure what RLS costs. Run inside a transaction
// whose claims are the caller's: `auth.uid()` names them.
import type { Agent, AgentPage, AgentStatus } from "../../_shared/schemas/agents.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";

export interface AgentListParams {
  /** The caller's current tenant. */
  tenantId: string;
  page: number;
  limit: number;
  /** An ILIKE pattern for the name (see containsPattern), or null. */
  namePattern: string | null;
  status: AgentStatus | null;
}

/**
 * A page of the agents the caller works with in the current tenant: the tenant's own (`owner`)
 * and those shared with the caller or with the tenant (`edit` when any such share allows editing,
 * else `use`), most recently changed first. One round trip; the count and the page come from the
 * same snapshot. Each branch is an index scan (agents by tenant; shares by grantee), and the
 * policies add a hashed membership check per row.
 */
export async function listAgents(tx: TransactionSql, params: AgentListParams): Promise<AgentPage> {
  const [result] = await listAgentsStatement<{ total: number; items: Agent[] }>(tx, params, tx``);
  return { items: result.items, total: result.total, page: params.page, limit: params.limit };
}

/** The plan of listAgents's statement, run with EXPLAIN ANALYZE (for the benchmark). */
export async function explainListAgents(tx: TransactionSql, params: AgentListParams): Promise<string[]> {
  const rows = await listAgentsStatement<{ "QUERY PLAN": string }>(
    tx,
    params,
    tx.unsafe("explain (analyze, buffers, costs off)"),
  );
  return rows.map((row) => row["QUERY PLAN"]);
}

function listAgentsStatement<Row extends Record<string, unknown>>(
  tx: TransactionSql,
  params: AgentListParams,
  prefix: ReturnType<TransactionSql["unsafe"]>,
) {
  const { tenantId, page, limit, namePattern, status } = params;
  return tx<Row[]>`
    ${prefix}
    with matched as (
      select a.*, 'owner' as access
      from public.agents a
      where a.tenant_id = ${tenantId}
        and (${namePattern}::text is null or a.name ilike ${namePattern})
        and (${status}::public.agent_status is null or a.status = ${status}::public.agent_status)
      union all
      select a.*, s.access
      from (
        select s.agent_id, case when bool_or(s.permission = 'edit') then 'edit' else 'use' end as access
        from public.agent_shares s
        where (s.grantee_user_id = (select auth.uid()) or s.grantee_tenant_id = ${tenantId})
          and s.tenant_id <> ${tenantId}
        group by s.agent_id
      ) s
      join public.agents a on a.id = s.agent_id
      where (${namePattern}::text is null or a.name ilike ${namePattern})
        and (${status}::public.agent_status is null or a.status = ${status}::public.agent_status)
    )
    select
      (select count(*)::int from matched) as total,
      coalesce((
        select jsonb_agg(to_jsonb(p) order by p.updated_at desc, p.id)
        from (select * from matched order by updated_at desc, id limit ${limit} offset ${(page - 1) * limit}) p
      ), '[]'::jsonb) as items`;
}

/** One agent the caller works with in the current tenant (own or shared with them), or null. */
export async function findAgent(tx: TransactionSql, tenantId: string, agentId: string): Promise<Agent | null> {
  const [row] = await tx<{ agent: Agent }[]>`
    select to_jsonb(a) || jsonb_build_object('access', ${accessOf(tx, tenantId)}) as agent
    from public.agents a
    where a.id = ${agentId} and ${worksWith(tx, tenantId)}`;
  return row?.agent ?? null;
}

/** `a` (an agents row) is the tenant's own or shared with the caller or the tenant. */
export function worksWith(tx: TransactionSql, tenantId: string) {
  return tx`(a.tenant_id = ${tenantId} or exists (
    select 1 from public.agent_shares s
    where s.agent_id = a.id and (s.grantee_user_id = (select auth.uid()) or s.grantee_tenant_id = ${tenantId})))`;
}

/** The caller's access to `a` (an agents row): owner, edit or use. */
function accessOf(tx: TransactionSql, tenantId: string) {
  return tx`case
    when a.tenant_id = ${tenantId} then 'owner'
    when exists (
      select 1 from public.agent_shares s
      where s.agent_id = a.id and s.permission = 'edit'
        and (s.grantee_user_id = (select auth.uid()) or s.grantee_tenant_id = ${tenantId})) then 'edit'
    else 'use' end`;
}
