// /projects/[id]: one project — its report (interviews per status, completion rate, answers per
// option, averages) as charts, its interviews a keyset page at a time (?status, ?cursor) with one
// opened (?interview=) to read its answers, launching (a selection by tags and filters, or a CSV
// file sent to the API as text/csv, its rows not used reported one by one), status changes,
// cancelling and resending interviews, deleting a draft, and the CSV export (./interviews.csv).
// Members read; the API decides who changes what (403 answers are shown as they come). Another
// company's project, or a deleted one, is 404.
import { error, fail, redirect } from "@sveltejs/kit";
import {
  interview as interviewSchema,
  interviewPage,
  interviewStatus,
  launchResult,
  project as projectSchema,
  projectReport,
  projectStatus,
  type Interview,
} from "$schemas/projects.ts";
import { ApiFailure, createApi, formFailure, pageError } from "$lib/server/api";
import { optionalText, text, typedValues } from "$lib/server/forms";
import { isUuid, projectPath } from "$lib/server/project-form";
import { notice } from "$lib/notice";
import { launchSelectionBody } from "$lib/projects";
import type { Actions, PageServerLoad } from "./$types";

const interviewsPerPage = 25;
/** The API reads at most 3 MB; 10,000 contacts (the most a launch takes) are far less than 2 MB. */
const maxCsvBytes = 2_000_000;

export const load: PageServerLoad = async (event) => {
  const path = projectPath(event.params.id);
  const api = createApi(event);
  const params = event.url.searchParams;
  const status = interviewStatus.safeParse(params.get("status")).data ?? "";
  const cursor = (params.get("cursor") ?? "").slice(0, 200);
  const openedId = params.get("interview");
  try {
    const [project, report, interviews] = await Promise.all([
      api.get(path, projectSchema),
      api.get(`${path}/report`, projectReport),
      api.get(`${path}/interviews`, interviewPage, { status: status || null, cursor: cursor || null, limit: interviewsPerPage }),
    ]);
    let opened: Interview | null = null;
    if (isUuid(openedId)) {
      opened = await api.get(`/interviews/${openedId}`, interviewSchema).catch((cause) => {
        if (cause instanceof ApiFailure && cause.status === 404) return null;
        throw cause;
      });
      if (opened && opened.project_id !== project.id) opened = null;
    }
    return { project, report, interviews, opened, filters: { status, cursor } };
  } catch (cause) {
    pageError(cause);
  }
};

function interviewPath(data: FormData): string {
  const id = optionalText(data, "interview_id");
  if (!isUuid(id)) error(404, { message: "Interview not found.", code: "interview_not_found" });
  return `/interviews/${id}`;
}

export const actions: Actions = {
  delete: async (event) => {
    const path = projectPath(event.params.id);
    try {
      await createApi(event).delete(path);
    } catch (cause) {
      return formFailure(cause, {}, "delete");
    }
    redirect(303, "/projects");
  },

  status: async (event) => {
    const path = projectPath(event.params.id);
    const status = projectStatus.safeParse(text(await event.request.formData(), "status")).data;
    if (!status) error(400, { message: "Unknown status.", code: "bad_request" });
    try {
      await createApi(event).patch(path, projectSchema, { status });
      return notice("projects.actions.statusChanged", { status: `projects.statuses.${status}` }, "success", ["status"]);
    } catch (cause) {
      return formFailure(cause, {}, "status");
    }
  },

  launch: async (event) => {
    const path = projectPath(event.params.id);
    const values = typedValues(await event.request.formData());
    try {
      const launched = await createApi(event).post(`${path}/launch`, launchResult, launchSelectionBody(values));
      return { launched };
    } catch (cause) {
      return formFailure(cause, values, "launch");
    }
  },

  // The file goes to the API as it is (text/csv): the API reads it, adds new contacts and
  // reports the rows it did not use; a file with no usable row answers csv_no_contacts with them.
  launchCsv: async (event) => {
    const path = projectPath(event.params.id);
    const file = (await event.request.formData()).get("file");
    if (!(file instanceof File) || file.size === 0) {
      return formFailure(new ApiFailure(422, "validation_failed", "Choose a CSV file.", [{ path: "file", message: "Choose a CSV file." }]), {}, "launchCsv");
    }
    if (file.size > maxCsvBytes) return formFailure(new ApiFailure(413, "csv_too_many_rows", "A file takes at most 10,000 contacts: split it."), {}, "launchCsv");
    try {
      const launched = await createApi(event).postText(`${path}/launch`, launchResult, await file.text(), "text/csv; charset=utf-8");
      return { launched };
    } catch (cause) {
      if (cause instanceof ApiFailure && cause.code === "csv_no_contacts") {
        const details = (cause.details ?? {}) as { rows?: number; row_errors?: unknown };
        const rowErrors = launchResult.shape.csv.unwrap().shape.row_errors.safeParse(details.row_errors).data ?? [];
        return fail(422, { message: cause.message, code: cause.code, fields: {}, values: {}, form: "launchCsv", rowErrors });
      }
      return formFailure(cause, {}, "launchCsv");
    }
  },

  cancelInterview: async (event) => {
    projectPath(event.params.id);
    const data = await event.request.formData();
    try {
      await createApi(event).post(`${interviewPath(data)}/cancel`, interviewSchema, { reason: text(data, "reason") ?? "" });
      return notice("projects.interviews.cancelled");
    } catch (cause) {
      return formFailure(cause, typedValues(data), "cancelInterview");
    }
  },

  resendInterview: async (event) => {
    projectPath(event.params.id);
    const data = await event.request.formData();
    try {
      await createApi(event).post(`${interviewPath(data)}/resend`, interviewSchema);
      return notice("projects.interviews.resent");
    } catch (cause) {
      return formFailure(cause, {}, "resendInterview");
    }
  },
};
