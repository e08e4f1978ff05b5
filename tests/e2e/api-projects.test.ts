// The `api` function's projects and interviews over HTTP, through the gateway: a member drafts a
// survey, an owner launches it by tag, by contact ids and by CSV upload (new contacts added, bad
// rows reported per row, nothing written when the whole file is refused), interviews are listed in
// keyset pages and read one by one, cancelled and resent by owners and admins; members and analysts
// are refused what they may not do, another company's ids are 404, and bad input is a clear 4xx in
// the one error shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addContacts,
  addMember,
  type ApiUser,
  aUuid,
  call,
  cleanUp,
  connectEvolutionInbox,
  type ConnectedInbox,
  createTenant,
  download,
  expectStatus,
  pdfText,
  type SeededContact,
  signUp,
  surveyQuestions,
  testDatabase,
} from "../fixtures/index.ts";
import { parseCsv } from "../../supabase/functions/_shared/csv.ts";

const sql = testDatabase();
const people: ApiUser[] = [];
let owner: ApiUser;
let member: ApiUser;
let analyst: ApiUser;
let stranger: ApiUser;
let company: string;
let strangersCompany: string;
let inbox: ConnectedInbox;
let contacts: SeededContact[];
let projectId: string;

beforeAll(async () => {
  [owner, member, analyst, stranger] = await Promise.all(["proj-owner", "proj-member", "proj-analyst", "proj-stranger"].map((label) => signUp(label)));
  people.push(owner, member, analyst, stranger);
  company = await createTenant(owner, "Pesquisas Ltda");
  strangersCompany = await createTenant(stranger, "Pesquisas Alheias SA");
  await addMember(sql, company, member, "member");
  await addMember(sql, company, analyst, "analyst");
  inbox = await connectEvolutionInbox(owner, company, "https://evolution.example.com", "Pesquisas");
  contacts = await addContacts(sql, company, [
    { phone: "+5511910000001", name: "Ana", tags: ["vip"] },
    { phone: "+5511910000002", name: "Bruno", tags: ["vip", "sp"] },
    { phone: "+5511910000003", name: "Carla", tags: ["rj"] },
    { phone: "+5511910000004", name: "Davi", tags: ["vip"], status: "blocked" },
  ]);
});

afterAll(async () => {
  await cleanUp(sql, people);
  await sql.end();
});

describe("drafting a project", () => {
  it("lets a member draft a survey with its script", async () => {
    const project = await expectStatus(call(member, "POST", "/projects", {
      tenant: company,
      body: { name: "Pós-venda", questions: surveyQuestions, inbox_id: inbox.id, send_rate_per_minute: 30 },
    }), 201);
    projectId = project.id;
    expect(project).toMatchObject({ status: "draft", type: "survey", send_rate_per_minute: 30, timeout_hours: 72, reminder_after_hours: 24 });
    expect(project.questions.map((question: { id: string }) => question.id)).toEqual(["score", "recommend", "channel"]);
  });

  it("refuses a script that does not hold together, naming the field", async () => {
    const oneOption = await call(member, "POST", "/projects", {
      tenant: company,
      body: { name: "Ruim", questions: [{ id: "color", text: "Cor?", answer_type: "one_of", options: ["Azul"] }] },
    });
    expect(oneOption.status).toBe(422);
    expect(oneOption.body.error.code).toBe("validation_failed");
    expect(oneOption.body.error.details).toContainEqual(expect.objectContaining({ path: "questions.0.options" }));
    const unknownField = await call(member, "POST", "/projects", { tenant: company, body: { name: "Ruim", owner: "me" } });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.error.details).toContainEqual({ path: "owner", message: "Unknown field." });
    const malformed = await call(member, "POST", "/projects", { tenant: company, rawBody: "{\"name\": " });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("invalid_json");
  });

  it("refuses another company's inbox through the database's rule", async () => {
    const theirs = await connectEvolutionInbox(stranger, strangersCompany, "https://evolution.example.com", "Delas");
    const answer = await call(member, "PATCH", `/projects/${projectId}`, { tenant: company, body: { inbox_id: theirs.id } });
    expect(answer.status).toBe(422);
    expect(answer.body.error.details[0]).toMatchObject({ path: "inbox_id", constraint: "project_inbox_not_in_tenant" });
  });

  it("keeps status changes for owners and admins", async () => {
    const byMember = await call(member, "PATCH", `/projects/${projectId}`, { tenant: company, body: { status: "active" } });
    expect(byMember.status).toBe(403);
    const byAnalyst = await call(analyst, "PATCH", `/projects/${projectId}`, { tenant: company, body: { name: "Renomeado" } });
    expect(byAnalyst.status).toBe(403);
  });

  it("says what is missing before a project can go active", async () => {
    const answer = await call(owner, "PATCH", `/projects/${projectId}`, { tenant: company, body: { status: "active" } });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: "project_not_launchable", details: { missing: ["invitation_text"] } });
    await expectStatus(call(member, "PATCH", `/projects/${projectId}`, {
      tenant: company,
      body: { invitation_text: "Olá! Pode responder 3 perguntas rápidas sobre sua compra?" },
    }), 200);
  });

  it("lists the company's projects to its analyst, and none to another company", async () => {
    const page = await expectStatus(call(analyst, "GET", "/projects?status=draft", { tenant: company }), 200);
    expect(page).toMatchObject({ total: 1, page: 1 });
    expect(page.items[0].id).toBe(projectId);
    expect(await expectStatus(call(stranger, "GET", "/projects", { tenant: strangersCompany }), 200)).toMatchObject({ items: [], total: 0 });
    expect((await call(stranger, "GET", `/projects/${projectId}`, { tenant: strangersCompany })).body.error.code).toBe("project_not_found");
  });
});

describe("launching", () => {
  it("is refused to members", async () => {
    const answer = await call(member, "POST", `/projects/${projectId}/launch`, { tenant: company, body: { tags_any: ["vip"] } });
    expect(answer.status).toBe(403);
  });

  it("refuses a selection that says nobody", async () => {
    const answer = await call(owner, "POST", `/projects/${projectId}/launch`, { tenant: company, body: {} });
    expect(answer.status).toBe(422);
    const wrongType = await call(owner, "POST", `/projects/${projectId}/launch`, { tenant: company, body: { contact_ids: "all" } });
    expect(wrongType.status).toBe(422);
  });

  it("creates one pending interview per reachable tagged contact and activates the draft", async () => {
    const result = await expectStatus(call(owner, "POST", `/projects/${projectId}/launch`, { tenant: company, body: { tags_any: ["vip"] } }), 200);
    expect(result).toMatchObject({ matched: 3, created: 2, skipped_blocked: 1, already_in_project: 0 });
    const project = await expectStatus(call(owner, "GET", `/projects/${projectId}`, { tenant: company }), 200);
    expect(project.status).toBe("active");
  });

  it("reports another company's contact ids as unknown", async () => {
    const [theirs] = await addContacts(sql, strangersCompany, [{ phone: "+5511910000009", name: "Alheio" }]);
    const result = await expectStatus(call(owner, "POST", `/projects/${projectId}/launch`, {
      tenant: company,
      body: { contact_ids: [contacts[2].id, theirs.id] },
    }), 200);
    expect(result).toMatchObject({ matched: 1, created: 1, unknown_contact_ids: [theirs.id] });
  });

  it("takes a CSV: new contacts are added, bad rows reported by row", async () => {
    const csv = [
      "telefone;nome;email",
      "+55 11 91000-0001;Ana de novo;",
      "(21) 99876-5432;Eduarda;edu@example.com",
      "12345;Número ruim;",
      "21998765432;Eduarda de novo;",
      "+55 31 98888-1111;Fábio;not-an-email",
      "+55 31 98888-2222;Gabi",
      "\"+55 31 98888-3333\";\"Helena; a de aspas\";",
    ].join("\r\n");
    const result = await expectStatus(call(owner, "POST", `/projects/${projectId}/launch`, {
      tenant: company,
      rawBody: csv,
      headers: { "content-type": "text/csv; charset=utf-8" },
    }), 200);
    expect(result.csv).toEqual({
      rows: 7,
      contacts_created: 2,
      row_errors: [
        { row: 4, phone: "12345", code: "invalid_phone", message: expect.any(String) },
        { row: 5, phone: "21998765432", code: "duplicate_phone", message: "Row 3 has this phone already." },
        { row: 6, phone: "+55 31 98888-1111", code: "invalid_email", message: "Not an e-mail address." },
        { row: 7, phone: "+55 31 98888-2222", code: "wrong_column_count", message: expect.any(String) },
      ],
    });
    expect(result).toMatchObject({ matched: 3, created: 2, already_in_project: 1 });
    const [helena] = await sql<{ name: string }[]>`select name from public.contacts where tenant_id = ${company} and phone = '+5531988883333'`;
    expect(helena.name).toBe("Helena; a de aspas");
  });

  it("refuses a whole CSV with a column it does not read, writing nothing", async () => {
    const answer = await call(owner, "POST", `/projects/${projectId}/launch`, {
      tenant: company,
      rawBody: "phone,name,cpf\n+5541977776666,Igor,123",
      headers: { "content-type": "text/csv" },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: "csv_unknown_column", details: { unknown_columns: ["cpf"] } });
    const [igor] = await sql`select id from public.contacts where tenant_id = ${company} and phone = '+5541977776666'`;
    expect(igor).toBeUndefined();
  });
});

describe("interviews", () => {
  it("are listed in keyset pages that neither skip nor repeat", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string; contact: { name: string } }[]; next_cursor: string | null } = await expectStatus(
        call(analyst, "GET", `/projects/${projectId}/interviews?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { tenant: company }),
        200,
      );
      seen.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("are cancelled by owners with a reason, not by members", async () => {
    const [first] = (await expectStatus(call(owner, "GET", `/projects/${projectId}/interviews?status=pending&limit=1`, { tenant: company }), 200)).items;
    const byMember = await call(member, "POST", `/interviews/${first.id}/cancel`, { tenant: company, body: { reason: "não" } });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe("projects_run_by_inbox_managers");
    const noReason = await call(owner, "POST", `/interviews/${first.id}/cancel`, { tenant: company, body: {} });
    expect(noReason.status).toBe(422);
    const cancelled = await expectStatus(call(owner, "POST", `/interviews/${first.id}/cancel`, { tenant: company, body: { reason: "Pediu para sair" } }), 200);
    expect(cancelled).toMatchObject({ status: "cancelled", cancel_reason: "Pediu para sair" });
    const again = await call(owner, "POST", `/interviews/${first.id}/cancel`, { tenant: company, body: { reason: "de novo" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("interview_not_cancellable");
    const resend = await call(owner, "POST", `/interviews/${first.id}/resend`, { tenant: company });
    expect(resend.status).toBe(409);
  });

  it("are 404 to another company and for ids that are not there", async () => {
    const [any] = (await expectStatus(call(owner, "GET", `/projects/${projectId}/interviews?limit=1`, { tenant: company }), 200)).items;
    expect((await call(stranger, "GET", `/interviews/${any.id}`, { tenant: strangersCompany })).status).toBe(404);
    expect((await call(stranger, "POST", `/interviews/${any.id}/cancel`, { tenant: strangersCompany, body: { reason: "x" } })).status).toBe(404);
    expect((await call(owner, "GET", `/interviews/${aUuid()}`, { tenant: company })).status).toBe(404);
    expect((await call(owner, "GET", "/interviews/not-a-uuid", { tenant: company })).status).toBe(422);
    expect((await call(null, "GET", `/interviews/${any.id}`, { tenant: company })).status).toBe(401);
  });
});

describe("the CSV export", () => {
  it("answers one row per interview, one column per question, values typed as recorded, formulas defused", async () => {
    const [tricky] = await addContacts(sql, company, [{ phone: "+5511910000010", name: '=HYPERLINK("http://evil.example","Silva, Zé")' }]);
    await expectStatus(call(owner, "POST", `/projects/${projectId}/launch`, { tenant: company, body: { contact_ids: [tricky.id] } }), 200);
    const [interview] = await sql<{ id: string }[]>`select id from public.interviews where project_id = ${projectId} and contact_id = ${tricky.id}`;
    for (const [question, text] of [["score", "4"], ["recommend", "sim"], ["channel", "indicacao"]]) {
      await sql`select private.record_interview_answer(${interview.id}, ${question}, ${text})`;
    }

    const answer = await call(analyst, "GET", `/projects/${projectId}/interviews.csv`, { tenant: company });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toMatch(/^attachment; filename="project-[0-9a-f]{8}-interviews\.csv"$/);
    const rows = parseCsv(answer.text).map((row) => row.fields);
    expect(rows[0]).toEqual([
      "interview_id", "contact_name", "contact_phone", "status", "created_at", "invited_at", "started_at", "completed_at", "ended_at",
      "score", "recommend", "channel",
    ]);
    const [, ...data] = rows;
    const [interviewCount] = await sql<{ count: number }[]>`select count(*)::int as count from public.interviews where project_id = ${projectId}`;
    expect(data).toHaveLength(interviewCount.count);
    const row = data.find((fields) => fields[0] === interview.id)!;
    expect(row.slice(1, 4)).toEqual(["'=HYPERLINK(\"http://evil.example\",\"Silva, Zé\")", "'+5511910000010", "completed"]);
    expect(row[7]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(row.slice(9)).toEqual(["4", "true", "Indicação"]);
    // A cancelled interview without answers: its question columns are empty.
    const cancelled = data.find((fields) => fields[3] === "cancelled")!;
    expect(cancelled.slice(9)).toEqual(["", "", ""]);
    const listed = await expectStatus(call(analyst, "GET", "/projects", { tenant: company }), 200);
    expect(listed.items.find((item: { id: string }) => item.id === projectId)).toMatchObject({ interview_count: interviewCount.count, completed_count: 1 });
    expect(answer.text).toContain('"\'=HYPERLINK(""http://evil.example"",""Silva, Zé"")"');
  });

  it("is 404 to another company, and asks for a session", async () => {
    const theirs = await call(stranger, "GET", `/projects/${projectId}/interviews.csv`, { tenant: strangersCompany });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe("project_not_found");
    expect((await call(owner, "GET", `/projects/${aUuid()}/interviews.csv`, { tenant: company })).status).toBe(404);
    expect((await call(owner, "GET", "/projects/not-a-uuid/interviews.csv", { tenant: company })).status).toBe(422);
    expect((await call(null, "GET", `/projects/${projectId}/interviews.csv`, { tenant: company })).status).toBe(401);
  });
});

describe("the PDF report", () => {
  let opinions: string;

  beforeAll(async () => {
    // A second project with a free-text question (the first one's script is locked by now).
    const project = await expectStatus(call(member, "POST", "/projects", {
      tenant: company,
      body: {
        name: "Opinião 🌟 aberta",
        questions: [
          { id: "liked", text: "O que você achou da entrega?", answer_type: "free_text" },
          { id: "channel", text: "Como nos conheceu?", answer_type: "one_of", options: ["Instagram", "Indicação", "Google"] },
        ],
        inbox_id: inbox.id,
        invitation_text: "Olá! Conte o que achou.",
      },
    }), 201);
    opinions = project.id;
    const reachable = contacts.filter((contact) => contact.name !== "Davi").map((contact) => contact.id);
    await expectStatus(call(owner, "POST", `/projects/${opinions}/launch`, { tenant: company, body: { contact_ids: reachable } }), 200);
    const interviews = await sql<{ id: string }[]>`select id from public.interviews where project_id = ${opinions} order by created_at, id`;
    const answers = [["Entrega rapidíssima, embalagem perfeita", "Indicação"], ["Entrega no prazo", "Indicação"], ["Atrasou, mas chegou", "Google"]];
    for (const [index, interview] of interviews.entries()) {
      await sql`select private.record_interview_answer(${interview.id}, 'liked', ${answers[index][0]})`;
      await sql`select private.record_interview_answer(${interview.id}, 'channel', ${answers[index][1]})`;
    }
  });

  it("is a PDF of the report in the caller's language: the project, its questions, counts per option and top words", async () => {
    const answer = await download(analyst, `/projects/${opinions}/report.pdf`, company);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/pdf");
    expect(answer.headers.get("content-disposition")).toMatch(/^attachment; filename="project-[0-9a-f]{8}-report\.pdf"$/);
    expect(new TextDecoder().decode(answer.bytes.slice(0, 5))).toBe("%PDF-");
    const text = await pdfText(answer.bytes);
    // The emoji is beyond the standard fonts: written as "?", the rest kept.
    expect(text).toContain("Relatório do projeto: Opinião ? aberta");
    expect(text).toContain("Pesquisas Ltda · Opinião ? aberta");
    expect(text).toMatch(/Gerado em .+ UTC/);
    expect(text).toContain("Página 1 de 1");
    expect(text).toContain("1. O que você achou da entrega?");
    expect(text).toContain("2. Como nos conheceu?");
    expect(text).toContain("3 respostas");
    expect(text).toMatch(/Indicação\s*2/);
    expect(text).toMatch(/Google\s*1/);
    expect(text).toMatch(/Instagram\s*0/);
    expect(text).toContain("Palavras mais frequentes nas respostas");
    expect(text).toMatch(/entrega\s*2/);
    expect(text).toMatch(/embalagem\s*1/);
    expect(text).toMatch(/Concluída\s*3/);
    expect(text).toContain("100%");
  });

  it("says the same in English when asked, with the first project's numbers and its averages", async () => {
    const answer = await download(member, `/projects/${projectId}/report.pdf?locale=en`, company);
    expect(answer.status).toBe(200);
    const text = await pdfText(answer.bytes);
    expect(text).toContain("Project report: Pós-venda");
    expect(text).toContain("De 1 a 5, quanto você gostou do atendimento?");
    expect(text).toContain("Você nos recomendaria a um amigo?");
    expect(text).toContain("Average 4 · min 4 · max 4");
    expect(text).toMatch(/Yes\s*1/);
    expect(text).toMatch(/Indicação\s*1/);
    expect(text).toContain("Page 1 of");
  });

  it("is 404 to another company, asks for a session, and refuses a language or parameter it does not know", async () => {
    const theirs = await download(stranger, `/projects/${opinions}/report.pdf`, strangersCompany);
    expect(theirs.status).toBe(404);
    expect(JSON.parse(new TextDecoder().decode(theirs.bytes)).error.code).toBe("project_not_found");
    expect((await download(owner, `/projects/${aUuid()}/report.pdf`, company)).status).toBe(404);
    expect((await download(owner, "/projects/not-a-uuid/report.pdf", company)).status).toBe(422);
    expect((await download(null, `/projects/${opinions}/report.pdf`, company)).status).toBe(401);
    const french = await call(owner, "GET", `/projects/${opinions}/report.pdf?locale=fr`, { tenant: company });
    expect(french.status).toBe(422);
    expect(french.body.error.details).toContainEqual(expect.objectContaining({ path: "locale" }));
    expect((await call(owner, "GET", `/projects/${opinions}/report.pdf?lang=en`, { tenant: company })).status).toBe(422);
  });
});

describe("the project's life", () => {
  it("does not take a changed script after launch, nor delete", async () => {
    const changed = await call(owner, "PATCH", `/projects/${projectId}`, { tenant: company, body: { questions: [] } });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("project_questions_locked");
    const deleted = await call(owner, "DELETE", `/projects/${projectId}`, { tenant: company });
    expect(deleted.status).toBe(409);
  });

  it("completes, and then takes no more contacts", async () => {
    await expectStatus(call(owner, "PATCH", `/projects/${projectId}`, { tenant: company, body: { status: "completed" } }), 200);
    const answer = await call(owner, "POST", `/projects/${projectId}/launch`, { tenant: company, body: { all: true } });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("project_completed");
  });
});
