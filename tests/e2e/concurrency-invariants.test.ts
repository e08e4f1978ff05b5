// Rules that count other rows ("a company keeps an owner", "runs fit the budget", "at most N runs
// in flight") or read another row ("a number's window template is one it can send") must hold when
// two people act at the same moment. Each test opens two or more real
// connections acting as `authenticated` users (set local role + request.jwt.claims, as PostgREST
// and the API do), lets each do its change inside its own transaction, and commits them in a fixed
// order. The interleaving is deterministic, not timed: a transaction that must wait for another's
// lock is seen waiting in pg_stat_activity before the first one commits.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUsers, deleteUsers, type TestUser, userClaims } from "../fixtures/index.ts";
import { stackEnv } from "../../scripts/test/stack-env.ts";

const sql = postgres(stackEnv.dbUrl, { max: 8, prepare: false, onnotice: () => {} });
const people: TestUser[] = [];
const tenants: string[] = [];

afterAll(async () => {
  // Stop what is still in flight, so the executor lets go, then remove everything made here.
  if (tenants.length > 0) {
    await sql`select public.stop_execution(e.id) from public.executions e
              where e.tenant_id in ${sql(tenants)} and e.status in ('pending', 'running')`;
    await sql`delete from public.tenants where id in ${sql(tenants)}`;
  }
  await deleteUsers(sql, people);
  await sql.end();
});

// ─── fixtures (as the database owner) ─────────────────────────────────────────────────────────

async function newPeople(count: number, label: string): Promise<TestUser[]> {
  const made = await createUsers(sql, count, `race-${label}`);
  people.push(...made);
  return made;
}

/** A company whose members have the given roles (the first must be an owner); answers its id. */
async function companyWith(members: [TestUser, string][], plan = "enterprise"): Promise<string> {
  const slug = `race-${crypto.randomUUID().slice(0, 12)}`;
  const [{ id }] = await sql<{ id: string }[]>`
    insert into public.tenants (name, slug, plan, created_by) values (${slug}, ${slug}, ${plan}, ${members[0][0].id}) returning id`;
  tenants.push(id);
  for (const [person, role] of members) {
    await sql`insert into public.memberships (tenant_id, user_id, role) values (${id}, ${person.id}, ${role})`;
  }
  return id;
}

/**
 * An active team of one demo agent that replies only after ten minutes, so its runs stay in flight
 * for the whole test; `maxTokens` at the demo-large price (US$ 4 per million output tokens) is what
 * a run may cost.
 */
async function slowTeam(tenantId: string, maxTokens = 10_000): Promise<string> {
  const [{ id: agentId }] = await sql<{ id: string }[]>`
    insert into public.agents (tenant_id, name, provider, model, max_tokens, status, config)
    values (${tenantId}, 'Slow agent', 'demo', 'demo-large', ${maxTokens}, 'active', ${sql.json({ latency_ms: 600_000 })})
    returning id`;
  const [{ id: teamId }] = await sql<{ id: string }[]>`
    insert into public.teams (tenant_id, name, workflow_type) values (${tenantId}, 'Slow team', 'sequential') returning id`;
  await sql`insert into public.team_agents (team_id, tenant_id, agent_id, execution_order) values (${teamId}, ${tenantId}, ${agentId}, 1)`;
  return teamId;
}

// ─── people acting in their own transactions ──────────────────────────────────────────────────

interface Session {
  pid: number;
  /** Runs one statement inside the open transaction, as the user. */
  run: (query: (tx: postgres.ReservedSql) => Promise<unknown>) => Promise<unknown>;
  commit: () => Promise<void>;
  rollback: () => Promise<void>;
}

/** A connection of its own, in an open transaction, acting as `who` (or as the service side when null). */
async function openSession(who: TestUser | null): Promise<Session> {
  const connection = await sql.reserve();
  const [{ pid }] = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`;
  await connection`begin`;
  if (who) {
    await connection`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(userClaims(who))}, true)`;
  }
  const finish = async (how: "commit" | "rollback") => {
    try {
      await connection.unsafe(how);
    } finally {
      connection.release();
    }
  };
  return {
    pid,
    run: (query) => query(connection),
    commit: () => finish("commit"),
    rollback: () => finish("rollback"),
  };
}

/**
 * Resolves once the session's current statement waits for a lock another transaction holds, or
 * once `finished()` says the statement ended without waiting (the race the rule must prevent: the
 * test's assertions then show what it let through).
 */
async function waitingForLock(session: Session, finished: () => boolean = () => false): Promise<void> {
  for (let polls = 0; polls < 2000 && !finished(); polls++) {
    const [row] = await sql<{ waiting: boolean }[]>`
      select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = ${session.pid}`;
    if (row?.waiting) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (finished()) return;
  throw new Error(`session ${session.pid} never waited for a lock`);
}

/** The error a statement ended with (or null when it succeeded), as { code, constraint, message }. */
async function outcome(statement: Promise<unknown>): Promise<{ code: string; constraint?: string; message: string } | null> {
  try {
    await statement;
    return null;
  } catch (error) {
    const failure = error as postgres.PostgresError;
    return { code: failure.code, constraint: failure.constraint_name, message: failure.message };
  }
}

const ownerCount = async (tenantId: string) =>
  (await sql<{ count: number }[]>`select count(*)::int as count from public.memberships where tenant_id = ${tenantId} and role = 'owner'`)[0].count;

/**
 * Two sessions each do their change; the second waits for the first's lock; the first commits;
 * the second's statement then ends (refused or not) and it commits or rolls back. Answers how the
 * second statement ended.
 */
async function raceTwo(
  first: Session,
  firstChange: (tx: postgres.ReservedSql) => Promise<unknown>,
  second: Session,
  secondChange: (tx: postgres.ReservedSql) => Promise<unknown>,
) {
  try {
    await first.run(firstChange);
  } catch (error) {
    await Promise.all([first.rollback(), second.rollback()]);
    throw error;
  }
  let secondEnded = false;
  const secondStatement = outcome(second.run(secondChange)).finally(() => (secondEnded = true));
  await waitingForLock(second, () => secondEnded);
  await first.commit();
  const secondOutcome = await secondStatement;
  if (secondOutcome) await second.rollback();
  else await second.commit();
  return secondOutcome;
}

// ─── a company never without an owner ─────────────────────────────────────────────────────────

describe("a company keeps an owner when its owners act at the same moment", () => {
  let ana: TestUser, bia: TestUser, caio: TestUser;

  beforeAll(async () => {
    [ana, bia, caio] = await newPeople(3, "owners");
  });

  const lastOwnerRefusal = { code: "P0001", message: "a company must keep at least one owner" };

  it("two owners demoting each other: the second demotion is refused", async () => {
    const tenantId = await companyWith([[ana, "owner"], [bia, "owner"]]);
    const refused = await raceTwo(
      await openSession(ana),
      (tx) => tx`update public.memberships set role = 'admin' where tenant_id = ${tenantId} and user_id = ${bia.id}`,
      await openSession(bia),
      (tx) => tx`update public.memberships set role = 'admin' where tenant_id = ${tenantId} and user_id = ${ana.id}`,
    );
    expect(refused).toMatchObject(lastOwnerRefusal);
    expect(await ownerCount(tenantId)).toBe(1);
  });

  it("two owners leaving at once: the second cannot leave, the company keeps a member and an owner", async () => {
    const tenantId = await companyWith([[ana, "owner"], [bia, "owner"]]);
    const refused = await raceTwo(
      await openSession(ana),
      (tx) => tx`delete from public.memberships where tenant_id = ${tenantId} and user_id = ${ana.id}`,
      await openSession(bia),
      (tx) => tx`delete from public.memberships where tenant_id = ${tenantId} and user_id = ${bia.id}`,
    );
    expect(refused).toMatchObject(lastOwnerRefusal);
    const members = await sql`select user_id, role from public.memberships where tenant_id = ${tenantId}`;
    expect(members).toEqual([{ user_id: bia.id, role: "owner" }]);
  });

  it("one owner demotes the other while that one leaves: the leaving is refused", async () => {
    const tenantId = await companyWith([[ana, "owner"], [bia, "owner"], [caio, "member"]]);
    const refused = await raceTwo(
      await openSession(ana),
      (tx) => tx`update public.memberships set role = 'member' where tenant_id = ${tenantId} and user_id = ${bia.id}`,
      await openSession(bia),
      (tx) => tx`delete from public.memberships where tenant_id = ${tenantId} and user_id = ${ana.id}`,
    );
    expect(refused).toMatchObject(lastOwnerRefusal);
    expect(await ownerCount(tenantId)).toBe(1);
  });

  it("an owner leaving while the other hands ownership over: both succeed, the new owner remains", async () => {
    // Bia hands ownership to Caio (promote, then step down) while Ana leaves: Ana's leaving waits
    // for the transfer to commit, then finds Caio an owner and may go on.
    const tenantId = await companyWith([[ana, "owner"], [bia, "owner"], [caio, "member"]]);
    const transfer = await openSession(bia);
    await transfer.run((tx) => tx`update public.memberships set role = 'owner' where tenant_id = ${tenantId} and user_id = ${caio.id}`);
    const removal = await openSession(ana);
    const refused = await raceTwo(
      transfer,
      (tx) => tx`delete from public.memberships where tenant_id = ${tenantId} and user_id = ${bia.id}`,
      removal,
      (tx) => tx`delete from public.memberships where tenant_id = ${tenantId} and user_id = ${ana.id}`,
    );
    expect(refused).toBeNull();
    const members = await sql`select user_id, role from public.memberships where tenant_id = ${tenantId}`;
    expect(members).toEqual([{ user_id: caio.id, role: "owner" }]);
  });

  it("the accounts of both owners deleted at once (auth.users cascade): the second deletion is refused", async () => {
    const [dora, edu] = await newPeople(2, "accounts");
    const tenantId = await companyWith([[dora, "owner"], [edu, "owner"]]);
    const refused = await raceTwo(
      await openSession(null),
      (tx) => tx`delete from auth.users where id = ${dora.id}`,
      await openSession(null),
      (tx) => tx`delete from auth.users where id = ${edu.id}`,
    );
    expect(refused).toMatchObject(lastOwnerRefusal);
    expect(await ownerCount(tenantId)).toBe(1);
  });
});

// ─── runs: the monthly budget and the plan's limit ────────────────────────────────────────────

const startAs = (teamId: string, prompt: string) => (tx: postgres.ReservedSql) =>
  tx`select id, status from public.start_execution(${teamId}, ${prompt})`;

const runStatuses = async (tenantId: string) =>
  (await sql<{ status: string }[]>`select status::text from public.executions where tenant_id = ${tenantId} order by created_at`)
    .map((row) => row.status);

describe("runs started at the same moment", () => {
  let owner: TestUser, members: TestUser[];

  beforeAll(async () => {
    [owner, ...members] = await newPeople(5, "runs");
  });

  it("two members starting runs against a budget that allows one: only one run starts", async () => {
    // Each run may cost 10000 tokens × US$ 4 / 1M = US$ 0.04; the budget covers one, not two.
    const tenantId = await companyWith([[owner, "owner"], [members[0], "member"], [members[1], "member"]]);
    await sql`update public.tenants set monthly_budget_usd = 0.05 where id = ${tenantId}`;
    const teamId = await slowTeam(tenantId);
    const refused = await raceTwo(
      await openSession(members[0]),
      startAs(teamId, "first"),
      await openSession(members[1]),
      startAs(teamId, "second"),
    );
    expect(refused).toMatchObject({ code: "P0001", constraint: "budget_exhausted" });
    expect(refused?.message).toContain("reserved by runs in progress");
    expect(await runStatuses(tenantId)).toEqual(["running"]);
  });

  it("a budget that allows two lets both start", async () => {
    const tenantId = await companyWith([[owner, "owner"], [members[0], "member"], [members[1], "member"]]);
    await sql`update public.tenants set monthly_budget_usd = 0.08 where id = ${tenantId}`;
    const teamId = await slowTeam(tenantId);
    const refused = await raceTwo(
      await openSession(members[0]),
      startAs(teamId, "first"),
      await openSession(members[1]),
      startAs(teamId, "second"),
    );
    expect(refused).toBeNull();
    expect(await runStatuses(tenantId)).toEqual(["running", "running"]);
  });

  it("four members starting runs at once on the basic plan (2 at a time): two run, two wait", async () => {
    const tenantId = await companyWith([[owner, "owner"], ...members.map((member) => [member, "member"] as [TestUser, string])], "basic");
    const teamId = await slowTeam(tenantId);
    const sessions = await Promise.all(members.map((member) => openSession(member)));
    await sessions[0].run(startAs(teamId, "run 0"));
    const later = sessions.slice(1).map((session, index) => outcome(session.run(startAs(teamId, `run ${index + 1}`))));
    for (const session of sessions.slice(1)) await waitingForLock(session);
    await sessions[0].commit();
    // The others hold the lock one after another; each commits once its start has returned.
    const outcomes = await Promise.all(later.map(async (result, index) => {
      const ended = await result;
      await sessions[index + 1].commit();
      return ended;
    }));
    expect(outcomes).toEqual([null, null, null]);
    const statuses = await runStatuses(tenantId);
    expect(statuses.filter((status) => status === "running")).toHaveLength(2);
    expect(statuses.filter((status) => status === "pending")).toHaveLength(2);
  });

  it("two running runs stopped at once promote exactly two waiting runs, never a third", async () => {
    const tenantId = await companyWith([[owner, "owner"], [members[0], "member"], [members[1], "member"]], "basic");
    const teamId = await slowTeam(tenantId);
    const service = await openSession(null);
    for (const prompt of ["a", "b", "c", "d", "e"]) await service.run(startAs(teamId, prompt));
    await service.commit();
    const [first, second] = await sql<{ id: string }[]>`
      select id from public.executions where tenant_id = ${tenantId} and status = 'running' order by created_at`;
    const refused = await raceTwo(
      await openSession(members[0]),
      (tx) => tx`select public.stop_execution(${first.id})`,
      await openSession(members[1]),
      (tx) => tx`select public.stop_execution(${second.id})`,
    );
    expect(refused).toBeNull();
    expect((await runStatuses(tenantId)).sort()).toEqual(["cancelled", "cancelled", "pending", "running", "running"]);
    const stopped = await sql`select status::text from public.executions where id in ${sql([first.id, second.id])}`;
    expect(stopped.map((row) => row.status)).toEqual(["cancelled", "cancelled"]);
  });
});

// ─── a number's window template: chosen while a sync changes it ──────────────────────────────

describe("a window template chosen while a sync brings it back needing more", () => {
  let owner: TestUser;
  const sendable: Record<string, string>[] = [{ type: "BODY", text: "Nova mensagem: {{1}}" }];
  // Meta lets an approved template be edited: it comes back with an image header nobody gives to
  // an automatic send.
  const withImageHeader = [{ type: "HEADER", format: "IMAGE" }, ...sendable];
  const templates = (components: Record<string, string>[]) =>
    [{ name: "aviso", language: "pt_BR", category: "utility", status: "approved", body_text: "Nova mensagem: {{1}}", components }];

  beforeAll(async () => {
    [owner] = await newPeople(1, "window-template");
  });

  /** A company with a Meta number whose `aviso` template can carry a message outside the window. */
  async function metaNumber(): Promise<string> {
    const tenantId = await companyWith([[owner, "owner"]]);
    const phoneNumberId = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
    const [{ created }] = await sql<{ created: { inbox: { id: string } } }[]>`
      select public.create_inbox(${tenantId}, 'meta_cloud', 'Meta', null,
        ${sql.json({ meta_phone_number_id: phoneNumberId, meta_waba_id: `9${phoneNumberId}` })},
        ${sql.json({ app_secret: `app-${crypto.randomUUID()}`, access_token: `token-${crypto.randomUUID()}` })}) as created`;
    const inboxId = created.inbox.id;
    const session = await openSession(owner);
    await session.run((tx) => tx`select public.replace_message_templates(${inboxId}, ${tx.json(templates(sendable))})`);
    await session.commit();
    return inboxId;
  }

  const windowTemplate = async (inboxId: string) =>
    (await sql<{ window_template: unknown }[]>`select window_template from public.inboxes where id = ${inboxId}`)[0].window_template;

  it("the sync first: the choice waits for it, reads the new version and is refused", async () => {
    const inboxId = await metaNumber();
    const refused = await raceTwo(
      await openSession(owner),
      (tx) => tx`select public.replace_message_templates(${inboxId}, ${tx.json(templates(withImageHeader))})`,
      await openSession(owner),
      (tx) => tx`select public.set_inbox_window_template(${inboxId}, 'aviso', 'pt_BR')`,
    );
    expect(refused).toMatchObject({ code: "P0001", constraint: "template_needs_more_parameters" });
    expect(await windowTemplate(inboxId)).toBeNull();
  });

  it("the choice first: the sync waits for it, then clears the choice", async () => {
    const inboxId = await metaNumber();
    const refused = await raceTwo(
      await openSession(owner),
      (tx) => tx`select public.set_inbox_window_template(${inboxId}, 'aviso', 'pt_BR')`,
      await openSession(owner),
      (tx) => tx`select public.replace_message_templates(${inboxId}, ${tx.json(templates(withImageHeader))})`,
    );
    expect(refused).toBeNull();
    expect(await windowTemplate(inboxId)).toBeNull();
  });

  it("a sync that leaves the template as it was keeps the choice", async () => {
    const inboxId = await metaNumber();
    const refused = await raceTwo(
      await openSession(owner),
      (tx) => tx`select public.set_inbox_window_template(${inboxId}, 'aviso', 'pt_BR')`,
      await openSession(owner),
      (tx) => tx`select public.replace_message_templates(${inboxId}, ${tx.json(templates(sendable))})`,
    );
    expect(refused).toBeNull();
    expect(await windowTemplate(inboxId)).toEqual({ name: "aviso", language: "pt_BR" });
  });
});
