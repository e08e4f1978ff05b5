// GET /projects/[id]/interviews.csv: the project's interviews as the API exports them (one row per
// interview, one column per question; GET /projects/:id/interviews.csv), passed on to the browser
// as a download. Read with the session: another company's project is the same 404.
import { apiDownload } from "$lib/server/api-download";
import { projectPath } from "$lib/server/project-form";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = (event) =>
  apiDownload(event, `${projectPath(event.params.id)}/interviews.csv`, "text/csv", "project-interviews.csv");
