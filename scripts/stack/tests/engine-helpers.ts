// Shared by the engine-*.test.ts suites: companies of people who signed up through the Auth
// stand-in; agents, teams and runs made, started, stopped and read through the `api` function as
// those people (POST /agents, POST /teams, POST /teams/:id/execute, /executions/:id/...), exactly
// as the web app does; the executor is woken by the database through pg_net and by the api, as in
// production. What the engine did is also read straight from the database, as its owner, to check
// what no endpoint shows (leases, resolved inputs, the usage ledger).
import postgres from "postgres";
import { stackEnv } from "../../test/stack-env.ts";
import { functionPid } from "../functions/function-process.ts";
import { type InstanceName, stackInstance } from "../instances.ts";
import { startPostgres, stopPostgres } from "../postgres-cluster.ts";
import { type ApiUser, call, createTenant, expectStatus, signUp } from "./api-helpers.ts";

export type Sql = postgres.Sql;

/** The database as its owner, for seeding what only the service side may set and for reading state. */
export function engineDatabase(): Sql {
  return postgres(stackEnv.dbUrl, { max: 4, prepare: false, onnotice: () => {} });
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it answers something truthy; throws saying what it waited for. */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 90_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(everyMs);
  }
}

// ─── people and companies ─────────────────────────────────────────────────────────────────────

export interface Company {
  owner: ApiUser;
  tenantId: string;
}

/** A person who signs up and makes a company through the API; its plan is set as the service side sets plans. */
export async function newCompany(sql: Sql, label: string, plan: "basic" | "pro" | "enterprise" = "enterprise"): Promise<Company> {
  const owner = await signUp(label);
  const tenantId = await createTenant(owner, `Engine ${label}`);
  await sql`update public.tenants set plan = ${plan} where id = ${tenantId}`;
  return { owner, tenantId };
}

/** Removes the companies and people a suite made (their runs go with their tenants). */
export async function removeCompanies(sql: Sql, companies: Company[]): Promise<void> {
  const tenants = companies.map((company) => company.tenantId);
  const people = companies.map((company) => company.owner.id);
  if (tenants.length > 0) await sql`delete from public.tenants where id in ${sql(tenants)}`;
  if (people.length > 0) await sql`delete from auth.users where id in ${sql(people)}`;
}

// ─── agents and teams ─────────────────────────────────────────────────────────────────────────

export interface AgentSpec {
  name: string;
  provider?: "demo" | "openai-compatible" | "anthropic" | "suna" | "agent-api";
  model?: string;
  config?: Record<string, unknown>;
}

/** An active agent made through the API (POST /agents); answers its id. */
export async function createAgent(company: Company, spec: AgentSpec): Promise<string> {
  const agent = await expectStatus(
    call(company.owner, "POST", "/agents", {
      tenant: company.tenantId,
      body: { model: "demo-small", provider: "demo", status: "active", ...spec },
    }),
    201,
  );
  return agent.id;
}

/** A demo agent that answers `reply` ({input}, {agent}, {model}, {hash} filled in) after latency_ms (0 unless given). */
export function demoAgent(company: Company, name: string, config: { latency_ms?: number; reply?: string; fail_rate?: number; tokens_per_reply?: number } = {}, model = "demo-small") {
  return createAgent(company, { name, provider: "demo", model, config: { latency_ms: 0, ...config } });
}

/** An OpenAI-compatible agent pointed at a fake server (config.base_url). */
export function openAiAgent(company: Company, name: string, baseUrl: string) {
  return createAgent(company, { name, provider: "openai-compatible", model: "gpt-4o-mini", config: { base_url: baseUrl } });
}

export interface TeamMember {
  agent_id: string;
  role?: "leader" | "member" | "coordinator";
  execution_order: number;
  input?: Record<string, unknown>;
  conditions?: Record<string, unknown>[];
}

export interface TeamSpec {
  name: string;
  workflow_type: "sequential" | "parallel" | "pipeline" | "conditional";
  timeout_seconds?: number;
  max_parallel_agents?: number;
  continue_on_error?: boolean;
  agents: TeamMember[];
}

/** A team with its agents, made by the company's owner through POST /teams; answers its id. */
export async function createTeam(company: Company, spec: TeamSpec): Promise<string> {
  const team = await expectStatus(
    call(company.owner, "POST", "/teams", {
      tenant: company.tenantId,
      body: {
        name: spec.name,
        workflow_type: spec.workflow_type,
        config: {
          timeout_seconds: spec.timeout_seconds ?? 600,
          max_parallel_agents: spec.max_parallel_agents ?? 5,
          continue_on_error: spec.continue_on_error ?? false,
        },
        agents: spec.agents.map((member) => ({ role: "member", ...member })),
      },
    }),
    201,
  );
  return team.id;
}

// ─── runs ─────────────────────────────────────────────────────────────────────────────────────

export type RunStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

export interface Started {
  id: string;
  status: RunStatus;
}

/** Starts a run as the company's owner: POST /teams/:id/execute, which answers 202 at once. */
export async function startRun(company: Company, teamId: string, prompt: string, variables: Record<string, unknown> = {}): Promise<Started> {
  const started = await expectStatus(
    call(company.owner, "POST", `/teams/${teamId}/execute`, { tenant: company.tenantId, body: { initial_prompt: prompt, variables } }),
    202,
  );
  return { id: started.execution_id, status: started.status };
}

/** Stops a run as the company's owner: POST /executions/:id/stop; answers the status it reports. */
export async function stopRun(company: Company, executionId: string): Promise<RunStatus> {
  const stopped = await expectStatus(call(company.owner, "POST", `/executions/${executionId}/stop`, { tenant: company.tenantId }), 200);
  return stopped.status;
}

/** GET /executions/:id/<what> as the company's owner. */
export function readRun<T = any>(company: Company, executionId: string, what: "status" | "result" | `logs${string}`): Promise<T> {
  return expectStatus(call<T>(company.owner, "GET", `/executions/${executionId}/${what}`, { tenant: company.tenantId }), 200);
}

export interface ExecutionRow {
  id: string;
  status: RunStatus;
  error_message: string | null;
  final_result: { summary: string | null; details: { agent_id: string; status: string; output: string | null; skip_reason: string | null }[] } | null;
  total_steps: number;
  finished_steps: number;
  last_event_seq: number;
  cost_usd: string;
  started_at: Date | null;
  finished_at: Date | null;
  deadline_at: Date | null;
}

export interface StepRow {
  id: string;
  agent_id: string;
  name: string;
  position: number;
  role: string;
  status: string;
  resolved_input: string | null;
  output: string | null;
  skip_reason: string | null;
  error_message: string | null;
  attempt_count: number;
  lease_owner: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface EventRow {
  seq: number;
  event: string;
  step_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

export async function execution(sql: Sql, id: string): Promise<ExecutionRow> {
  const [row] = await sql<ExecutionRow[]>`
    select id, status, error_message, final_result, total_steps, finished_steps, last_event_seq::int as last_event_seq,
           cost_usd::text as cost_usd, started_at, finished_at, deadline_at
    from public.executions where id = ${id}`;
  return row;
}

export async function steps(sql: Sql, executionId: string): Promise<StepRow[]> {
  return [
    ...(await sql<StepRow[]>`
      select id, agent_id, agent_definition ->> 'name' as name, position, role, status, resolved_input, output, skip_reason,
             error_message, attempt_count, lease_owner, started_at, finished_at
      from public.execution_steps where execution_id = ${executionId} order by position`),
  ];
}

export async function events(sql: Sql, executionId: string): Promise<EventRow[]> {
  return [
    ...(await sql<EventRow[]>`
      select seq::int as seq, event, step_id, payload, created_at
      from public.execution_events where execution_id = ${executionId} order by seq`),
  ];
}

const finished: RunStatus[] = ["completed", "failed", "cancelled"];

/**
 * Waits until the run has finished (generous: a worker restarted under the suite by a file change
 * leaves its step to the reaper, which takes a lease and a scheduled kick).
 */
export function runFinished(sql: Sql, id: string, timeoutMs = 150_000): Promise<ExecutionRow> {
  return waitFor(async () => {
    const row = await execution(sql, id);
    return finished.includes(row.status) ? row : null;
  }, `execution ${id} to finish`, timeoutMs, 100);
}

/** Waits until the step at `position` has the status (and, when given, the attempt). */
export function stepReaches(sql: Sql, executionId: string, position: number, status: string, attempt?: number, timeoutMs = 60_000): Promise<StepRow> {
  return waitFor(async () => {
    const step = (await steps(sql, executionId)).find((candidate) => candidate.position === position);
    return step && step.status === status && (attempt === undefined || step.attempt_count === attempt) ? step : null;
  }, `step ${position} of ${executionId} to be ${status}${attempt ? ` (attempt ${attempt})` : ""}`, timeoutMs, 20);
}

// ─── the executor ─────────────────────────────────────────────────────────────────────────────

/**
 * POST /functions/v1/executor/run with the service role key, as pg_net and the api function do,
 * until it answers 202: a request that races the death of the function's process gets the
 * gateway's 503 (as the scheduled kick would, which simply tries again a minute later).
 */
export async function kickExecutor(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await fetch(`${stackEnv.functionsUrl}/executor/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${stackEnv.serviceRoleKey}`, "content-type": "application/json" },
      body: "{}",
    });
    const text = await answer.text();
    if (answer.status === 202) return;
    if (answer.status !== 503 || Date.now() > deadline) throw new Error(`the executor answered ${answer.status}: ${text}`);
    await pause(200);
  }
}

/** The pid of the executor's Deno process serving this stack instance (of this checkout), or null when none runs. */
export function executorPid(instance = process.env.RENUM_STACK ?? "test"): number | null {
  return functionPid("executor", instance);
}

// ─── the database ─────────────────────────────────────────────────────────────────────────────

/**
 * Restarts this stack instance's Postgres (pg_ctl stop -m fast, then start), as a crash-free
 * restart or a failover looks to its clients: every connection is closed, queries in flight fail.
 * Waits until `sql` answers again.
 */
export async function restartPostgres(sql: Sql, instance = process.env.RENUM_STACK ?? "test"): Promise<void> {
  const cluster = stackInstance(instance as InstanceName);
  await stopPostgres(cluster);
  await startPostgres(cluster);
  await waitFor(() => sql`select 1`.then(() => true, () => false), "Postgres to answer after its restart", 60_000, 100);
}

/**
 * Pauses the executor watchdog (its pg_cron job, and the pass running now) so that only the engine
 * a test starts itself works; resumeWatchdog starts it again from the next minute.
 */
export async function pauseWatchdog(sql: Sql): Promise<void> {
  // cron.job is read-only for postgres, as on Supabase: jobs change through cron.alter_job().
  await sql`select cron.alter_job(jobid, active := false) from cron.job where jobname = 'renum-watch-executions'`;
  await sql`select pg_terminate_backend(pid) from pg_stat_activity where query like 'call private.watch_executions%' and pid <> pg_backend_pid()`;
}

export async function resumeWatchdog(sql: Sql): Promise<void> {
  await sql`select cron.alter_job(jobid, active := true) from cron.job where jobname = 'renum-watch-executions'`;
}

/** True when the run's events are numbered 1..last_event_seq with no gap and no repeat. */
export async function eventsAreGapless(sql: Sql, executionId: string): Promise<boolean> {
  const [run, log] = await Promise.all([execution(sql, executionId), events(sql, executionId)]);
  return log.length === run.last_event_seq && log.every((event, index) => event.seq === index + 1);
}
