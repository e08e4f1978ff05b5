// What the engine benchmarks (engine-overhead.ts, parallel-speedup.ts, burst.ts) share: their own
// `bench` stack (API :58321, DB :58322; purged first, stopped at the end unless --keep), a company
// with demo agents and teams seeded in SQL as the service side would, runs started with
// public.start_execution (the database then wakes the executor through pg_net, as in production),
// and numbers read back from the database: executions, steps and the event log, whose times are
// the database's own (now() of the transaction that made each change).
//   --instance <name>  measure a stack that is already running instead (not purged, not stopped)
//   --keys asymmetric  start the bench stack on signing keys (publishable/secret keys, ES256 tokens)
import { availableParallelism, loadavg } from "node:os";
import postgres from "postgres";
import { apiUrl, dbUrl, type InstanceName, isInstanceName, stackInstance } from "../stack/instances.ts";
import { instanceKeys, requireKeysMode, serviceKeyOf } from "../stack/instance-keys.ts";
import { stackDown, stackPurge, stackUp } from "../stack/stack.ts";

export type Sql = postgres.Sql;

export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

export const flag = (name: string) => process.argv.includes(name);

export const say = (line: string) => console.log(`bench: ${line}`);

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(values: number[]): Summary {
  return {
    count: values.length,
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    max: Math.max(...values),
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  };
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

export function line(label: string, summary: Summary): string {
  return `${label.padEnd(52)} p50 ${ms(summary.p50).padStart(10)}  p95 ${ms(summary.p95).padStart(10)}  max ${ms(summary.max).padStart(10)}  (n=${summary.count})`;
}

/** Every process of the stack shares these CPUs with whatever else runs: say how busy they were. */
export function machineLoad(): string {
  const [one, five] = loadavg();
  return `machine: ${availableParallelism()} CPUs, load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min)`;
}

export interface BenchStack {
  name: InstanceName;
  sql: Sql;
  apiUrl: string;
  /** The key service calls present on this stack's key system: the secret key, or the service_role JWT. */
  serviceKey: string;
  close(): Promise<void>;
}

/** Purges and starts the `bench` stack (or uses the running --instance), with a pool of `connections`. */
export async function openBenchStack(connections = 4): Promise<BenchStack> {
  const requested = option("--instance", "bench");
  if (!isInstanceName(requested)) throw new Error(`--instance: no stack instance named ${requested}`);
  const instance = stackInstance(requested);
  // Fakes started by the benchmark listen where this stack's functions may reach them (fake-ports.ts).
  process.env.RENUM_STACK = requested;
  const owned = requested === "bench";
  if (owned) {
    say(`purging and starting the bench stack (API ${apiUrl(instance)}, DB ${dbUrl(instance)})`);
    await stackPurge(instance);
    await stackUp(instance, say, requireKeysMode(option("--keys", "") || undefined));
  } else {
    say(`using the running ${requested} stack (API ${apiUrl(instance)}, DB ${dbUrl(instance)})`);
  }
  const sql = postgres(dbUrl(instance), { max: connections, prepare: false, onnotice: () => {} });
  say(machineLoad());
  return {
    name: requested,
    sql,
    apiUrl: apiUrl(instance),
    serviceKey: serviceKeyOf(instanceKeys(instance)),
    async close() {
      say(machineLoad());
      await sql.end({ timeout: 5 });
      if (owned && !flag("--keep")) {
        say("stopping the bench stack");
        await stackDown(instance);
      }
    },
  };
}

/** Wakes the executor once and waits until its function answers (the first request starts its Deno process). */
export async function warmExecutor(stack: BenchStack): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const answer = await fetch(`${stack.apiUrl}/functions/v1/executor/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.serviceKey}`, "content-type": "application/json" },
        body: "{}",
      });
      await answer.text();
      if (answer.status === 202) return;
    } catch {
      // the gateway is still starting the function
    }
    await pause(200);
  }
  throw new Error("the executor function did not answer 202");
}

export interface Company {
  tenantId: string;
  ownerId: string;
}

/** A person (straight into auth.users, as Auth stores one), their company on `plan`, and their owner membership. */
export async function seedCompany(sql: Sql, label: string, plan: "basic" | "pro" | "enterprise" = "enterprise"): Promise<Company> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const [user] = await sql<{ id: string }[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', ${`bench-${label}-${suffix}@example.test`},
            '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now())
    returning id`;
  const [tenant] = await sql<{ id: string }[]>`
    insert into public.tenants (name, slug, plan, created_by) values (${`Bench ${label}`}, ${`bench-${label}-${suffix}`}, ${plan}, ${user.id})
    returning id`;
  await sql`insert into public.memberships (tenant_id, user_id, role) values (${tenant.id}, ${user.id}, 'owner')`;
  return { tenantId: tenant.id, ownerId: user.id };
}

export interface AgentSeed {
  name: string;
  provider?: "demo" | "openai-compatible";
  model?: string;
  config?: Record<string, unknown>;
}

export async function seedAgents(sql: Sql, company: Company, agents: AgentSeed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const agent of agents) {
    const [row] = await sql<{ id: string }[]>`
      insert into public.agents (tenant_id, name, provider, model, config, status, created_by)
      values (${company.tenantId}, ${agent.name}, ${agent.provider ?? "demo"}, ${agent.model ?? "demo-small"},
              ${sql.json((agent.config ?? {}) as postgres.JSONValue)}, 'active', ${company.ownerId})
      returning id`;
    ids.push(row.id);
  }
  return ids;
}

export interface TeamSeed {
  name: string;
  workflow: "sequential" | "parallel" | "pipeline" | "conditional";
  agentIds: string[];
  /** Parallel teams: every agent at order 1. */
  sameOrder?: boolean;
  maxParallel?: number;
  timeoutSeconds?: number;
}

export async function seedTeam(sql: Sql, company: Company, team: TeamSeed): Promise<string> {
  return await sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into public.teams (tenant_id, name, workflow_type, max_parallel_agents, timeout_seconds, created_by)
      values (${company.tenantId}, ${team.name}, ${team.workflow}, ${team.maxParallel ?? 5}, ${team.timeoutSeconds ?? 600}, ${company.ownerId})
      returning id`;
    for (const [index, agentId] of team.agentIds.entries()) {
      await tx`
        insert into public.team_agents (team_id, agent_id, execution_order)
        values (${row.id}, ${agentId}, ${team.sameOrder ? 1 : index + 1})`;
    }
    return row.id;
  });
}

/** Starts a run as the service side (public.start_execution as a trusted caller); answers its id and status. */
export async function startRun(sql: Sql, teamId: string, prompt: string): Promise<{ id: string; status: string }> {
  const [run] = await sql<{ id: string; status: string }[]>`select (r).id, (r).status::text from (select public.start_execution(${teamId}, ${prompt}) as r) s`;
  return run;
}

export interface RunTimes {
  id: string;
  status: string;
  created_at: Date;
  started_at: Date;
  finished_at: Date;
}

const finishedStatuses = ["completed", "failed", "cancelled"];

/** Waits until every run has finished; throws after `timeoutMs` saying how many are left. */
export async function waitForRuns(sql: Sql, ids: string[], timeoutMs: number, everyMs = 10): Promise<RunTimes[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await sql<RunTimes[]>`
      select id, status::text, created_at, started_at, finished_at from public.executions where id in ${sql(ids)}`;
    const open = rows.filter((row) => !finishedStatuses.includes(row.status));
    if (open.length === 0 && rows.length === ids.length) return [...rows];
    if (Date.now() > deadline) throw new Error(`${open.length} of ${ids.length} runs had not finished after ${timeoutMs} ms`);
    await pause(everyMs);
  }
}

/**
 * One step's moments, in milliseconds (with microseconds) since its run was created, computed by the
 * database: started/finished from the step, ready/succeeded from the event log (the transaction
 * that made the step ready, and the one that recorded its result).
 */
export interface StepTimes {
  execution_id: string;
  position: number;
  status: string;
  attempt_count: number;
  latency_ms: number | null;
  run_started: number;
  started: number;
  finished: number;
  ready: number;
  succeeded: number | null;
}

export async function stepTimes(sql: Sql, executionIds: string[]): Promise<StepTimes[]> {
  return [
    ...(await sql<StepTimes[]>`
      with ev as (
        select ev.execution_id, ev.step_id,
               min(ev.created_at) filter (where ev.payload ->> 'status' = 'ready') as ready_at,
               max(ev.created_at) filter (where ev.payload ->> 'status' = 'succeeded') as succeeded_at
        from public.execution_events ev
        where ev.execution_id in ${sql(executionIds)} and ev.event = 'agent_status_update'
        group by ev.execution_id, ev.step_id
      )
      select s.execution_id, s.position, s.status::text as status, s.attempt_count, s.latency_ms,
             (extract(epoch from e.started_at - e.created_at) * 1000)::float8 as run_started,
             (extract(epoch from s.started_at - e.created_at) * 1000)::float8 as started,
             (extract(epoch from s.finished_at - e.created_at) * 1000)::float8 as finished,
             (extract(epoch from ev.ready_at - e.created_at) * 1000)::float8 as ready,
             (extract(epoch from ev.succeeded_at - e.created_at) * 1000)::float8 as succeeded
      from public.execution_steps s
      join public.executions e on e.id = s.execution_id
      left join ev on ev.execution_id = s.execution_id and ev.step_id = s.id
      where s.execution_id in ${sql(executionIds)}
      order by s.execution_id, s.position`),
  ];
}

/** Milliseconds between two moments, as the database measures them. */
export const between = (from: Date, to: Date) => to.getTime() - from.getTime();
