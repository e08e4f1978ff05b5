// GET /executions/[id]/export?format=md|json|pdf: the whole run as a file to download — Markdown in
// the person's language, or JSON in the API's shapes (lib/server/run-export.ts), or the PDF the API
// writes in the person's language (GET /executions/:id/export.pdf), passed on as it comes. Read with
// the session like the monitor: another company's run is the same 404.
import { error } from "@sveltejs/kit";
import { executionResult, executionStatusResponse, type ExecutionEvent } from "$schemas/executions.ts";
import { ApiFailure, createApi } from "$lib/server/api";
import { apiDownload } from "$lib/server/api-download";
import { readLogPage } from "$lib/server/execution-log";
import { executionPath } from "$lib/server/executions";
import { runJson, runMarkdown } from "$lib/server/run-export";
import { translator } from "$lib/server/translator";
import type { RequestHandler } from "./$types";

/** At most this many events go into an export (1000 a page): a runaway log stays a file people can open. */
const maxLogPages = 20;

const formats = {
  md: { type: "text/markdown; charset=utf-8", extension: "md" },
  json: { type: "application/json; charset=utf-8", extension: "json" },
} as const;

export const GET: RequestHandler = async (event) => {
  const path = executionPath(event.params.id);
  const format = event.url.searchParams.get("format") ?? "md";
  if (format !== "md" && format !== "json" && format !== "pdf") error(400, { message: "format must be md, json or pdf.", code: "bad_request" });
  const api = createApi(event);
  if (format === "pdf") return await apiDownload(event, `${path}/export.pdf`, "application/pdf", "renum-run.pdf", { locale: event.locals.locale });
  let record;
  try {
    const status = await api.get(`${path}/status`, executionStatusResponse);
    const result = await api.get(`${path}/result`, executionResult);
    const events: ExecutionEvent[] = [];
    for (let page = 0, afterSeq = 0; page < maxLogPages; page++) {
      const read = await readLogPage(api, path, { afterSeq });
      events.push(...read.items);
      if (read.items.length < read.limit || read.items.length === 0) break;
      afterSeq = read.items[read.items.length - 1].seq;
    }
    record = { status, result, events };
  } catch (cause) {
    if (cause instanceof ApiFailure) error(cause.status as Parameters<typeof error>[0], { message: cause.message, code: cause.code });
    throw cause;
  }
  const now = new Date();
  const locale = event.locals.locale;
  const body = format === "json" ? runJson(record, now) : runMarkdown(record, await translator(locale), locale, now);
  const { type, extension } = formats[format];
  return new Response(body, {
    headers: {
      "content-type": type,
      "content-disposition": `attachment; filename="renum-run-${record.status.execution_id.slice(0, 8)}.${extension}"`,
      "cache-control": "no-store",
    },
  });
};
