// Interviews on WhatsApp (#17), end to end with the fakes: a project launched to a contact sends
// its invitation from the project's inbox (the invitation job), the contact's signed Z-API replies
// reach the webhooks function and are answered by the project's team — not the inbox's front desk
// — whose demo-provider interviewer, scripted by the messages, records answers with the built-in
// record_interview_answer tool: a wrong-typed answer comes back to the model as the tool's error,
// fitting ones are stored typed, and the last required one completes the interview; after that
// the inbox's own responder answers the conversation again; the project's report counts it, and
// the owner is told the project finished. Then the issue's survey: three questions to twenty
// contacts, invited at the project's rate, each answering in one message, the report counting them
// and the owner told.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  call,
  type Company,
  contactConversation,
  createTeam,
  createWebhookInbox,
  databaseConnection,
  demoAgent,
  eventsSettled,
  expectStatus,
  newCompany,
  removeCompanies,
  repliesArrive,
  setInboxResponder,
  stackEnv,
  waitFor,
  whatsAppSender,
} from "../fixtures/index.ts";

vi.setConfig({ testTimeout: 180_000 });

const sql = databaseConnection();
let company: Company;
let inbox: Awaited<ReturnType<typeof createWebhookInbox>>;
let frontDeskId: string;
let surveyTeamId: string;

beforeAll(async () => {
  company = await newCompany(sql, "interviews");
  const receptionist = await demoAgent(company, "Receptionist", { reply: "Olá! Como posso ajudar?" });
  frontDeskId = await createTeam(company, { name: "Front desk", workflow_type: "sequential", agents: [{ agent_id: receptionist, execution_order: 1 }] });
  const interviewer = await demoAgent(company, "Interviewer", { reply: "Obrigado!" });
  await expectStatus(call(company.owner, "PATCH", `/agents/${interviewer}`, { tenant: company.tenantId, body: { tools: ["record_interview_answer"] } }), 200);
  surveyTeamId = await createTeam(company, { name: "Survey team", workflow_type: "sequential", agents: [{ agent_id: interviewer, execution_order: 1 }] });
  inbox = await createWebhookInbox(sql, company.tenantId, "zapi");
  await setInboxResponder(sql, company.tenantId, inbox.inboxId, { team_id: frontDeskId, debounce_ms: 0 });
});

afterAll(async () => {
  await removeCompanies(sql, [company].filter(Boolean));
  await sql.end();
});

const phone = `55119${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
const answer = (questionId: string, text: string) => `@tool record_interview_answer ${JSON.stringify({ question_id: questionId, answer: text })}`;

async function say(text: string): Promise<void> {
  const delivery = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from: phone, name: "Paula Reis", text }));
  expect(delivery.status).toBe(200);
  await eventsSettled(sql, inbox.inboxId);
}

async function interviewRow(projectId: string) {
  const [row] = await sql<{ id: string; status: string; answers: Record<string, { value: unknown }>; conversation_id: string | null }[]>`
    select id, status::text, answers, conversation_id from public.interviews where project_id = ${projectId}`;
  return row;
}

describe("an interview conducted on WhatsApp", () => {
  it("is invited, answered through the tool by the project's team, completed, and hands the conversation back", async () => {
    const asOwner = (method: string, path: string, body?: unknown) => call(company.owner, method, path, { tenant: company.tenantId, body });
    const [contact] = await sql<{ id: string }[]>`
      insert into public.contacts (tenant_id, phone, name) values (${company.tenantId}, ${`+${phone}`}, 'Paula Reis') returning id`;
    const project = await expectStatus(asOwner("POST", "/projects", {
      name: "Pós-venda",
      inbox_id: inbox.inboxId,
      responder_team_id: surveyTeamId,
      invitation_text: "Olá Paula! Pode responder duas perguntas rápidas?",
      questions: [
        { id: "score", text: "De 1 a 5, como foi o atendimento?", answer_type: "scale_1_5" },
        { id: "recommend", text: "Recomendaria?", answer_type: "yes_no" },
      ],
    }), 201);
    const launched = await expectStatus(asOwner("POST", `/projects/${project.id}/launch`, { contact_ids: [contact.id] }), 200);
    expect(launched).toMatchObject({ created: 1 });

    // The invitation job (pg_cron runs it every minute; called here so the test does not wait for it).
    const [{ sent }] = await sql<{ sent: number }[]>`select private.send_interview_invitations() as sent`;
    expect(sent).toBe(1);
    const invited = await interviewRow(project.id);
    expect(invited.status).toBe("invited");
    const conversation = await contactConversation(sql, company.tenantId, phone);
    expect(invited.conversation_id).toBe(conversation.id);
    const [invitation] = await repliesArrive(sql, conversation.id);
    expect(invitation).toMatchObject({ role: "assistant", body: "Olá Paula! Pode responder duas perguntas rápidas?", execution_id: null });

    await say(`Nota ótima!\n${answer("score", "ótima")}`);
    const [, refused] = await repliesArrive(sql, conversation.id, 2);
    expect(refused.body).toContain("record_interview_answer -> ");
    expect(refused.body).toContain("the answer to score must be a whole number from 1 to 5");
    const [run] = await sql<{ team_id: string }[]>`select team_id from public.executions where id = ${refused.execution_id}`;
    expect(run.team_id).toBe(surveyTeamId);
    expect((await interviewRow(project.id)).status).toBe("invited");

    await say(`5\n${answer("score", "5")}`);
    const replies = await repliesArrive(sql, conversation.id, 3);
    expect(replies[2].body).toContain('"status":"in_progress"');
    expect(replies[2].body).toContain('"id":"recommend"');

    await say(`Sim, recomendaria\n${answer("recommend", "sim")}`);
    const afterLast = await repliesArrive(sql, conversation.id, 4);
    expect(afterLast[3].body).toContain('"status":"completed"');
    const completed = await interviewRow(project.id);
    expect(completed.status).toBe("completed");
    expect(completed.answers.score.value).toBe(5);
    expect(completed.answers.recommend.value).toBe(true);

    const seen = await expectStatus(asOwner("GET", `/interviews/${completed.id}`), 200);
    expect(seen).toMatchObject({ status: "completed" });

    const report = await expectStatus(asOwner("GET", `/projects/${project.id}/report`), 200);
    expect(report).toMatchObject({ project_id: project.id, completion_rate: 1, interviews: { total: 1, completed: 1 } });
    expect(report.questions).toEqual([
      expect.objectContaining({ id: "score", answered: 1, distribution: { "5": 1 }, average: 5, min: 5, max: 5 }),
      expect.objectContaining({ id: "recommend", answered: 1, distribution: { "true": 1 } }),
    ]);
    const elsewhere = await call(company.owner, "GET", `/projects/${crypto.randomUUID()}/report`, { tenant: company.tenantId });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe("project_not_found");

    // Its only interview ended: the owner is told the project finished (pg_cron sweeps every
    // minute; called here so the test does not wait for it — the sweep itself tells once).
    await sql`select private.notice_finished_projects()`;
    const notices = await expectStatus(asOwner("GET", "/notifications?limit=100"), 200);
    const finished = notices.items.filter((item: { event: string; payload: { project_id?: string } }) =>
      item.event === "project_finished" && item.payload.project_id === project.id
    );
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({
      recipient_user_id: company.owner.id,
      channels: ["whatsapp", "sms", "email"],
      payload: { project_name: "Pós-venda", interviews: 1, completed: 1, expired: 0, cancelled: 0 },
    });

    await say("Obrigada, tchau");
    const last = await repliesArrive(sql, conversation.id, 5);
    const [frontDeskRun] = await sql<{ team_id: string }[]>`select team_id from public.executions where id = ${last[4].execution_id}`;
    expect(frontDeskRun.team_id).toBe(frontDeskId);
    expect(last[4].body).toContain("Olá! Como posso ajudar?");
  });

  it("launches a 3-question survey to 20 contacts: invitations at the project's rate, answers extracted, a report and the owner told", async () => {
    const asOwner = (method: string, path: string, body?: unknown) => call(company.owner, method, path, { tenant: company.tenantId, body });
    const phones = Array.from({ length: 20 }, (_, index) => `55219${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}${String(index).padStart(2, "0")}`);
    const contacts = await sql<{ id: string }[]>`
      insert into public.contacts (tenant_id, phone, name)
      select ${company.tenantId}, '+' || phone, 'Cliente ' || n
      from unnest(${phones}::text[]) with ordinality as given (phone, n)
      returning id`;
    const project = await expectStatus(asOwner("POST", "/projects", {
      name: "Satisfação em massa",
      inbox_id: inbox.inboxId,
      responder_team_id: surveyTeamId,
      invitation_text: "Olá! Três perguntas rápidas?",
      send_rate_per_minute: 10,
      questions: [
        { id: "score", text: "De 1 a 5?", answer_type: "scale_1_5" },
        { id: "recommend", text: "Recomendaria?", answer_type: "yes_no" },
        { id: "why", text: "Por quê?", answer_type: "free_text" },
      ],
    }), 201);
    expect(await expectStatus(asOwner("POST", `/projects/${project.id}/launch`, { contact_ids: contacts.map((contact) => contact.id) }), 200))
      .toMatchObject({ created: 20 });

    // The invitation job, as pg_cron runs it each minute: ten a minute. The test moves the first
    // ten invitations a minute back instead of waiting for the clock.
    const invite = async () => (await sql<{ sent: number }[]>`select private.send_interview_invitations() as sent`)[0].sent;
    expect(await invite()).toBe(10);
    expect(await invite()).toBe(0);
    await sql`update public.interviews set invited_at = invited_at - interval '61 seconds' where project_id = ${project.id} and status = 'invited'`;
    expect(await invite()).toBe(10);

    // Every contact answers the three questions in one message; the interviewer records each.
    const scores = phones.map((_, index) => 1 + (index % 5));
    for (let start = 0; start < phones.length; start += 5) {
      await Promise.all(phones.slice(start, start + 5).map(async (from, offset) => {
        const index = start + offset;
        const text = [
          `Nota ${scores[index]}, recomendaria, atendimento rápido`,
          answer("score", String(scores[index])),
          answer("recommend", index % 4 === 0 ? "não" : "sim"),
          answer("why", "atendimento rápido"),
        ].join("\n");
        const delivery = await whatsAppSender.deliver(stackEnv.functionsUrl, inbox, whatsAppSender.inboundText(inbox, { from, name: `Cliente ${index + 1}`, text }));
        expect(delivery.status).toBe(200);
      }));
    }
    await waitFor(async () => {
      const [{ completed }] = await sql<{ completed: number }[]>`
        select count(*)::int as completed from public.interviews where project_id = ${project.id} and status = 'completed'`;
      return completed === 20 ? completed : null;
    }, "twenty completed interviews", 150_000, 250);

    const report = await expectStatus(asOwner("GET", `/projects/${project.id}/report`), 200);
    expect(report).toMatchObject({ completion_rate: 1, interviews: { total: 20, completed: 20 } });
    const byId = Object.fromEntries(report.questions.map((question: { id: string }) => [question.id, question]));
    expect(byId.score).toMatchObject({ answered: 20, distribution: { "1": 4, "2": 4, "3": 4, "4": 4, "5": 4 }, average: 3, min: 1, max: 5 });
    expect(byId.recommend).toMatchObject({ answered: 20, distribution: { "true": 15, "false": 5 } });
    expect(byId.why.answered).toBe(20);
    expect(byId.why.words).toEqual(expect.arrayContaining([expect.objectContaining({ word: "atendimento", count: 20 })]));

    await sql`select private.notice_finished_projects()`;
    const notices = await expectStatus(asOwner("GET", "/notifications?limit=100"), 200);
    expect(notices.items.filter((item: { event: string; payload: { project_id?: string } }) =>
      item.event === "project_finished" && item.payload.project_id === project.id
    )).toEqual([expect.objectContaining({ payload: expect.objectContaining({ interviews: 20, completed: 20 }) })]);
  });
});
