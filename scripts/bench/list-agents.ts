// "List my agents" at scale: 1,000 companies × 20 members × 50 agents on a fresh `bench` stack
// (API :58321, DB :58322), then the same page of 20 agents measured three ways:
//   api          GET /functions/v1/api/v1/agents?limit=20 over HTTP as random members (tokens signed
//                with the local JWT secret), through the gateway, the function and its transaction
//   sql          the route's query (supabase/functions/api/queries/agents.ts) in a transaction as
//                `authenticated` with the member's claims, exactly as the API runs it: RLS applies
//   unprotected  the same query as postgres (RLS bypassed) with the same explicit tenant filter
// Each is timed per statement (sql, unprotected) or per request (api): p50/p95 of a sequential run,
// and throughput with --concurrency workers. Targets: sql p95 < 5 ms; sql/unprotected < 2x.
//   npx tsx scripts/bench/list-agents.ts [--tenants 1000] [--members 20] [--agents 50]
//                                        [--requests 1000] [--concurrency 8] [--explain] [--keep]
// The bench stack is purged first and stopped at the end (--keep leaves it running).
import { SignJWT } from "jose";
import postgres from "postgres";
import { explainListAgents, listAgents } from "../../supabase/functions/api/queries/agents.ts";
import { withUserTransaction } from "../../supabase/functions/_shared/user-transaction.ts";
import { apiUrl, dbUrl, stackInstance } from "../stack/instances.ts";
import { jwtSecret } from "../stack/keys.ts";
import { stackDown, stackPurge, stackUp } from "../stack/stack.ts";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const tenantCount = Number(option("--tenants", "1000"));
const membersPerTenant = Number(option("--members", "20"));
const agentsPerTenant = Number(option("--agents", "50"));
const requests = Number(option("--requests", "1000"));
const concurrency = Number(option("--concurrency", "8"));
const warmUp = Math.max(50, Math.round(requests / 5));
const pageSize = 20;
const targets = { sqlP95Ms: 5, rlsOverhead: 2 };

const instance = stackInstance("bench");
const say = (line: string) => console.log(`bench: ${line}`);

interface Caller {
  userId: string;
  email: string;
  tenantId: string;
  token: string;
}

interface Result {
  name: string;
  p50: number;
  p95: number;
  perSecond: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** p50/p95 of `requests` sequential calls, then throughput of `requests` calls over `concurrency` workers. */
async function measure(name: string, callers: Caller[], once: (caller: Caller) => Promise<number>): Promise<Result> {
  const pick = () => callers[Math.floor(Math.random() * callers.length)];
  for (let i = 0; i < warmUp; i++) await once(pick());
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) latencies.push(await once(pick()));
  latencies.sort((a, b) => a - b);
  let started = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started++ < requests) await once(pick());
    }),
  );
  const perSecond = requests / ((performance.now() - began) / 1000);
  return { name, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), perSecond };
}

async function seed(sql: postgres.Sql): Promise<void> {
  const users = tenantCount * membersPerTenant;
  // People straight into auth.users (their profiles come from the trigger), as Supabase Auth stores them.
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                            raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
           'bench-' || n || '@example.test', '', now(), '{"provider":"email","providers":["email"]}', '{}', now(), now()
    from generate_series(1, ${users}) n`;
  // Member k of tenant t is user (t - 1) * members + k; the first is its owner.
  await sql`
    create temporary table bench_people on commit preserve rows as
    select u.id, substring(u.email from 'bench-(\\d+)@')::int as n from auth.users u where u.email like 'bench-%@example.test'`;
  await sql`
    insert into public.tenants (name, slug, plan, created_by)
    select 'Empresa ' || t, 'bench-' || t, 'pro', p.id
    from generate_series(1, ${tenantCount}) t
    join bench_people p on p.n = (t - 1) * ${membersPerTenant} + 1`;
  await sql`
    insert into public.memberships (tenant_id, user_id, role)
    select tn.id, p.id,
           case when k = 1 then 'owner' when k = 2 then 'admin' when k > ${membersPerTenant} - 3 then 'analyst' else 'member' end::public.member_role
    from public.tenants tn
    cross join lateral (select substring(tn.slug from 'bench-(\\d+)')::int as t) ti
    cross join generate_series(1, ${membersPerTenant}) k
    join bench_people p on p.n = (ti.t - 1) * ${membersPerTenant} + k
    where tn.slug like 'bench-%'`;
  await sql`
    insert into public.agents (tenant_id, name, description, type, provider, model, system_prompt, status, tools, created_by, updated_at)
    select tn.id, 'Agente ' || a, 'Agente de vendas número ' || a, (array['sdr', 'copilot', 'custom'])[1 + a % 3]::public.agent_type,
           'demo', 'demo-small', 'Você é um agente de vendas. Seja breve e cordial.',
           case when a % 10 = 0 then 'draft' else 'active' end::public.agent_status,
           case when a % 4 = 0 then array['calculator', 'web_search'] else '{}' end, tn.created_by,
           now() - make_interval(mins => a)
    from public.tenants tn cross join generate_series(1, ${agentsPerTenant}) a
    where tn.slug like 'bench-%'`;
  // Some sharing, so the grantee branch of the policies has rows: each company shares two agents with
  // the next company, and one with the third member of the company after that.
  await sql`
    insert into public.agent_shares (agent_id, grantee_tenant_id, permission)
    select a.id, next.id, case when a.name = 'Agente 1' then 'edit' else 'use' end::public.share_permission
    from public.tenants tn
    join public.tenants next on next.slug = 'bench-' || (substring(tn.slug from 'bench-(\\d+)')::int % ${tenantCount} + 1)
    join public.agents a on a.tenant_id = tn.id and a.name in ('Agente 1', 'Agente 2')
    where tn.slug like 'bench-%' and next.id <> tn.id`;
  await sql`
    insert into public.agent_shares (agent_id, grantee_user_id, permission)
    select a.id, m.user_id, 'use'
    from public.tenants tn
    join public.tenants later on later.slug = 'bench-' || ((substring(tn.slug from 'bench-(\\d+)')::int + 1) % ${tenantCount} + 1)
    join public.agents a on a.tenant_id = tn.id and a.name = 'Agente 3'
    join public.memberships m on m.tenant_id = later.id and m.role = 'member'
    join bench_people p on p.id = m.user_id and p.n % ${membersPerTenant} = 3
    where tn.slug like 'bench-%' and later.id <> tn.id`;
  await sql`drop table bench_people`;
  await sql`vacuum analyze`;
}

async function tokenFor(userId: string, email: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `${apiUrl(instance)}/auth/v1`,
    sub: userId,
    aud: "authenticated",
    role: "authenticated",
    email,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    aal: "aal1",
    session_id: crypto.randomUUID(),
    is_anonymous: false,
    iat: now,
    exp: now + 3600,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(jwtSecret));
}

function claimsOf(caller: Caller) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: caller.userId, role: "authenticated" as const, aud: "authenticated", email: caller.email, exp: now + 3600 };
}

const listParams = (caller: Caller) => ({ tenantId: caller.tenantId, page: 1, limit: pageSize, namePattern: null, status: null });

function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  return work().then(() => performance.now() - started);
}

const fmt = (ms: number) => ms.toFixed(2).padStart(8);

async function main(): Promise<void> {
  say(`purging and starting the ${instance.name} stack (API ${apiUrl(instance)}, DB ${dbUrl(instance)})`);
  await stackPurge(instance);
  await stackUp(instance, say);
  const sql = postgres(dbUrl(instance), { max: concurrency + 1, prepare: false, onnotice: () => {} });
  try {
    say(`seeding ${tenantCount} companies × ${membersPerTenant} members × ${agentsPerTenant} agents (triggers on)`);
    const seedStarted = performance.now();
    await seed(sql);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const [counts] = await sql`
      select (select count(*) from public.tenants)::int as tenants, (select count(*) from public.memberships)::int as memberships,
             (select count(*) from public.agents)::int as agents, (select count(*) from public.agent_versions)::int as versions,
             (select count(*) from public.agent_shares)::int as shares, (select count(*) from public.audit_log)::int as audit`;
    say(`seeded in ${seedSeconds.toFixed(1)} s: ${JSON.stringify(counts)}`);

    const sample = await sql<{ user_id: string; email: string; tenant_id: string }[]>`
      select m.user_id, p.email, m.tenant_id from public.memberships m join public.profiles p on p.id = m.user_id
      where p.email like 'bench-%' order by random() limit 500`;
    const callers: Caller[] = await Promise.all(
      sample.map(async (row) => ({ userId: row.user_id, email: row.email, tenantId: row.tenant_id, token: await tokenFor(row.user_id, row.email) })),
    );

    // Sanity: every way answers the same page for the same member.
    const probe = callers[0];
    const viaSql = await withUserTransaction(sql, claimsOf(probe), (tx) => listAgents(tx, listParams(probe)));
    const viaApi = await (await fetch(`${apiUrl(instance)}/functions/v1/api/v1/agents?limit=${pageSize}`, {
      headers: { authorization: `Bearer ${probe.token}`, "x-tenant-id": probe.tenantId },
    })).json() as { items: { id: string }[]; total: number };
    if (viaSql.items.length !== pageSize || viaApi.total !== viaSql.total || viaApi.items[0]?.id !== viaSql.items[0]?.id) {
      throw new Error(`the API and SQL disagree: api total ${viaApi.total}, sql total ${viaSql.total}`);
    }
    say(`a member sees ${viaSql.total} agents (own and shared); measuring pages of ${pageSize}`);

    const api = await measure("api (HTTP, gateway, function)", callers, (caller) =>
      timed(async () => {
        const answer = await fetch(`${apiUrl(instance)}/functions/v1/api/v1/agents?limit=${pageSize}`, {
          headers: { authorization: `Bearer ${caller.token}`, "x-tenant-id": caller.tenantId },
        });
        if (answer.status !== 200) throw new Error(`the API answered ${answer.status}: ${await answer.text()}`);
        await answer.arrayBuffer();
      }));

    // Inside the transaction, only the statement is timed: begin, role and claims cost the same either way.
    const asAuthenticated = await measure("sql as authenticated (RLS)", callers, async (caller) => {
      let elapsed = 0;
      await withUserTransaction(sql, claimsOf(caller), async (tx) => {
        elapsed = await timed(() => listAgents(tx, listParams(caller)));
      });
      return elapsed;
    });
    const unprotected = await measure("sql unprotected (postgres)", callers, async (caller) => {
      let elapsed = 0;
      await sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify(claimsOf(caller))}, true)`;
        elapsed = await timed(() => listAgents(tx, listParams(caller)));
      });
      return elapsed;
    });

    console.log(`\nlist my agents, page of ${pageSize}: ${requests} sequential calls for p50/p95 (after ${warmUp} warm-up), ${requests} over ${concurrency} workers for throughput\n`);
    console.log(`${"".padEnd(34)}  ${"p50 ms".padStart(8)}  ${"p95 ms".padStart(8)}  ${"per s".padStart(8)}`);
    for (const result of [api, asAuthenticated, unprotected]) {
      console.log(`${result.name.padEnd(34)}  ${fmt(result.p50)}  ${fmt(result.p95)}  ${result.perSecond.toFixed(0).padStart(8)}`);
    }
    const rlsOverhead = asAuthenticated.p50 / unprotected.p50;
    const rlsOverheadP95 = asAuthenticated.p95 / unprotected.p95;
    console.log(`\nseed: ${seedSeconds.toFixed(1)} s`);
    console.log(`RLS overhead (sql / unprotected): p50 ${rlsOverhead.toFixed(2)}x, p95 ${rlsOverheadP95.toFixed(2)}x  (target < ${targets.rlsOverhead}x)`);
    console.log(`API / SQL: p50 ${(api.p50 / asAuthenticated.p50).toFixed(1)}x, p95 ${(api.p95 / asAuthenticated.p95).toFixed(1)}x`);
    const missed = asAuthenticated.p95 >= targets.sqlP95Ms || rlsOverheadP95 >= targets.rlsOverhead;
    console.log(`SQL p95 ${asAuthenticated.p95.toFixed(2)} ms (target < ${targets.sqlP95Ms} ms): ${missed ? "MISSED" : "met"}`);

    if (missed || process.argv.includes("--explain")) {
      const plan = await withUserTransaction(sql, claimsOf(probe), (tx) => explainListAgents(tx, listParams(probe)));
      console.log(`\nEXPLAIN ANALYZE as authenticated:\n${plan.join("\n")}`);
    }
  } finally {
    await sql.end();
    if (process.argv.includes("--keep")) {
      say(`left the ${instance.name} stack running`);
    } else {
      await stackDown(instance);
      say(`stopped the ${instance.name} stack`);
    }
  }
}

await main();
