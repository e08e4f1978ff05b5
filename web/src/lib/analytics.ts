// The /analytics page's arithmetic: the API answers one row per day and team (or agent); the charts
// and the table show totals per day and per team over the chosen range.
import { csvLines } from "$csv";
import type { AgentConsumptionMonth, FunnelPeriod, ResponseTimesDay, TeamPerformanceDay } from "$schemas/analytics.ts";

export interface Bar {
  label: string;
  value: number;
}

/** `YYYY-MM-DD` of a UTC date. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The range the page shows when none is asked for: the last 30 UTC days, today included. */
export function defaultRange(today: Date = new Date()): { from: string; to: string } {
  const from = new Date(today.getTime() - 29 * 86_400_000);
  return { from: isoDay(from), to: isoDay(today) };
}

/** One bar per day of the range (days without runs are zero), of what `pick` takes from each row. */
export function perDay(rows: TeamPerformanceDay[], range: { from: string; to: string }, pick: (row: TeamPerformanceDay) => number): Bar[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.day, (totals.get(row.day) ?? 0) + pick(row));
  const bars: Bar[] = [];
  for (let day = new Date(`${range.from}T00:00:00Z`); isoDay(day) <= range.to && bars.length < 400; day = new Date(day.getTime() + 86_400_000)) {
    bars.push({ label: isoDay(day), value: totals.get(isoDay(day)) ?? 0 });
  }
  return bars;
}

export interface TeamTotals {
  teamId: string | null;
  name: string | null;
  runs: number;
  succeeded: number;
  failed: number;
  /** succeeded / (succeeded + failed), as the views count it; null when nothing finished. */
  successRate: number | null;
  /** The slowest day's p95: percentiles of days cannot be added up. */
  worstP95Ms: number | null;
  tokens: number;
  costUsd: number;
  costPerRunUsd: number | null;
  retries: number;
  timeouts: number;
}

/** Each team's totals over the range, the most expensive first. */
export function teamTotals(rows: TeamPerformanceDay[]): TeamTotals[] {
  const teams = new Map<string, TeamTotals>();
  for (const row of rows) {
    const key = row.team_id ?? "";
    const team = teams.get(key) ?? {
      teamId: row.team_id, name: row.team_name, runs: 0, succeeded: 0, failed: 0, successRate: null, worstP95Ms: null,
      tokens: 0, costUsd: 0, costPerRunUsd: null, retries: 0, timeouts: 0,
    };
    team.runs += row.runs;
    team.succeeded += row.succeeded;
    team.failed += row.failed;
    team.tokens += row.input_tokens + row.output_tokens;
    team.costUsd += row.cost_usd;
    team.retries += row.retries;
    team.timeouts += row.timeouts;
    if (row.duration_p95_ms !== null) team.worstP95Ms = Math.max(team.worstP95Ms ?? 0, row.duration_p95_ms);
    teams.set(key, team);
  }
  return [...teams.values()].map((team) => ({
    ...team,
    successRate: team.succeeded + team.failed === 0 ? null : team.succeeded / (team.succeeded + team.failed),
    costPerRunUsd: team.runs === 0 ? null : team.costUsd / team.runs,
  })).sort((a, b) => b.costUsd - a.costUsd);
}

/** Cost per agent over the months shown, the most expensive first; `unnamed` labels a deleted agent. */
export function costPerAgent(rows: AgentConsumptionMonth[], unnamed: string): Bar[] {
  const totals = new Map<string, Bar>();
  for (const row of rows) {
    const key = row.agent_id ?? "";
    const bar = totals.get(key) ?? { label: row.agent_name ?? unnamed, value: 0 };
    bar.value += row.cost_usd;
    totals.set(key, bar);
  }
  return [...totals.values()].sort((a, b) => b.value - a.value);
}

/** The funnel's totals over the range, in the funnel's order (each stage's counts add up across periods). */
export interface FunnelTotals {
  newContacts: number;
  conversations: number;
  answeredByBot: number;
  handedToPerson: number;
  qualified: number;
  customers: number;
  lost: number;
  reopened: number;
}

export function funnelTotals(rows: FunnelPeriod[]): FunnelTotals {
  const totals: FunnelTotals = {
    newContacts: 0, conversations: 0, answeredByBot: 0, handedToPerson: 0, qualified: 0, customers: 0, lost: 0, reopened: 0,
  };
  for (const row of rows) {
    totals.newContacts += row.new_contacts;
    totals.conversations += row.conversations_started;
    totals.answeredByBot += row.answered_by_bot;
    totals.handedToPerson += row.handed_to_person;
    totals.qualified += row.qualified;
    totals.customers += row.customers;
    totals.lost += row.lost;
    totals.reopened += row.reopened;
  }
  return totals;
}

/**
 * A chart's CSV file name: the chart, the inbox it is filtered to (its name made file-safe) if
 * any, and the range — so two downloads of one chart for two inboxes never look alike.
 */
export function csvFilename(chart: string, range: { from: string; to: string }, inboxName: string | null = null): string {
  const slug = (inboxName ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const inbox = inboxName === null ? "" : `-${slug || "inbox"}`;
  return `analytics-${chart}${inbox}-${range.from}-${range.to}.csv`;
}

/** One inbox and responder over the range: replies summed, and the worst day's p90s (percentiles of days cannot be added). */
export interface ResponseSummary {
  inboxId: string;
  inboxName: string | null;
  responder: "bot" | "person";
  replies: number;
  firstResponses: number;
  worstReplyP90Ms: number | null;
  worstFirstResponseP90Ms: number | null;
}

export function responseSummaries(rows: ResponseTimesDay[]): ResponseSummary[] {
  const byKey = new Map<string, ResponseSummary>();
  const worst = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  for (const row of rows) {
    const key = `${row.inbox_id}:${row.responder}`;
    const summary = byKey.get(key) ?? {
      inboxId: row.inbox_id, inboxName: row.inbox_name, responder: row.responder, replies: 0, firstResponses: 0,
      worstReplyP90Ms: null, worstFirstResponseP90Ms: null,
    };
    summary.replies += row.replies;
    summary.firstResponses += row.first_responses;
    summary.worstReplyP90Ms = worst(summary.worstReplyP90Ms, row.reply_p90_ms);
    summary.worstFirstResponseP90Ms = worst(summary.worstFirstResponseP90Ms, row.first_response_p90_ms);
    byKey.set(key, summary);
  }
  return [...byKey.values()].sort((a, b) => (a.inboxName ?? "").localeCompare(b.inboxName ?? "") || a.responder.localeCompare(b.responder));
}

/** A number as a CSV cell: sums of costs rounded to millionths, so 0.1 + 0.2 reads 0.3. */
function cell(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1_000_000) / 1_000_000;
}

/** A chart's bars as the chart draws them (its labels, its values unformatted), one row each. */
export function barsCsv(header: readonly [string, string], bars: readonly Bar[]): string {
  return csvLines([header, ...bars.map((bar) => [bar.label, cell(bar.value)])]);
}

/** The funnel's weeks as CSV: one row per ISO week (its Monday), every stage's count. */
export function funnelWeeksCsv(rows: readonly FunnelPeriod[]): string {
  return csvLines([
    ["week", "new_contacts", "conversations_started", "answered_by_bot", "handed_to_person", "qualified", "customers", "lost", "reopened"],
    ...rows.map((row) => [row.period, row.new_contacts, row.conversations_started, row.answered_by_bot, row.handed_to_person, row.qualified,
      row.customers, row.lost, row.reopened]),
  ]);
}

/** The response-times table as CSV: one row per inbox and responder, times in milliseconds. */
export function responsesCsv(rows: readonly ResponseSummary[]): string {
  return csvLines([
    ["inbox", "responder", "replies", "reply_p90_ms", "first_response_p90_ms"],
    ...rows.map((row) => [row.inboxName, row.responder, row.replies, row.worstReplyP90Ms, row.worstFirstResponseP90Ms]),
  ]);
}

/** The team-performance table as CSV: one row per team, `deleted` naming a deleted team. */
export function teamsCsv(rows: readonly TeamTotals[], deleted: string): string {
  return csvLines([
    ["team", "runs", "success_rate", "worst_p95_ms", "tokens", "cost_usd", "cost_per_run_usd", "retries", "timeouts"],
    ...rows.map((team) => [team.name ?? deleted, team.runs, cell(team.successRate), team.worstP95Ms, team.tokens, cell(team.costUsd),
      cell(team.costPerRunUsd), team.retries, team.timeouts]),
  ]);
}
