import { csvLines } from "../../_shared/csv.ts";
import { ApiError } from "../../_shared/errors.ts";
import {
  createProjectBody,
  type Interview,
  interviewListQuery,
  type InterviewPage,
  launchSelection,
  type LaunchResult,
  type Project,
  type ProjectListItem,
  projectListQuery,
  type ProjectPage,
  projectParams,
  type ProjectReport,
  updateProjectBody,
} from "../../_shared/schemas/projects.ts";
import type { TenantContext } from "../../_shared/tenant-context.ts";
import type { TransactionSql } from "../../_shared/user-transaction.ts";
import { parseJsonBody, parseParams, parseQuery } from "../../_shared/validation.ts";
import { pdfExportQuery, profileLocale } from "../exports/pdf-words.ts";
import { projectReportPdf } from "../exports/project-report-pdf.ts";
import { type ContactCsv, readContactCsv } from "../queries/contact-csv.ts";
import { interviewColumns } from "../queries/interviews.ts";
import { decodeCursor, encodeCursor } from "../queries/keyset.ts";
import { columnList, givenColumns, pageWindow, requireCapability, type RouteDependencies, routes } from "./context.ts";

/**
 * /projects — the current tenant's (X-Tenant-Id) projects: scripts of questions asked of contacts
 * over WhatsApp, one interview per contact.
 *   GET    /projects                   members: ?status&page&limit, newest first, each with interview_count and
 *                                      completed_count → { items, total, page, limit }                          200, 422
 *   POST   /projects                   handle_conversations: a draft (name, script, inbox, team, ...)             201, 403, 422
 *   GET    /projects/:id               members                                                                     200, 404
 *   PATCH  /projects/:id               handle_conversations: any field; status only owners and admins             200, 403, 404, 422
 *   DELETE /projects/:id               handle_conversations: drafts only                                           204, 403, 404, 422
 *   POST   /projects/:id/launch        owners and admins: JSON { tags_any?, tags_all?, contact_ids?, phone_prefix?,
 *                                      name_contains?, all? }, or text/csv with phone[,name,email] (new contacts
 *                                      are added; bad rows reported in csv.row_errors) → pending interviews       200, 403, 404, 422
 *   GET    /projects/:id/interviews    members: ?status&limit&cursor, oldest first → { items, next_cursor }        200, 404, 422
 *   GET    /projects/:id/report        members: public.project_report — interviews per status, completion rate,
 *                                      per question answered, distribution, average/min/max, free-text words     200, 404
 *   GET    /projects/:id/interviews.csv  members: text/csv, one row per interview (oldest first): interview id,
 *                                      contact name and phone, status, times, then one column per question id
 *                                      with the value as recorded (numbers and yes/no as such; skipped: empty)   200, 404
 *   GET    /projects/:id/report.pdf   members: ?locale=pt-BR|en (default: the caller's profile) — the report as a
 *                                      PDF (exports/project-report-pdf.ts): counts, bars per option, top words     200, 404, 422
 * Another company's project is 404. The database enforces every rule (migrations 0040xx) whoever calls.
 */
export function projectRoutes({ signedIn, inTenant }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn, inTenant);

  app.get("/", async (c) => {
    const query = parseQuery(c, projectListQuery);
    const { limit, offset } = pageWindow(query);
    const page = await c.var.asUser(async (tx) => {
      const rows = await tx<{ project: ProjectListItem; total: number }[]>`
        select to_jsonb(p) || jsonb_build_object('interview_count', counted.total, 'completed_count', counted.completed) as project,
               count(*) over ()::integer as total
        from public.projects p
        cross join lateral (
          select count(*)::integer as total, count(*) filter (where i.status = 'completed')::integer as completed
          from public.interviews i where i.project_id = p.id) counted
        where p.tenant_id = ${c.var.tenant.id}
          and (${query.status ?? null}::public.project_status is null or p.status = ${query.status ?? null}::public.project_status)
        order by p.created_at desc, p.id
        limit ${limit} offset ${offset}`;
      const total = rows[0]?.total ?? (offset === 0 ? 0 : await countProjects(tx, c.var.tenant.id, query.status));
      return { items: rows.map((row) => row.project), total, page: query.page, limit };
    });
    return c.json(page satisfies ProjectPage);
  });

  app.post("/", async (c) => {
    const body = await parseJsonBody(c, createProjectBody);
    requireCapability(c.var.tenant, "handle_conversations", refusal);
    const values: Record<string, unknown> = { ...body, tenant_id: c.var.tenant.id };
    const columns = givenColumns(values);
    const project = await c.var.asUser(async (tx) => {
      const [row] = await tx<{ project: Project }[]>`
        insert into public.projects (${columnList(tx, columns)})
        select ${columnList(tx, columns)} from jsonb_populate_record(null::public.projects, ${tx.json(values as never)})
        returning to_jsonb(projects) as project`;
      return row.project;
    });
    return c.json(project satisfies Project, 201);
  });

  app.get("/:id", async (c) => {
    const { id } = parseParams(c, projectParams);
    const project = await c.var.asUser((tx) => visibleProject(tx, c.var.tenant.id, id));
    return c.json(project satisfies Project);
  });

  app.get("/:id/report", async (c) => {
    const { id } = parseParams(c, projectParams);
    const report = await c.var.asUser(async (tx) => {
      await visibleProject(tx, c.var.tenant.id, id);
      const [row] = await tx<{ report: ProjectReport }[]>`select public.project_report(${id}) as report`;
      return row.report;
    });
    return c.json(report satisfies ProjectReport);
  });

  app.get("/:id/report.pdf", async (c) => {
    const { id } = parseParams(c, projectParams);
    const query = parseQuery(c, pdfExportQuery);
    const document = await c.var.asUser(async (tx) => {
      const project = await visibleProject(tx, c.var.tenant.id, id);
      const [row] = await tx<{ report: ProjectReport; company: string }[]>`
        select public.project_report(${id}) as report, t.name as company from public.tenants t where t.id = ${c.var.tenant.id}`;
      return { project, report: row.report, companyName: row.company, locale: query.locale ?? await profileLocale(tx) };
    });
    const bytes = await projectReportPdf({ ...document, generatedAt: new Date() });
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="project-${id.slice(0, 8)}-report.pdf"`,
      "cache-control": "no-store",
    });
  });

  app.patch("/:id", async (c) => {
    const { id } = parseParams(c, projectParams);
    const body = await parseJsonBody(c, updateProjectBody);
    const project = await c.var.asUser(async (tx) => {
      await visibleProject(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "handle_conversations", refusal);
      if (body.status !== undefined) requireCapability(c.var.tenant, "manage_inboxes", statusRefusal);
      const changes = body as Record<string, unknown>;
      const columns = givenColumns(changes);
      const [row] = await tx<{ project: Project }[]>`
        update public.projects p set (${columnList(tx, columns)}) =
          (select ${columnList(tx, columns)} from jsonb_populate_record(null::public.projects, ${tx.json(changes as never)}))
        where p.id = ${id} and p.tenant_id = ${c.var.tenant.id}
        returning to_jsonb(p) as project`;
      return row.project;
    });
    return c.json(project satisfies Project);
  });

  app.delete("/:id", async (c) => {
    const { id } = parseParams(c, projectParams);
    await c.var.asUser(async (tx) => {
      await visibleProject(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "handle_conversations", refusal);
      // A project that left draft: the database refuses (project_not_draft).
      await tx`delete from public.projects p where p.id = ${id} and p.tenant_id = ${c.var.tenant.id}`;
    });
    return c.body(null, 204);
  });

  app.post("/:id/launch", async (c) => {
    const { id } = parseParams(c, projectParams);
    const isCsv = /^text\/csv\s*(;|$)/i.test(c.req.header("content-type") ?? "");
    const selection = isCsv ? null : await parseJsonBody(c, launchSelection);
    const csv = isCsv ? readContactCsv(await c.req.text()) : null;
    const result = await c.var.asUser(async (tx) => {
      await visibleProject(tx, c.var.tenant.id, id);
      requireCapability(c.var.tenant, "manage_inboxes", launchRefusal);
      if (csv) return await launchToCsv(tx, c.var.tenant, id, csv);
      const [row] = await tx<{ result: LaunchResult }[]>`select public.launch_project(${id}, ${tx.json(selection as never)}) as result`;
      return row.result;
    });
    return c.json(result satisfies LaunchResult);
  });

  app.get("/:id/interviews", async (c) => {
    const { id } = parseParams(c, projectParams);
    const query = parseQuery(c, interviewListQuery);
    const after = decodeCursor(query.cursor, { created_at: "timestamp-or-null", id: "uuid" });
    const page = await c.var.asUser(async (tx) => {
      await visibleProject(tx, c.var.tenant.id, id);
      const rows = await tx<{ interview: Interview }[]>`
        select ${interviewColumns(tx)} as interview
        from public.interviews i join public.contacts ct on ct.id = i.contact_id
        where i.project_id = ${id} and i.tenant_id = ${c.var.tenant.id}
          and (${query.status ?? null}::public.interview_status is null or i.status = ${query.status ?? null}::public.interview_status)
          -- Sent as text: typed timestamptz, postgres.js would round the cursor to milliseconds.
          and (${after?.created_at ?? null}::text is null
               or (i.created_at, i.id) > (${after?.created_at ?? null}::text::timestamptz, ${after?.id ?? null}::uuid))
        order by i.created_at, i.id
        limit ${query.limit + 1}`;
      const items = rows.slice(0, query.limit).map((row) => row.interview);
      const last = items[items.length - 1];
      return { items, next_cursor: rows.length > query.limit ? encodeCursor({ created_at: last.created_at, id: last.id }) : null };
    });
    return c.json(page satisfies InterviewPage);
  });

  app.get("/:id/interviews.csv", async (c) => {
    const { id } = parseParams(c, projectParams);
    const body = await c.var.asUser(async (tx) => {
      const project = await visibleProject(tx, c.var.tenant.id, id);
      const rows = await tx<{ interview: Interview }[]>`
        select ${interviewColumns(tx)} as interview
        from public.interviews i join public.contacts ct on ct.id = i.contact_id
        where i.project_id = ${id} and i.tenant_id = ${c.var.tenant.id}
        order by i.created_at, i.id`;
      return interviewsCsv(project, rows.map((row) => row.interview));
    });
    return c.body(body, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="project-${id.slice(0, 8)}-interviews.csv"`,
      "cache-control": "no-store",
    });
  });

  return app;
}

const csvTimes = ["created_at", "invited_at", "started_at", "completed_at", "ended_at"] as const;

/**
 * The interviews as CSV (`_shared/csv.ts` quotes and guards against formulas), with a BOM so
 * spreadsheets read the accents as UTF-8. An answer's value as recorded: a number stays a number,
 * yes/no is true/false, a date YYYY-MM-DD, an option its text; a skipped or erased answer is empty.
 */
export function interviewsCsv(project: Pick<Project, "questions">, interviews: Interview[]): string {
  const questionIds = project.questions.map((question) => question.id);
  const header = ["interview_id", "contact_name", "contact_phone", "status", ...csvTimes, ...questionIds];
  const rows = interviews.map((interview) => [
    interview.id,
    interview.contact.name,
    interview.contact.phone,
    interview.status,
    ...csvTimes.map((name) => interview[name]),
    ...questionIds.map((questionId) => answerCell(interview.answers[questionId])),
  ]);
  return "\uFEFF" + csvLines([header, ...rows]);
}

function answerCell(answer: Interview["answers"][string] | undefined): string | number | boolean | null {
  if (!answer || answer.skipped) return null;
  const { value } = answer;
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

const refusal = "Only people who handle conversations can create and change projects (analysts read them).";
const statusRefusal = "Only the company's owners and admins activate, pause and complete projects: they send from the company's numbers.";
const launchRefusal = "Only the company's owners and admins launch projects: invitations go out from the company's numbers.";

async function visibleProject(tx: TransactionSql, tenantId: string, id: string): Promise<Project> {
  const [row] = await tx<{ project: Project }[]>`
    select to_jsonb(p) as project from public.projects p where p.id = ${id} and p.tenant_id = ${tenantId}`;
  if (!row) throw new ApiError(404, "project_not_found", "No project with this id in this company.");
  return row.project;
}

async function countProjects(tx: TransactionSql, tenantId: string, status: string | undefined): Promise<number> {
  const [row] = await tx<{ total: number }[]>`
    select count(*)::integer as total from public.projects p
    where p.tenant_id = ${tenantId} and (${status ?? null}::public.project_status is null or p.status = ${status ?? null}::public.project_status)`;
  return row.total;
}

/**
 * The CSV's contacts added to the company when new (a contact it has keeps its name and e-mail),
 * then the project launched to all of them, in the same transaction: a launch the database
 * refuses leaves no contact behind.
 */
async function launchToCsv(tx: TransactionSql, tenant: TenantContext, projectId: string, csv: ContactCsv): Promise<LaunchResult> {
  requireCapability(tenant, "handle_conversations", refusal);
  if (csv.contacts.length === 0) {
    throw new ApiError(422, "csv_no_contacts", "No row of the file names a contact Renum can invite.", {
      details: { rows: csv.rows, row_errors: csv.rowErrors },
    });
  }
  const rows = csv.contacts.map(({ phone, name, email }) => ({ phone, name, email }));
  const [created] = await tx<{ count: number }[]>`
    with added as (
      insert into public.contacts (tenant_id, phone, name, email)
      select ${tenant.id}, r.phone, r.name, r.email
      from jsonb_to_recordset(${tx.json(rows as never)}) as r (phone text, name text, email text)
      on conflict (tenant_id, phone) do nothing
      returning 1)
    select count(*)::integer as count from added`;
  const [row] = await tx<{ result: LaunchResult }[]>`
    select public.launch_project(${projectId}, jsonb_build_object('contact_ids', (
      select jsonb_agg(ct.id) from public.contacts ct
      where ct.tenant_id = ${tenant.id} and ct.phone = any (${csv.contacts.map((contact) => contact.phone)}::text[])))) as result`;
  return { ...row.result, csv: { rows: csv.rows, contacts_created: created.count, row_errors: csv.rowErrors } };
}
