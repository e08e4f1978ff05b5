// /executions/[id]: the live monitor of one run. The page loads a snapshot (status, result, the
// newest events of the log and the agents' outputs so far); the browser then follows
// `execution:<id>` on Realtime, fills any gap from ./events and reads earlier events from there when
// asked. Stop cancels the run, or says how it had already ended. Another company's run answers 404;
// when it is one of the person's other companies, the 404 page offers to switch to it.
import { error } from "@sveltejs/kit";
import { executionResult, executionStatusResponse } from "$schemas/executions.ts";
import { ApiFailure, createApi, formFailure, pageError } from "$lib/server/api";
import { companyHolding } from "$lib/server/elsewhere";
import { readMonitorLog } from "$lib/server/execution-log";
import { executionPath } from "$lib/server/executions";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

export const load: PageServerLoad = async (event) => {
  const path = executionPath(event.params.id);
  const api = createApi(event);
  try {
    // Status first: the log read after it has at least every event the status reflects.
    const status = await api.get(`${path}/status`, executionStatusResponse);
    const [result, { log, outputs }] = await Promise.all([api.get(`${path}/result`, executionResult), readMonitorLog(api, path, status)]);
    return { status, result, log, outputs };
  } catch (cause) {
    if (cause instanceof ApiFailure && cause.status === 404) {
      const elsewhere = await companyHolding(event, `${path}/status`, executionStatusResponse);
      if (elsewhere) error(404, { message: cause.message, code: cause.code, elsewhere });
    }
    pageError(cause);
  }
};

const endedStatuses = new Set(["completed", "failed", "cancelled"]);

function alreadyEnded(status: string) {
  return notice("executions.monitor.alreadyEnded", { status: `executions.statuses.${status}` }, "error", ["status"]);
}

export const actions: Actions = {
  stop: async (event) => {
    const path = executionPath(event.params.id);
    try {
      const api = createApi(event);
      // A run that had ended (on its own, or stopped by someone else) is answered as it is: the
      // person learns how it ended rather than that it was stopped.
      const before = await api.get(`${path}/status`, executionStatusResponse);
      if (endedStatuses.has(before.status)) {
        return { ...alreadyEnded(before.status), stoppedStatus: before.status };
      }
      const status = await api.post(`${path}/stop`, executionStatusResponse);
      const words = status.status === "cancelled" ? notice("executions.monitor.stopped") : alreadyEnded(status.status);
      return { ...words, stoppedStatus: status.status };
    } catch (cause) {
      return formFailure(cause, {}, "stop");
    }
  },
};
