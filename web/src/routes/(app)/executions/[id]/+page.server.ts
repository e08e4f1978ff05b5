// /executions/[id]: the live monitor of one run. The page loads a snapshot (status, result, the
// newest events of the log and the agents' outputs so far); the browser then follows
// `execution:<id>` on Realtime, fills any gap from ./events and reads earlier events from there when
// asked. Stop cancels the run. Another company's run answers 404.
import { executionResult, executionStatusResponse } from "$schemas/executions.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
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
    pageError(cause);
  }
};

export const actions: Actions = {
  stop: async (event) => {
    const path = executionPath(event.params.id);
    try {
      const status = await createApi(event).post(`${path}/stop`, executionStatusResponse);
      return { ...notice("executions.monitor.stopped"), stoppedStatus: status.status };
    } catch (cause) {
      return formFailure(cause, {}, "stop");
    }
  },
};
