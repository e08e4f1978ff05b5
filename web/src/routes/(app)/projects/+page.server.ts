// /projects: the company's projects, newest first, a page at a time (?status filters), each with
// its status and how many interviews it has and completed. Members read; those who handle
// conversations create one (/projects/new).
import { projectPage, projectStatus } from "$schemas/projects.ts";
import { createApi, pageError } from "$lib/server/api";
import type { PageServerLoad } from "./$types";

const pageSize = 20;

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const status = projectStatus.safeParse(params.get("status")).data ?? "";
  const page = Math.min(Math.max(1, Math.trunc(Number(params.get("page")) || 1)), 100_000);
  try {
    const projects = await createApi(event).get("/projects", projectPage, { status: status || null, page, limit: pageSize });
    return { projects, status };
  } catch (cause) {
    pageError(cause);
  }
};
