// GET /executions/[id]/events?after_seq=N: the run's events after N, for the live monitor to fill a
// gap after (re)subscribing. The browser never reads tables: this asks the API with the session.
import { error, json } from "@sveltejs/kit";
import { executionLogPage } from "$schemas/executions.ts";
import { ApiFailure, createApi } from "$lib/server/api";
import { executionPath } from "$lib/server/executions";
import type { RequestHandler } from "./$types";

export const GET: RequestHandler = async (event) => {
  const path = executionPath(event.params.id);
  const afterSeq = Number.parseInt(event.url.searchParams.get("after_seq") ?? "0", 10);
  if (!Number.isInteger(afterSeq) || afterSeq < 0) error(400, { message: "after_seq must be a whole number.", code: "bad_request" });
  try {
    const page = await createApi(event).get(`${path}/logs`, executionLogPage, { after_seq: afterSeq, limit: 1000 });
    return json(page, { headers: { "cache-control": "no-store" } });
  } catch (cause) {
    if (cause instanceof ApiFailure) return json({ error: { code: cause.code, message: cause.message } }, { status: cause.status });
    throw cause;
  }
};
