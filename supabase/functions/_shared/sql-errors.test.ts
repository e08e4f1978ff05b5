// SQL errors from real Postgres, raised inside the caller's transaction in test-only routes, and
// the answers sql-errors.ts and the app's error handler make of them; the transaction helpers.
import type { Context } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../../scripts/test/stack-env.ts";
import { createFunctionApp } from "./function-app.ts";
import { createJwtVerifier, requireUser } from "./jwt.ts";
import { hidingExistence } from "./sql-errors.ts";
import { bearer, createUsers, deleteUsers, testDatabase, type TestUser, userToken } from "../../../tests/fixtures/index.ts";
import { type TransactionSql, withServiceTransaction, withUserTransaction } from "./user-transaction.ts";

// One connection, so a setting that leaked out of a transaction would show on the next request.
const sql = testDatabase(1);
const schema = `api_sql_test_${process.pid}`;
const logLines: string[] = [];
const app = createFunctionApp({ basePath: "/test", webOrigins: [], logSink: (_level, line) => logLines.push(line) });
const signedIn = requireUser(createJwtVerifier({ jwtSecret: stackEnv.jwtSecret }));

let me: TestUser;
let someoneElse: TestUser;
let token: string;

// Each case runs its SQL as the signed-in caller, in one transaction, and lets errors propagate.
const cases: Record<string, (tx: TransactionSql) => Promise<unknown>> = {
  "rls-refusal": (tx) =>
    tx.unsafe(`insert into ${schema}.notes (owner, body) values ('${someoneElse.id}', 'not mine')`),
  "raised-forbidden": (tx) =>
    tx`do $$ begin raise exception using errcode = '42501', message = 'only owners can do this', hint = 'Ask an owner.'; end $$`,
  "raised-not-found": (tx) =>
    tx`do $$ begin raise exception using errcode = 'P0002', message = 'agent not found'; end $$`,
  "strict-no-rows": (tx) => tx`do $$ declare found_id int; begin select 1 into strict found_id where false; end $$`,
  "unique": (tx) => tx.unsafe(`insert into ${schema}.notes (body) values ('twice'), ('twice')`),
  "raised-unique": (tx) =>
    tx`do $$ begin raise exception using errcode = '23505', message = 'that slug is taken', hint = 'Pick another.'; end $$`,
  "check": (tx) => tx.unsafe(`insert into ${schema}.notes (body, stars) values ('checked', 9)`),
  "not-null": (tx) => tx.unsafe(`insert into ${schema}.notes (body) values (null)`),
  "foreign-key": (tx) => tx.unsafe(`insert into ${schema}.notes (body, parent_id) values ('orphan', 999999)`),
  "invalid-text": (tx) => tx`select ${"not-a-uuid"}::uuid`,
  "too-long": (tx) => tx.unsafe(`insert into ${schema}.notes (body, code) values ('long code', 'abcdefgh')`),
  "raised-invalid-parameter": (tx) =>
    tx`do $$ begin raise exception using errcode = '22023', message = 'page_limit must be between 1 and 100'; end $$`,
  "builtin-invalid-parameter": (tx) => tx`select set_config('statement_timeout', 'forever', true)`,
  "rule": (tx) =>
    tx`do $$ begin raise exception using message = 'team has no agents', hint = 'Add an agent to the team first.'; end $$`,
  "rule-coded-conflict": (tx) =>
    tx`do $$ begin raise exception using message = 'the execution already finished', constraint = 'conflict'; end $$`,
  "rule-budget-exhausted": (tx) =>
    tx`do $$ begin raise exception using message = 'the monthly budget of US$ 50.00 is spent', constraint = 'budget_exhausted',
                                          hint = 'An owner or admin can raise the monthly budget.'; end $$`,
  "rule-own-code": (tx) =>
    tx`do $$ begin raise exception using message = 'the team already has 10 agents', constraint = 'agent_limit_reached'; end $$`,
  // Limits of the database itself, reached by input: JSON nested deeper than its parser's stack,
  // a NUL byte in text, \u0000 in jsonb.
  // As literals: a parameter cast to jsonb would be sent as a JSON string by the driver.
  "too-deep-json": (tx) => tx.unsafe(`select '${"[".repeat(20_000) + "]".repeat(20_000)}'::jsonb`),
  "nul-in-text": (tx) => tx`select convert_from('\\x610062'::bytea, 'UTF8')`,
  "nul-in-jsonb": (tx) => tx.unsafe(`select '{"a": "x\\u0000y"}'::jsonb ->> 'a'`),
  "raised-forbidden-coded": (tx) =>
    tx`do $$ begin raise exception using errcode = '42501', constraint = 'tenant_read_only',
                                          message = 'this company is suspended', detail = '{"tenant_status": "suspended"}'; end $$`,
  "raised-not-found-coded": (tx) =>
    tx`do $$ begin raise exception using errcode = 'P0002', constraint = 'share_grantee_not_found',
                                          message = 'no user with that email', detail = '{"field": "grantee_email"}'; end $$`,
  "raised-invalid-parameter-coded": (tx) =>
    tx`do $$ begin raise exception using errcode = '22023', constraint = 'team_agent_archived', message = 'agent "A" is archived',
                                          detail = '{"agent_id": "a1", "field": "agent_id"}', hint = 'agent_id'; end $$`,
  "raised-unique-coded": (tx) =>
    tx`do $$ begin raise exception using errcode = '23505', constraint = 'invitations_invitee_is_member',
                                          message = 'already a member', detail = '{"field": "email"}'; end $$`,
  "rule-coded-with-facts": (tx) =>
    tx`do $$ begin raise exception using constraint = 'team_has_runs_in_flight', message = 'runs in progress',
                                          detail = '{"team_id": "t1"}'; end $$`,
  "rule-prose-detail": (tx) =>
    tx`do $$ begin raise exception using message = 'no', detail = 'not a JSON object'; end $$`,
  "serialization": (tx) =>
    tx`do $$ begin raise exception using errcode = '40001', message = 'could not serialize access'; end $$`,
  "deadlock": (tx) => tx`do $$ begin raise exception using errcode = '40P01', message = 'deadlock detected'; end $$`,
  "undefined-table": (tx) => tx`select * from public.no_such_table_for_api_tests`,
  "javascript-error": () => Promise.reject(new Error("internal detail: the vault key is abc123")),
};

function runCase(c: Context, name: string) {
  const work = cases[name];
  return withUserTransaction(sql, c.get("claims"), work);
}

app.post("/sql/:case", signedIn, async (c) => {
  await runCase(c, c.req.param("case"));
  return c.json({ ok: true });
});

app.post("/sql-hidden/:case", signedIn, async (c) => {
  await hidingExistence(() => runCase(c, c.req.param("case")));
  return c.json({ ok: true });
});

// Writes, then fails: with `fail=sql` a SQL error, with `fail=js` an exception in our code.
app.post("/write-then-fail", signedIn, async (c) => {
  const failure = c.req.query("fail");
  await withUserTransaction(sql, c.get("claims"), async (tx) => {
    await tx.unsafe(`insert into ${schema}.notes (body) values ('${c.req.query("body")}')`);
    if (failure === "sql") await tx`do $$ begin raise exception using message = 'changed my mind'; end $$`;
    if (failure === "js") throw new Error("changed my mind");
  });
  return c.json({ ok: true }, 201);
});

app.get("/whoami", signedIn, async (c) => {
  const [row] = await withUserTransaction(
    sql,
    c.get("claims"),
    (tx) =>
      tx`select current_user as db_role, auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'email' as email,
              current_setting('request.jwt.claim.sub', true) as claim_sub,
              (select count(*)::int from ${tx(schema)}.notes) as visible_notes`,
  );
  return c.json(row);
});

app.get("/as-service", async (c) => {
  const [row] = await withServiceTransaction(
    sql,
    (tx) =>
      tx`select current_user as db_role, auth.role() as role, (select count(*)::int from ${
        tx(schema)
      }.notes) as visible_notes`,
  );
  return c.json(row);
});

// Service work is not filtered by RLS, so Postgres says which key clashed.
app.post("/as-service/duplicate", async (c) => {
  await withServiceTransaction(
    sql,
    (tx) => tx.unsafe(`insert into ${schema}.notes (owner, body) values ('${me.id}', 'dup'), ('${me.id}', 'dup')`),
  );
  return c.json({ ok: true });
});

app.get("/as-anon", async (c) => {
  const [row] = await withUserTransaction(
    sql,
    { role: "anon", exp: 0 },
    (tx) =>
      tx`select current_user as db_role, auth.uid() as uid, (select count(*)::int from ${
        tx(schema)
      }.notes) as visible_notes`,
  );
  return c.json(row);
});

beforeAll(async () => {
  [me, someoneElse] = await createUsers(sql, 2, "sql-errors");
  token = await userToken(me);
  await sql.begin(async (tx) => {
    await tx.unsafe(`create schema ${schema}`);
    await tx.unsafe(`grant usage on schema ${schema} to authenticated, anon, service_role`);
    await tx.unsafe(`
      create table ${schema}.notes (
        id bigint generated always as identity primary key,
        owner uuid not null default auth.uid(),
        body text not null constraint notes_body_unique unique,
        stars int constraint notes_stars_range check (stars between 1 and 5),
        code varchar(4),
        parent_id bigint references ${schema}.notes (id)
      )`);
    await tx.unsafe(`alter table ${schema}.notes enable row level security`);
    await tx.unsafe(
      `create policy "owners read their notes" on ${schema}.notes for select to authenticated using (owner = (select auth.uid()))`,
    );
    await tx.unsafe(
      `create policy "owners write their notes" on ${schema}.notes for insert to authenticated with check (owner = (select auth.uid()))`,
    );
    await tx.unsafe(`grant select, insert on ${schema}.notes to authenticated, service_role`);
    await tx.unsafe(`grant select on ${schema}.notes to anon`);
    await tx.unsafe(`insert into ${schema}.notes (owner, body) values ('${someoneElse.id}', 'someone else''s note')`);
  });
});

afterAll(async () => {
  await sql.unsafe(`drop schema if exists ${schema} cascade`);
  await deleteUsers(sql, [me, someoneElse]);
  await sql.end();
});

async function attempt(name: string, route = "sql") {
  const answer = await app.request(`/test/${route}/${name}`, { method: "POST", headers: bearer(token) });
  return { status: answer.status, headers: answer.headers, body: await answer.json() };
}

describe("the SQLSTATE → HTTP mapping, against real Postgres errors", () => {
  it.each(
    [
      // [case, status, code, message (exact string or pattern)]
      ["rls-refusal", 403, "forbidden", "You are not allowed to do this."],
      ["raised-forbidden", 403, "forbidden", "only owners can do this"],
      ["raised-not-found", 404, "not_found", "agent not found"],
      ["strict-no-rows", 404, "not_found", "Not found."],
      ["unique", 409, "conflict", "This conflicts with something that already exists."],
      ["raised-unique", 409, "conflict", "that slug is taken"],
      ["check", 422, "validation_failed", "A value was not accepted: Breaks the rule notes_stars_range."],
      ["not-null", 422, "validation_failed", "The value of body was not accepted: Is required."],
      ["foreign-key", 422, "validation_failed", "A value was not accepted: Refers to something that does not exist."],
      [
        "invalid-text",
        422,
        "validation_failed",
        'A value was not accepted: invalid input syntax for type uuid: "not-a-uuid"',
      ],
      ["too-long", 422, "validation_failed", "A value was not accepted: value too long for type character varying(4)"],
      ["raised-invalid-parameter", 422, "validation_failed", "page_limit must be between 1 and 100"],
      ["builtin-invalid-parameter", 422, "validation_failed", "A value was not accepted: Is not an allowed value."],
      ["rule", 422, "rule_violated", "team has no agents"],
      ["rule-coded-conflict", 409, "conflict", "the execution already finished"],
      ["rule-budget-exhausted", 402, "budget_exhausted", "the monthly budget of US$ 50.00 is spent"],
      ["rule-own-code", 422, "agent_limit_reached", "the team already has 10 agents"],
      ["too-deep-json", 422, "validation_failed", "A value is too large or nested too deeply to be stored."],
      [
        "nul-in-text",
        422,
        "validation_failed",
        "A value was not accepted: Contains a character that cannot be stored (a NUL character or an unpaired surrogate).",
      ],
      [
        "nul-in-jsonb",
        422,
        "validation_failed",
        "A value was not accepted: Contains a character that cannot be stored (a NUL character or an unpaired surrogate).",
      ],
      ["raised-forbidden-coded", 403, "tenant_read_only", "this company is suspended"],
      ["raised-not-found-coded", 404, "share_grantee_not_found", "no user with that email"],
      ["raised-invalid-parameter-coded", 422, "validation_failed", 'agent "A" is archived'],
      ["raised-unique-coded", 409, "conflict", "already a member"],
      ["rule-coded-with-facts", 409, "team_has_runs_in_flight", "runs in progress"],
      ["serialization", 503, "transaction_conflict", "Another change got in the way of this one; try again."],
      ["deadlock", 503, "transaction_conflict", "Another change got in the way of this one; try again."],
      ["undefined-table", 500, "internal_error", "Something went wrong on our side."],
      ["javascript-error", 500, "internal_error", "Something went wrong on our side."],
    ] as const,
  )("%s → %i %s", async (name, status, code, message) => {
    const answer = await attempt(name);
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toBe(message);
  });

  it("names the constraint and the column in the details of a refused value", async () => {
    expect((await attempt("check")).body.error.details).toEqual([
      { path: "", message: "Breaks the rule notes_stars_range.", constraint: "notes_stars_range" },
    ]);
    // Under RLS Postgres does not say which key values clashed; the constraint still names the rule.
    expect((await attempt("unique")).body.error.details).toEqual([{
      path: "",
      message: "Already taken.",
      constraint: "notes_body_unique",
    }]);
    expect((await attempt("foreign-key")).body.error.details).toEqual([
      { path: "", message: "Refers to something that does not exist.", constraint: "notes_parent_id_fkey" },
    ]);
    expect((await attempt("not-null")).body.error.details).toEqual([{ path: "body", message: "Is required." }]);
  });

  it("names the clashing columns when Postgres reports them (work not under RLS), never their values", async () => {
    const answer = await app.request("/test/as-service/duplicate", { method: "POST" });
    expect(answer.status).toBe(409);
    const body = await answer.json();
    expect(body.error).toEqual({
      code: "conflict",
      message: "A record with the same body already exists.",
      details: [{ path: "body", message: "Already taken.", constraint: "notes_body_unique" }],
    });
    expect(JSON.stringify(body)).not.toContain("dup");
  });

  it("passes the hint of our own raised errors on in details.hint", async () => {
    expect((await attempt("raised-forbidden")).body.error.details).toEqual({ hint: "Ask an owner." });
    expect((await attempt("rule")).body.error.details).toEqual({ hint: "Add an agent to the team first." });
    expect((await attempt("rule-budget-exhausted")).body.error.details).toEqual({
      hint: "An owner or admin can raise the monthly budget.",
    });
  });

  it("passes our raise's machine code and the facts of its JSON detail on, never prose", async () => {
    expect((await attempt("raised-forbidden-coded")).body.error.details).toEqual({ tenant_status: "suspended" });
    expect((await attempt("raised-not-found-coded")).body.error.details).toEqual({ field: "grantee_email" });
    expect((await attempt("rule-coded-with-facts")).body.error.details).toEqual({ team_id: "t1" });
    expect((await attempt("raised-invalid-parameter-coded")).body.error.details).toEqual([
      { path: "", message: 'agent "A" is archived', constraint: "team_agent_archived", agent_id: "a1", field: "agent_id", hint: "agent_id" },
    ]);
    expect((await attempt("raised-unique-coded")).body.error.details).toEqual([
      { path: "", message: "already a member", constraint: "invitations_invitee_is_member", field: "email" },
    ]);
    expect((await attempt("rule-prose-detail")).body.error).toEqual({ code: "rule_violated", message: "no" });
  });

  it("tells the caller to retry a serialization failure", async () => {
    expect((await attempt("serialization")).headers.get("retry-after")).toBe("1");
  });

  it("never sends the real message of a 500, and logs it with the request id", async () => {
    logLines.length = 0;
    const table = await attempt("undefined-table");
    const thrown = await attempt("javascript-error");
    expect(JSON.stringify(table.body)).not.toContain("no_such_table");
    expect(JSON.stringify(thrown.body)).not.toContain("vault key");
    const failures = logLines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "request failed");
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      level: "error",
      request_id: table.headers.get("x-request-id"),
      error: { code: "42P01" },
    });
    expect(failures[0].error.message).toContain("no_such_table_for_api_tests");
    expect(failures[1].error.message).toContain("vault key");
  });

  it("answers a refusal as 404 on a route that hides existence", async () => {
    const answer = await attempt("rls-refusal", "sql-hidden");
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: { code: "not_found", message: "Not found." } });
    expect((await attempt("raised-forbidden", "sql-hidden")).body.error).toEqual({
      code: "not_found",
      message: "Not found.",
    });
  });
});

describe("the caller's transaction", () => {
  async function notesWithBody(body: string): Promise<number> {
    const [{ count }] = await sql.unsafe(`select count(*)::int as count from ${schema}.notes where body = $1`, [body]);
    return count;
  }

  it("runs as the authenticated role with the caller's claims, so RLS sees the user", async () => {
    const answer = await app.request("/test/whoami", { headers: bearer(token) });
    expect(await answer.json()).toEqual({
      db_role: "authenticated",
      uid: me.id,
      role: "authenticated",
      email: me.email,
      claim_sub: me.id,
      visible_notes: 0,
    });
  });

  it("leaves nothing behind on the connection: the next query is the pool's own role again", async () => {
    await app.request("/test/whoami", { headers: bearer(token) });
    const [after] = await sql`select current_user as db_role, current_setting('request.jwt.claims', true) as claims`;
    expect(after.db_role).toBe("postgres");
    expect(after.claims ?? "").toBe("");
  });

  it("commits what the work wrote when it succeeds", async () => {
    const answer = await app.request("/test/write-then-fail?body=kept", { method: "POST", headers: bearer(token) });
    expect(answer.status).toBe(201);
    expect(await notesWithBody("kept")).toBe(1);
  });

  it("rolls back everything written when a SQL error follows the write", async () => {
    const answer = await app.request("/test/write-then-fail?body=rolled-back-sql&fail=sql", {
      method: "POST",
      headers: bearer(token),
    });
    expect(answer.status).toBe(422);
    expect(await notesWithBody("rolled-back-sql")).toBe(0);
  });

  it("rolls back everything written when our own code throws after the write", async () => {
    const answer = await app.request("/test/write-then-fail?body=rolled-back-js&fail=js", {
      method: "POST",
      headers: bearer(token),
    });
    expect(answer.status).toBe(500);
    expect(await notesWithBody("rolled-back-js")).toBe(0);
  });

  it("runs service work as service_role, which RLS does not filter", async () => {
    const [{ count }] = await sql.unsafe(`select count(*)::int as count from ${schema}.notes`);
    const answer = await app.request("/test/as-service");
    expect(await answer.json()).toEqual({ db_role: "service_role", role: "service_role", visible_notes: count });
  });

  it("runs anon-key work as anon, which sees no user's rows", async () => {
    const answer = await app.request("/test/as-anon");
    expect(await answer.json()).toEqual({ db_role: "anon", uid: null, visible_notes: 0 });
  });
});
