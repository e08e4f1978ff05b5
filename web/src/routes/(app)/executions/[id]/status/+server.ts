// GET /executions/[id]/status: where a run stands (status, team, progress, cost), asked of the API
// with the session; the app's toasts for runs started in this tab check it when they (re)join
// the run's channel, in case the run finished while no broadcast could reach them.
import { json } from "@sveltejs/kit";
import { executionStatusResponse } from "$schemas/executions.ts";
import { ApiFailure, createApi } from "$lib/server/api";
import { executionPath } from "$lib/server/executions";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = async (event) => {
  const path = executionPath(event.params.id);
  try {
    const status = await createApi(event).get(`${path}/status`, executionStatusResponse);
    return json(status, { headers: { "cache-control": "no-store" } });
  } catch (cause) {
    if (cause instanceof ApiFailure) return json({ error: { code: cause.code, message: cause.message } }, { status: cause.status });
    throw cause;
  }
};
