// One event of a run's log in words, in the page's language: the live monitor's timeline and a
// run's Markdown export say the same thing about it.
import type { Translate } from "$lib/i18n/api-messages";
import { stepErrorText } from "./run-errors";

export interface LoggedEvent {
  event: string;
  step_id: string | null;
  payload: Record<string, unknown>;
}

/** Agent names by step id and by agent id, from a run's agents. */
export function agentNames(agents: { step_id: string; agent_id: string; name: string }[]): Map<string, string> {
  return new Map(agents.flatMap((agent) => [[agent.step_id, agent.name] as const, [agent.agent_id, agent.name] as const]));
}

export function eventText(event: LoggedEvent, names: Map<string, string>, t: Translate): string {
  const payload = event.payload;
  const agent = () =>
    (event.step_id ? names.get(event.step_id) : undefined) ??
    (typeof payload.agent_id === "string" ? names.get(payload.agent_id) : undefined) ??
    t("executions.events.unknownAgent");
  switch (event.event) {
    case "status_update":
      return t("executions.events.status_update", { values: { status: t(`executions.statuses.${String(payload.status)}`) } });
    case "agent_status_update":
      return t("executions.events.agent_status_update", { values: { agent: agent(), status: t(`executions.stepStatuses.${String(payload.status)}`) } });
    case "progress_update":
      return t("executions.events.progress_update", { values: { finished: Number(payload.finished_steps ?? 0), total: Number(payload.total_steps ?? 0) } });
    case "result_update":
      return payload.final_result ? t("executions.events.final_result") : t("executions.events.result_update", { values: { agent: agent() } });
    case "error_update":
      return t("executions.events.error_update", { values: { agent: agent(), message: stepErrorText(String(payload.message ?? ""), t) } });
    case "tool_call":
      return t(payload.status === "failed" ? "executions.events.tool_call_failed" : "executions.events.tool_call", {
        values: { agent: agent(), tool: String(payload.tool ?? ""), ms: Number(payload.duration_ms ?? 0) },
      });
    default:
      return typeof payload.message === "string" ? t("executions.events.log_message", { values: { message: payload.message } }) : t("executions.events.log");
  }
}
