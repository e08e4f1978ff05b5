// GET /projects/[id]/report.pdf: the project's report as the API writes it as a PDF (GET
// /projects/:id/report.pdf), in the page's language, passed on to the browser as a download. Read
// with the session: another company's project is the same 404.
import { apiDownload } from "$lib/server/api-download";
import { projectPath } from "$lib/server/project-form";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = (event) =>
  apiDownload(event, `${projectPath(event.params.id)}/report.pdf`, "application/pdf", "project-report.pdf", { locale: event.locals.locale });
