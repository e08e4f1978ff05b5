// The project pages' loads, actions and CSV download against the running stack: the script
// editor's refusals land on the question's own fields, a created project is listed with its
// counts, a CSV file with no usable row comes back with its rows' errors, the CSV export and the
// PDF report are passed on as downloads, and another company's project is 404 everywhere.
import { beforeAll, describe, expect, it } from "vitest";
import { expectHttpError, expectRedirect, requestEvent, signUp, type Person } from "../../../tests/stack";
import { actions as newTenant } from "../tenants/new/+page.server";
import { load as listLoad } from "./+page.server";
import { actions as detailActions, load as detailLoad } from "./[id]/+page.server";
import { GET as exportCsv } from "./[id]/interviews.csv/+server";
import { GET as exportPdf } from "./[id]/report.pdf/+server";
import { actions as newActions } from "./new/+page.server";

let owner: Person;
let stranger: Person;
let projectId = "";

async function company(person: Person, name: string) {
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name, slug: `${name.toLowerCase().replace(/\W+/g, "-")}-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
}

const script = {
  question_count: "2",
  q0_id: "nota", q0_text: "De 1 a 5?", q0_type: "scale_1_5", q0_required: "on",
  q1_id: "canal", q1_text: "Como nos conheceu?", q1_type: "one_of", q1_options: "Instagram",
};

beforeAll(async () => {
  [owner, stranger] = await Promise.all([signUp("projects-owner"), signUp("projects-stranger")]);
  await company(owner, "Projetos");
  await company(stranger, "Alheia");
});

describe("the project pages", () => {
  it("put the script's refusals on the question's own field, then create the draft", async () => {
    const refused = await newActions.default((await requestEvent(owner.jar, { path: "/projects/new", method: "POST", form: { name: "Pós-venda", ...script } })) as never);
    expect(refused).toMatchObject({ status: 422, data: { form: "project", fields: { q1_options: "Give at least 2 options." }, values: { q0_id: "nota" } } });
    const location = await expectRedirect(async () =>
      newActions.default((await requestEvent(owner.jar, { path: "/projects/new", method: "POST", form: { name: "Pós-venda", ...script, q1_options: "Instagram\nGoogle" } })) as never),
    );
    projectId = location.split("/").pop() ?? "";
    expect(location).toMatch(/^\/projects\/[0-9a-f-]{36}$/);
    const list = (await listLoad((await requestEvent(owner.jar, { path: "/projects" })) as never)) as { projects: { items: { id: string; interview_count: number }[] } };
    expect(list.projects.items).toEqual([expect.objectContaining({ id: projectId, interview_count: 0, completed_count: 0 })]);
  });

  it("send a CSV file to the API as it is, and show its rows' errors when none could be used", async () => {
    const event = await requestEvent(owner.jar, { path: `/projects/${projectId}`, method: "POST", params: { id: projectId } });
    const form = new FormData();
    form.append("file", new File(["telefone;nome\n12345;Ruim\n;Sem telefone\n"], "ruim.csv", { type: "text/csv" }));
    (event as { request: Request }).request = new Request(event.url, { method: "POST", body: form });
    const answer = await detailActions.launchCsv(event as never);
    expect(answer).toMatchObject({ status: 422, data: { code: "csv_no_contacts", form: "launchCsv", rowErrors: [expect.objectContaining({ row: 2, code: "invalid_phone" }), expect.objectContaining({ row: 3 })] } });
  });

  it("pass the export on as a download", async () => {
    const answer = await exportCsv((await requestEvent(owner.jar, { path: `/projects/${projectId}/interviews.csv`, params: { id: projectId } })) as never);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toMatch(/^attachment; filename="project-/);
    expect((await answer.text()).trim()).toBe("interview_id,contact_name,contact_phone,status,created_at,invited_at,started_at,completed_at,ended_at,nota,canal");
  });

  it("pass the PDF report on as a download", async () => {
    const answer = await exportPdf((await requestEvent(owner.jar, { path: `/projects/${projectId}/report.pdf`, params: { id: projectId } })) as never);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/pdf");
    expect(answer.headers.get("content-disposition")).toMatch(/^attachment; filename="project-[0-9a-f]{8}-report\.pdf"$/);
    expect(new TextDecoder().decode(new Uint8Array(await answer.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
  });

  it("answer 404 for another company's project, its export, and an address that is not an id", async () => {
    const foreign = await expectHttpError(async () => detailLoad((await requestEvent(stranger.jar, { path: `/projects/${projectId}`, params: { id: projectId } })) as never));
    expect(foreign.status).toBe(404);
    const exported = await expectHttpError(async () => exportCsv((await requestEvent(stranger.jar, { path: `/projects/${projectId}/interviews.csv`, params: { id: projectId } })) as never));
    expect(exported).toMatchObject({ status: 404, body: { code: "project_not_found" } });
    const report = await expectHttpError(async () => exportPdf((await requestEvent(stranger.jar, { path: `/projects/${projectId}/report.pdf`, params: { id: projectId } })) as never));
    expect(report).toMatchObject({ status: 404, body: { code: "project_not_found" } });
    expect((await expectHttpError(async () => detailLoad((await requestEvent(owner.jar, { path: "/projects/nope", params: { id: "nope" } })) as never))).status).toBe(404);
  });
});
