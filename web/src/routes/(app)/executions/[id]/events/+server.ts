// GET /executions/[id]/events: the run's events for the live monitor, asked of the API with the
// session (the browser never reads tables). `?after_seq=N` answers those after N (to fill a gap
// after (re)subscribing; up to 1000, `total` says how many there are); `?before_seq=N&limit=L` the
// L events just before N (earlier events of a long log, when the person asks to see them).
import { error, json } from "@sveltejs/kit";
import { ApiFailure, createApi } from "$lib/server/api";
import { readLogPage } from "$lib/server/execution-log";
import { executionPath } from "$lib/server/executions";
import type { RequestHandler } from "./$types";

function wholeNumber(url: URL, name: string): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) error(400, { message: `${name} must be a whole number.`, code: "bad_request" });
  return value;
}

export const GET: RequestHandler = async (event) => {
  const path = executionPath(event.params.id);
  const beforeSeq = wholeNumber(event.url, "before_seq");
  const limit = wholeNumber(event.url, "limit");
  const range = beforeSeq !== undefined ? { beforeSeq, limit } : { afterSeq: wholeNumber(event.url, "after_seq") ?? 0, limit };
  try {
    const page = await readLogPage(createApi(event), path, range);
    return json(page, { headers: { "cache-control": "no-store" } });
  } catch (cause) {
    if (cause instanceof ApiFailure) return json({ error: { code: cause.code, message: cause.message } }, { status: cause.status });
    throw cause;
  }
};
