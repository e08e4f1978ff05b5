/**
 * GET /executions/:id/export.pdf: a run as a document (#18), beside the web app's Markdown and
 * JSON exports — status, times, total cost and tokens, the prompt and variables, the result, then
 * each agent's part: status, tokens, cost, time and what it wrote (or why it was skipped, or its
 * error as the engine wrote it). The event log stays in the Markdown and JSON exports.
 */
import { PdfReport } from "../../_shared/pdf.ts";
import type { ExecutionResult, ExecutionStatusResponse } from "../../_shared/schemas/executions.ts";
import { formatCost, formatDateTime, formatDuration, formatNumber, type PdfLocale, pdfWords } from "./pdf-words.ts";

export interface RunDocument {
  companyName: string;
  status: ExecutionStatusResponse;
  result: ExecutionResult;
  locale: PdfLocale;
  generatedAt: Date;
}

export async function runPdf({ companyName, status, result, locale, generatedAt }: RunDocument): Promise<Uint8Array> {
  const w = pdfWords(locale);
  const money = (amount: number) => formatCost(amount, locale);
  const number = (value: number) => formatNumber(value, locale);
  const teamName = status.team_name || w.unnamedTeam;
  const team = status.team_id === null ? w.teamDeleted(teamName) : teamName;
  const pdf = await PdfReport.create({
    title: w.run(team),
    owner: `${companyName} · ${team}`,
    generated: w.generated(formatDateTime(generatedAt, locale)),
    pageLabel: w.page,
    createdAt: generatedAt,
  });

  pdf.heading(w.run(team));
  const facts: [string, string][] = [
    [w.status, w.runStatuses[status.status] ?? status.status],
    [w.created, formatDateTime(status.created_at, locale)],
  ];
  if (status.finished_at) facts.push([w.finished, formatDateTime(status.finished_at, locale)]);
  facts.push([w.totalCost, money(result.cost.total_usd)], [w.tokens, number(result.usage.total_tokens)]);
  if (status.error_message) facts.push([w.error, status.error_message]);
  pdf.facts(facts);

  pdf.heading(w.prompt);
  pdf.paragraph(status.initial_prompt);
  const variables = Object.entries(status.variables);
  if (variables.length > 0) {
    pdf.heading(w.variables);
    pdf.facts(variables.map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]));
  }

  pdf.heading(w.result);
  pdf.paragraph(result.final_result?.summary ?? w.noResult);

  pdf.heading(w.agents);
  const outputs = new Map((result.final_result?.details ?? []).map((detail) => [detail.agent_id, detail.output]));
  status.agents.forEach((agent, index) => {
    if (index > 0) pdf.rule();
    pdf.heading(`${agent.position}. ${agent.name} · ${w.stepStatuses[agent.status] ?? agent.status}`, 2);
    const time = agent.started_at && agent.finished_at ? formatDuration(Date.parse(agent.finished_at) - Date.parse(agent.started_at), locale) : "—";
    pdf.paragraph(w.agentFigures(number(agent.input_tokens), number(agent.output_tokens), money(agent.cost_usd), time), { muted: true, size: 9 });
    if (agent.skip_reason) pdf.facts([[w.skipped, agent.skip_reason]]);
    else if (agent.error) pdf.facts([[w.error, agent.error]]);
    else {
      const said = outputs.get(agent.agent_id);
      if (said) pdf.paragraph(said);
    }
  });
  return await pdf.bytes();
}
