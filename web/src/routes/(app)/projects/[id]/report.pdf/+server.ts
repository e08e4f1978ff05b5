// GET /projects/[id]/report.pdf: the project's report as the API writes it as a PDF (GET
// /projects/:id/report.pdf), in the page's language, passed on to the browser as a download. Read
// with the session: another company's project is the same 404.
import { error } from "@sveltejs/kit";
import { ApiFailure, createApi } from "$lib/server/api";
import { projectPath } from "$lib/server/project-form";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = async (event) => {
  const path = projectPath(event.params.id);
  let answer: Response;
  try {
    answer = await createApi(event).download(`${path}/report.pdf`, "application/pdf", { locale: event.locals.locale });
  } catch (cause) {
    if (cause instanceof ApiFailure) error(cause.status as Parameters<typeof error>[0], { message: cause.message, code: cause.code });
    throw cause;
  }
  return new Response(answer.body, {
    headers: {
      "content-type": "application/pdf",
      "content-disposition": answer.headers.get("content-disposition") ?? `attachment; filename="project-report.pdf"`,
      "cache-control": "no-store",
    },
  });
};
