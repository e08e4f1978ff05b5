// Approval steps end to end: a team agent marked `config.approval` leaves its output waiting for a
// person; the run pauses in `waiting_approval` (no lease, its deadline paused), and approvers decide
// through the API — POST /executions/:id/steps/:step_id/approve (optionally with the edited text)
// or /reject (with a reason). The real engine runs the agents (demo provider, whose replies show
// what each agent received), woken by the database as in production.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  addMember,
  type ApiUser,
  call,
  type Company,
  createTeam,
  demoAgent,
  engineDatabase,
  events,
  execution,
  executorPid,
  expectStatus,
  type FakeNotificationChannels,
  newCompany,
  removeCompanies,
  runFinished,
  runReaches,
  signUp,
  startFakeNotificationChannels,
  startRun,
  steps,
  waitFor,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = engineDatabase();
let company: Company;
let other: Company;
let approver: ApiUser;
let bystander: ApiUser;
let analyst: ApiUser;
let writer: string;
let editor: string;
let gatedTeam: string;
let channels: FakeNotificationChannels;

beforeAll(async () => {
  channels = await startFakeNotificationChannels({ atStackAddress: true });
  [company, other, approver, bystander, analyst] = await Promise.all([
    newCompany(sql, "approval"),
    newCompany(sql, "approval-other"),
    signUp("approver"),
    signUp("bystander"),
    signUp("approval-analyst"),
  ]);
  await addMember(sql, company.tenantId, approver, "member");
  await addMember(sql, company.tenantId, bystander, "member");
  await addMember(sql, company.tenantId, analyst, "analyst");
  writer = await demoAgent(company, "Gate Writer", { reply: "draft of {input}" });
  editor = await demoAgent(company, "Gate Editor", { reply: "edited: {input}" });
  gatedTeam = await createTeam(company, {
    name: "Gated pipeline",
    workflow_type: "pipeline",
    agents: [
      { agent_id: writer, execution_order: 1, config: { approval: { approvers: [approver.id] } } },
      { agent_id: editor, execution_order: 2 },
    ],
  });
});

afterAll(async () => {
  await channels.close();
  await removeCompanies(sql, [company, other]);
  await sql`delete from auth.users where id in ${sql([approver.id, bystander.id, analyst.id])}`;
  await sql.end();
});

const decide = (who: ApiUser, runId: string, stepId: string, decision: "approve" | "reject", body?: unknown, tenant = company.tenantId) =>
  call(who, "POST", `/executions/${runId}/steps/${stepId}/${decision}`, { tenant, body });

async function waitingRun(prompt: string) {
  const started = await startRun(company, gatedTeam, prompt);
  await runReaches(sql, started.id, "waiting_approval");
  const [first] = await steps(sql, started.id);
  return { runId: started.id, stepId: first.id };
}

describe("a team agent that requires approval", () => {
  it("tells its approvers by e-mail once the output waits: the owner and the named member, not other members", async () => {
    const before = channels.emails.length;
    const { runId } = await waitingRun("the e-mail notice");
    const mails = await waitFor(async () => {
      const sent = channels.emails.slice(before).filter((mail) => mail.subject.includes("Gate Writer"));
      return sent.length >= 2 ? sent : null;
    }, "the approval e-mails", 60_000, 200);
    expect(mails.map((mail) => mail.to[0]).sort()).toEqual([approver.email, company.owner.email].sort());
    expect(mails[0].text).toContain("Gated pipeline");
    const notices = await sql<{ recipient_user_id: string; channels: string[]; payload: { execution_id: string } }[]>`
      select recipient_user_id, channels::text[] as channels, payload from public.notifications
      where event = 'approval_requested' and payload ->> 'execution_id' = ${runId}`;
    expect(notices.map((notice) => notice.recipient_user_id).sort()).toEqual([approver.id, company.owner.id].sort());
    expect(notices.every((notice) => notice.channels.join() === "email")).toBe(true);
    await expectStatus(call(approver, "POST", `/executions/${runId}/stop`, { tenant: company.tenantId }), 200);
  });

  it("refuses an approval setting naming someone outside the company, in the error shape", async () => {
    const answer = await call(company.owner, "POST", "/teams", {
      tenant: company.tenantId,
      body: {
        name: "Bad approvers",
        workflow_type: "sequential",
        agents: [{ agent_id: writer, role: "member", execution_order: 1, config: { approval: { approvers: [other.owner.id] } } }],
      },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ constraint: "team_agent_approval_invalid" })]),
    );
    const policyWithoutTime = await call(company.owner, "POST", "/teams", {
      tenant: company.tenantId,
      body: {
        name: "Bad policy",
        workflow_type: "sequential",
        agents: [{ agent_id: writer, role: "member", execution_order: 1, config: { approval: { on_timeout: "approve" } } }],
      },
    });
    expect(policyWithoutTime.status).toBe(422);
    expect(policyWithoutTime.body.error.code).toBe("validation_failed");
  });

  it("pauses the run until an approver edits and approves; the next agent receives the approved text, once", async () => {
    const { runId, stepId } = await waitingRun("the launch note");
    const waiting = await execution(sql, runId);
    const [first, second] = await steps(sql, runId);
    expect(first).toMatchObject({ status: "waiting_approval", output: "draft of the launch note", lease_owner: null, attempt_count: 1 });
    expect(second.status).toBe("pending");

    // What each person sees: the text to decide on, and whether they may.
    const seenByApprover = await expectStatus(call(approver, "GET", `/executions/${runId}/status`, { tenant: company.tenantId }), 200);
    expect(seenByApprover.status).toBe("waiting_approval");
    expect(seenByApprover.agents[0].approval).toMatchObject({
      approvers: [approver.id],
      output: "draft of the launch note",
      decision: null,
      can_decide: true,
    });
    const seenByBystander = await expectStatus(call(bystander, "GET", `/executions/${runId}/status`, { tenant: company.tenantId }), 200);
    expect(seenByBystander.agents[0].approval.can_decide).toBe(false);

    // Refusals, each in the one error shape, and none changes anything.
    const notApprover = await decide(bystander, runId, stepId, "approve");
    expect(notApprover.status).toBe(403);
    expect(notApprover.body.error.code).toBe("approval_not_approver");
    expect((await decide(analyst, runId, stepId, "reject", { reason: "no" })).body.error.code).toBe("approval_not_approver");
    expect((await decide(other.owner, runId, stepId, "approve", {}, other.tenantId)).status).toBe(404);
    expect((await decide(approver, runId, crypto.randomUUID(), "approve")).status).toBe(404);
    expect((await call(null, "POST", `/executions/${runId}/steps/${stepId}/approve`, { tenant: company.tenantId })).status).toBe(401);
    const malformed = await call(approver, "POST", `/executions/${runId}/steps/${stepId}/approve`, {
      tenant: company.tenantId,
      rawBody: "{not json",
    });
    expect(malformed.status).toBe(400);
    for (const body of [{ output: "x", extra: 1 }, { output: "   " }, { output: 42 }, [], "approve"]) {
      const refused = await decide(approver, runId, stepId, "approve", body);
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.body.error.code).toBe("validation_failed");
    }
    expect((await decide(approver, runId, "not-a-uuid", "approve")).status).toBe(422);
    expect((await steps(sql, runId))[0].status).toBe("waiting_approval");

    const approved = await expectStatus(decide(approver, runId, stepId, "approve", { output: "the approved launch note" }), 200);
    expect(approved.agents[0]).toMatchObject({ status: "succeeded" });
    expect(approved.agents[0].approval).toMatchObject({
      decision: "approved",
      decided_by: approver.id,
      output: "the approved launch note",
      proposed_output: "draft of the launch note",
      can_decide: false,
    });

    const run = await runFinished(sql, runId);
    expect(run.status).toBe("completed");
    const done = await steps(sql, runId);
    expect(done.map((step) => [step.status, step.attempt_count, step.resolved_input, step.output])).toEqual([
      ["succeeded", 1, "the launch note", "the approved launch note"],
      ["succeeded", 1, "the approved launch note", "edited: the approved launch note"],
    ]);
    // The deadline moved on by the time the run waited.
    expect(run.deadline_at!.getTime()).toBeGreaterThanOrEqual(waiting.deadline_at!.getTime());
    // One ledger row per step: the approved step was not run again.
    const ledger = await sql`select step_id from public.usage_ledger where execution_id = ${runId}`;
    expect(ledger.map((row) => row.step_id).sort()).toEqual([done[0].id, done[1].id].sort());
    const log = await events(sql, runId);
    expect(log.filter((event) => event.step_id === stepId && event.event === "agent_status_update").map((event) => event.payload.status))
      .toEqual(["ready", "running", "waiting_approval", "succeeded"]);
    expect(log.filter((event) => event.event === "status_update").map((event) => event.payload.status))
      .toEqual(["pending", "running", "waiting_approval", "running", "completed"]);
    const [audit] = await sql`
      select actor_id, after ->> 'approval_decision' as decision from public.audit_log
      where table_name = 'execution_steps' and record_id = ${stepId}`;
    expect(audit).toEqual({ actor_id: approver.id, decision: "approved" });

    const again = await decide(approver, runId, stepId, "approve");
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("approval_not_waiting");
  });

  it("fails the step with the reason when rejected; the team stops and the next agent never runs", async () => {
    const { runId, stepId } = await waitingRun("a risky claim");
    expect((await decide(company.owner, runId, stepId, "reject", {})).status).toBe(422);
    expect((await decide(company.owner, runId, stepId, "reject", { reason: "" })).status).toBe(422);
    expect((await call(company.owner, "POST", `/executions/${runId}/steps/${stepId}/reject`, { tenant: company.tenantId })).status).toBe(415);
    const rejected = await expectStatus(decide(company.owner, runId, stepId, "reject", { reason: "Not our tone" }), 200);
    expect(rejected.agents[0].approval).toMatchObject({ decision: "rejected", reason: "Not our tone", decided_by: company.owner.id });
    const run = await runFinished(sql, runId);
    expect(run.status).toBe("failed");
    expect(run.error_message).toContain("rejected: Not our tone");
    expect((await steps(sql, runId)).map((step) => step.status)).toEqual(["failed", "cancelled"]);
  });

  it("can be stopped while it waits, and then nobody can approve it", async () => {
    const { runId, stepId } = await waitingRun("stop while waiting");
    const stopped = await expectStatus(call(approver, "POST", `/executions/${runId}/stop`, { tenant: company.tenantId }), 200);
    expect(stopped.status).toBe("cancelled");
    expect((await steps(sql, runId)).map((step) => step.status)).toEqual(["cancelled", "cancelled"]);
    expect((await decide(approver, runId, stepId, "approve")).body.error.code).toBe("approval_not_waiting");
  });

  it("resumes once on approval after the worker was killed while the run waited", async () => {
    const { runId, stepId } = await waitingRun("survive the wait");
    const pid = executorPid();
    if (pid !== null) {
      process.kill(pid, "SIGKILL");
      await waitFor(async () => executorPid() !== pid, "the executor process to die", 10_000, 20);
    }
    await expectStatus(decide(approver, runId, stepId, "approve"), 200);
    const run = await runFinished(sql, runId);
    expect(run.status).toBe("completed");
    const done = await steps(sql, runId);
    expect(done.map((step) => [step.status, step.attempt_count])).toEqual([["succeeded", 1], ["succeeded", 1]]);
    expect(done[1].resolved_input).toBe("draft of survive the wait");
    const ledger = await sql`select count(*)::int as rows from public.usage_ledger where execution_id = ${runId}`;
    expect(ledger[0].rows).toBe(2);
  });
});
