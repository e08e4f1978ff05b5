// GET /projects/[id]/interviews.csv: the project's interviews as the API exports them (one row per
// interview, one column per question; GET /projects/:id/interviews.csv), passed on to the browser
// as a download. Read with the session: another company's project is the same 404.
import { error } from "@sveltejs/kit";
import { ApiFailure, createApi } from "$lib/server/api";
import { projectPath } from "$lib/server/project-form";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = async (event) => {
  const path = projectPath(event.params.id);
  let answer: Response;
  try {
    answer = await createApi(event).download(`${path}/interviews.csv`, "text/csv");
  } catch (cause) {
    if (cause instanceof ApiFailure) error(cause.status as Parameters<typeof error>[0], { message: cause.message, code: cause.code });
    throw cause;
  }
  return new Response(answer.body, {
    headers: {
      "content-type": answer.headers.get("content-type") ?? "text/csv; charset=utf-8",
      "content-disposition": answer.headers.get("content-disposition") ?? `attachment; filename="project-interviews.csv"`,
      "cache-control": "no-store",
    },
  });
};
