// /executions/[id]: the live monitor of one run. The page loads a snapshot (status, result and the
// event log from the start); the browser then follows `execution:<id>` on Realtime and fills any
// gap from ./events. Stop cancels the run. Another company's run answers 404.
import { executionLogPage, executionResult, executionStatusResponse } from "$schemas/executions.ts";
import { createApi, formFailure, pageError } from "$lib/server/api";
import { executionPath } from "$lib/server/executions";
import { notice } from "$lib/notice";
import type { Actions, PageServerLoad } from "./$types";

/** How many events of the log the page starts with (the rest arrive live or through ./events). */
const initialLogLimit = 1000;

export const load: PageServerLoad = async (event) => {
  const path = executionPath(event.params.id);
  const api = createApi(event);
  try {
    // Status first: the log read after it has at least every event the status reflects.
    const status = await api.get(`${path}/status`, executionStatusResponse);
    const [result, log] = await Promise.all([
      api.get(`${path}/result`, executionResult),
      api.get(`${path}/logs`, executionLogPage, { after_seq: 0, limit: initialLogLimit }),
    ]);
    return { status, result, log: log.items };
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
