// Reading a run's event log from the API for the live monitor. The API answers at most 1000
// events a call, after a seq; a run's events are numbered 1, 2, 3… without holes, so a range of
// seqs is one call and "the events before seq N" is a range too.
import { executionLogPage, type ExecutionEvent, type ExecutionLogPage, type ExecutionStatusResponse } from "$schemas/executions.ts";
import { finishedStatuses, outputsOf, timelinePageSize } from "$lib/executions/monitor-state";
import type { Api } from "./api";

/** The most events the API answers in one call. */
export const logPageLimit = 1000;

/** One page of the log: the events after `afterSeq` (or, with `beforeSeq`, the `limit` events just before it). */
export function readLogPage(api: Api, path: string, range: { afterSeq: number; limit?: number } | { beforeSeq: number; limit?: number }): Promise<ExecutionLogPage> {
  const limit = Math.min(Math.max(range.limit ?? logPageLimit, 1), logPageLimit);
  if ("beforeSeq" in range) {
    const afterSeq = Math.max(0, range.beforeSeq - 1 - limit);
    return api.get(`${path}/logs`, executionLogPage, { after_seq: afterSeq, limit: Math.max(1, range.beforeSeq - 1 - afterSeq) });
  }
  return api.get(`${path}/logs`, executionLogPage, { after_seq: range.afterSeq, limit });
}

/**
 * What the monitor starts with: the newest events of the log (the timeline's first page, and any
 * that came after the status), and, while the run is going, every agent's output so far, which
 * only the log has then (a finished run's result has them all). Read after the status.
 */
export async function readMonitorLog(api: Api, path: string, status: ExecutionStatusResponse): Promise<{ log: ExecutionEvent[]; outputs: Record<string, string> }> {
  const windowStart = Math.max(0, status.last_event_seq - timelinePageSize);
  const finished = finishedStatuses.includes(status.status);
  let afterSeq = finished ? windowStart : 0;
  let outputs: Record<string, string> = {};
  const log: ExecutionEvent[] = [];
  for (;;) {
    const page = await readLogPage(api, path, { afterSeq });
    if (!finished) outputs = { ...outputs, ...outputsOf(page.items) };
    log.push(...page.items.filter((event) => event.seq > windowStart));
    if (page.items.length < page.limit || page.items.length === 0) break;
    afterSeq = page.items[page.items.length - 1].seq;
  }
  return { log, outputs };
}
