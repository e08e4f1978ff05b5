// /teams: the company's teams, searched by name, a page at a time.
import { teamPage } from "$schemas/teams.ts";
import { createApi, pageError } from "$lib/server/api";
import type { PageServerLoad } from "./$types";

const pageSize = 20;

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const search = params.get("search")?.trim().slice(0, 200) || "";
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  try {
    const teams = await createApi(event).get("/teams", teamPage, { page, limit: pageSize, search });
    return { teams, search };
  } catch (cause) {
    pageError(cause);
  }
};
