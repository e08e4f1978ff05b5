// The /analytics page's arithmetic: the API answers one row per day and team (or agent); the charts
// and the table show totals per day and per team over the chosen range.
import type { AgentConsumptionMonth, TeamPerformanceDay } from "$schemas/analytics.ts";

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
