// /executions/[id]: the live monitor of one run. The page loads a snapshot (status, result, the
// newest events of the log and the agents' outputs so far); the browser then follows
// `execution:<id>` on Realtime, fills any gap from ./events and reads earlier events from there when
// asked. Stop cancels the run, or says how it had already ended. Approve (as written or edited)
// and Reject (with a reason) decide an agent's output waiting for approval; one decided meanwhile by
// someone else answers 409 in words. Another company's run answers 404;
// when it is one of the person's other companies, the 404 page offers to switch to it.
import { error, fail } from "@sveltejs/kit";
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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The step a decision names, or a 400 failure when the form sent none. */
function stepOf(data: FormData): string | null {
  const step = data.get("step_id");
  return typeof step === "string" && uuidPattern.test(step) ? step.toLowerCase() : null;
}

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
  approve: async (event) => {
    const path = executionPath(event.params.id);
    const data = await event.request.formData();
    const step = stepOf(data);
    if (!step) return fail(400, { message: "The form did not name the step.", code: "bad_request", fields: {}, values: {}, form: "approval" });
    const output = data.get("edited") === "1" ? String(data.get("output") ?? "") : null;
    try {
      await createApi(event).post(`${path}/steps/${step}/approve`, executionStatusResponse, output === null ? undefined : { output });
      return notice("executions.approval.approvedNotice");
    } catch (cause) {
      return formFailure(cause, { step_id: step, ...(output === null ? {} : { output }) }, "approval");
    }
  },
  reject: async (event) => {
    const path = executionPath(event.params.id);
    const data = await event.request.formData();
    const step = stepOf(data);
    if (!step) return fail(400, { message: "The form did not name the step.", code: "bad_request", fields: {}, values: {}, form: "approval" });
    const reason = String(data.get("reason") ?? "");
    try {
      await createApi(event).post(`${path}/steps/${step}/reject`, executionStatusResponse, { reason });
      return notice("executions.approval.rejectedNotice");
    } catch (cause) {
      return formFailure(cause, { step_id: step, reason }, "approval");
    }
  },
};
