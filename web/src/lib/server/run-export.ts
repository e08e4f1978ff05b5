// A run exported whole (#18): its prompt and variables, the answer, each agent's part (output,
// tokens, cost, time) and the event log — as JSON (the API's own shapes, for machines) or as
// Markdown in the person's language (for people: pasted into a document, printed as a PDF).
import type { ExecutionEvent, ExecutionResult, ExecutionStatusResponse } from "$schemas/executions.ts";
import { formatStepTime } from "$lib/executions/elapsed";
import { agentNames, eventText } from "$lib/executions/event-words";
import { skipReasonText, stepErrorText, runErrorText } from "$lib/executions/run-errors";
import { runTeamLabel } from "$lib/executions/team-label";
import type { Translate } from "$lib/i18n/api-messages";
import { formatCost, formatDateTime, formatNumber } from "$lib/i18n/format";
import type { Locale } from "$lib/i18n/locales";

export interface RunRecord {
  status: ExecutionStatusResponse;
  result: ExecutionResult;
  events: ExecutionEvent[];
}

export function runJson(run: RunRecord, exportedAt: Date): string {
  return JSON.stringify({ exported_at: exportedAt.toISOString(), execution: run.status, result: run.result, events: run.events }, null, 2);
}

/** Text inside a Markdown table cell: one line, its pipes kept as text. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** A person's text as a Markdown quote, line by line, so nothing in it becomes a heading of the export. */
function quoted(text: string): string {
  return text.split(/\r?\n/).map((line) => `> ${line}`).join("\n");
}

export function runMarkdown(run: RunRecord, t: Translate, locale: Locale, exportedAt: Date): string {
  const { status, result, events } = run;
  const money = (amount: number) => formatCost(amount, locale);
  const number = (value: number) => formatNumber(value, locale);
  const lines: string[] = [];
  lines.push(`# ${t("executions.monitor.title", { values: { team: runTeamLabel(status, t) } })}`, "");
  lines.push(`- **${t("executions.export.status")}:** ${t(`executions.statuses.${status.status}`)}`);
  lines.push(`- **${t("executions.export.created")}:** ${formatDateTime(status.created_at, locale)}`);
  if (status.finished_at) lines.push(`- **${t("executions.export.finished")}:** ${formatDateTime(status.finished_at, locale)}`);
  lines.push(`- **${t("executions.export.totalCost")}:** ${money(result.cost.total_usd)}`);
  lines.push(`- **${t("executions.export.tokens")}:** ${number(result.usage.total_tokens)}`);
  if (status.error_message) lines.push(`- **${t("executions.export.error")}:** ${runErrorText(status.error_message, t)}`);

  lines.push("", `## ${t("executions.export.prompt")}`, "", quoted(status.initial_prompt));
  const variables = Object.entries(status.variables);
  if (variables.length > 0) {
    lines.push("", `## ${t("executions.export.variables")}`, "");
    for (const [name, value] of variables) lines.push(`- \`${name}\`: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }

  lines.push("", `## ${t("executions.export.result")}`, "", result.final_result?.summary ?? t("executions.export.noResult"));

  lines.push("", `## ${t("executions.export.agents")}`);
  const outputs = new Map((result.final_result?.details ?? []).map((detail) => [detail.agent_id, detail.output]));
  for (const agent of status.agents) {
    const time = agent.started_at && agent.finished_at ? formatStepTime(Date.parse(agent.finished_at) - Date.parse(agent.started_at), true) : "—";
    lines.push("", `### ${agent.position}. ${agent.name} · ${t(`executions.stepStatuses.${agent.status}`)}`, "");
    lines.push(
      t("executions.export.agentFigures", {
        values: { input: number(agent.input_tokens), output: number(agent.output_tokens), cost: money(agent.cost_usd), time },
      }),
    );
    const said = agent.skip_reason
      ? skipReasonText(agent.skip_reason, t)
      : agent.error
        ? stepErrorText(agent.error, t)
        : outputs.get(agent.agent_id);
    if (said) lines.push("", said);
  }

  lines.push("", `## ${t("executions.export.log")}`, "");
  lines.push(`| # | ${t("executions.export.when")} | ${t("executions.export.event")} |`, "|---|---|---|");
  const names = agentNames(status.agents);
  for (const event of events) lines.push(`| ${event.seq} | ${formatDateTime(event.created_at, locale)} | ${cell(eventText(event, names, t))} |`);

  lines.push("", `_${t("executions.export.exported", { values: { when: formatDateTime(exportedAt, locale) } })}_`, "");
  return lines.join("\n");
}
