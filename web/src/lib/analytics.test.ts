import { describe, expect, it } from "vitest";
import type { TeamPerformanceDay } from "$schemas/analytics.ts";
import { barsCsv, costPerAgent, csvFilename, defaultRange, funnelTotals, funnelWeeksCsv, perDay, responsesCsv, responseSummaries, teamsCsv, teamTotals } from "./analytics";

const row = (day: string, teamId: string | null, numbers: Partial<TeamPerformanceDay> = {}): TeamPerformanceDay => ({
  day, team_id: teamId, team_name: teamId === null ? null : `Team ${teamId}`, runs: 1, succeeded: 1, failed: 0, cancelled: 0,
  success_rate: 1, duration_p50_ms: 1000, duration_p95_ms: 2000, input_tokens: 10, output_tokens: 5, cost_usd: 0.5,
  cost_per_run_usd: 0.5, retries: 0, timeouts: 0, ...numbers,
});

describe("the analytics page's arithmetic", () => {
  it("shows the last 30 days by default", () => {
    expect(defaultRange(new Date("2026-12-05T10:00:00Z"))).toEqual({ from: "2026-11-06", to: "2026-12-05" });
  });

  it("gives every day of the range a bar, zero without runs", () => {
    const bars = perDay([row("2026-11-02", "a"), row("2026-11-02", "b", { input_tokens: 100 })], { from: "2026-11-01", to: "2026-11-03" },
      (r) => r.input_tokens + r.output_tokens);
    expect(bars).toEqual([{ label: "2026-11-01", value: 0 }, { label: "2026-11-02", value: 120 }, { label: "2026-11-03", value: 0 }]);
  });

  it("adds up each team's days, rates from the sums and the worst day's p95", () => {
    const [team] = teamTotals([row("2026-11-01", "a", { runs: 3, succeeded: 1, failed: 1, cancelled: 1, duration_p95_ms: 900 }), row("2026-11-02", "a")]);
    expect(team).toMatchObject({ runs: 4, succeeded: 2, failed: 1, worstP95Ms: 2000, tokens: 30, costUsd: 1, costPerRunUsd: 0.25 });
    expect(team.successRate).toBeCloseTo(2 / 3);
  });

  it("names a deleted agent and sorts agents by cost", () => {
    const bars = costPerAgent([
      { month: "2026-11-01", agent_id: "x", agent_name: "Writer", steps: 1, runs: 1, input_tokens: 1, output_tokens: 1, cost_usd: 0.2 },
      { month: "2026-12-01", agent_id: "x", agent_name: "Writer", steps: 1, runs: 1, input_tokens: 1, output_tokens: 1, cost_usd: 0.2 },
      { month: "2026-11-01", agent_id: null, agent_name: null, steps: 1, runs: 1, input_tokens: 1, output_tokens: 1, cost_usd: 1 },
    ], "deleted");
    expect(bars).toEqual([{ label: "deleted", value: 1 }, { label: "Writer", value: 0.4 }]);
  });

  it("adds up the funnel's periods, stage by stage", () => {
    const day = { new_contacts: 2, conversations_started: 3, answered_by_bot: 2, handed_to_person: 1, qualified: 1, customers: 1, lost: 0, reopened: 0 };
    expect(funnelTotals([{ period: "2026-11-01", ...day }, { period: "2026-11-02", ...day, lost: 4, handed_to_person: 0 }])).toEqual({
      newContacts: 4, conversations: 6, answeredByBot: 4, handedToPerson: 1, qualified: 2, customers: 2, lost: 4, reopened: 0,
    });
  });

  it("writes the funnel's weeks as CSV, every stage in the chart's order", () => {
    const week = { period: "2026-11-30", new_contacts: 4, conversations_started: 3, answered_by_bot: 2, handed_to_person: 1, qualified: 2,
      customers: 1, lost: 1, reopened: 0 };
    expect(funnelWeeksCsv([week]).split("\r\n")).toEqual([
      "week,new_contacts,conversations_started,answered_by_bot,handed_to_person,qualified,customers,lost,reopened",
      "2026-11-30,4,3,2,1,2,1,1,0",
      "",
    ]);
  });

  it("names a CSV after its chart, the inbox it is filtered to and the range", () => {
    const range = { from: "2026-11-01", to: "2026-11-30" };
    expect(csvFilename("funnel", range)).toBe("analytics-funnel-2026-11-01-2026-11-30.csv");
    expect(csvFilename("funnel", range, "Atendimento São Paulo / 2")).toBe("analytics-funnel-atendimento-sao-paulo-2-2026-11-01-2026-11-30.csv");
    expect(csvFilename("response-times", range, "☎☎")).toBe("analytics-response-times-inbox-2026-11-01-2026-11-30.csv");
  });

  it("sums replies per inbox and responder and keeps the worst day's p90", () => {
    const day = (date: string, responder: "bot" | "person", p90: number | null, first: number | null) => ({
      day: date, inbox_id: "i", inbox_name: "Line", responder, replies: 2, reply_p50_ms: 1000, reply_p90_ms: p90, first_responses: 1,
      first_response_p50_ms: first, first_response_p90_ms: first,
    });
    const [bot, person] = responseSummaries([day("2026-11-01", "bot", 3000, null), day("2026-11-02", "bot", 5000, 4000), day("2026-11-01", "person", 9000, 8000)]);
    expect(bot).toMatchObject({ responder: "bot", replies: 4, firstResponses: 2, worstReplyP90Ms: 5000, worstFirstResponseP90Ms: 4000 });
    expect(person).toMatchObject({ responder: "person", replies: 2, worstReplyP90Ms: 9000 });
  });

  it("writes each chart's rows as CSV: the chart's labels, values unformatted, sums rounded to millionths", () => {
    expect(barsCsv(["agent", "cost_usd"], [{ label: "Vendas, SP", value: 0.1 + 0.2 }, { label: "=SOMA(A1)", value: 0 }]))
      .toBe('agent,cost_usd\r\n"Vendas, SP",0.3\r\n\'=SOMA(A1),0\r\n');
    const [team] = teamTotals([row("2026-11-01", "a", { failed: 1, succeeded: 2, runs: 3, cost_usd: 0.01 }), row("2026-11-02", "a", { cost_usd: 0.02 })]);
    expect(teamsCsv([team, { ...team, name: null }], "Equipe excluída").split("\r\n")).toEqual([
      "team,runs,success_rate,worst_p95_ms,tokens,cost_usd,cost_per_run_usd,retries,timeouts",
      "Team a,4,0.75,2000,30,0.03,0.0075,0,0",
      "Equipe excluída,4,0.75,2000,30,0.03,0.0075,0,0",
      "",
    ]);
    expect(responsesCsv([{ inboxId: "i", inboxName: "Line", responder: "bot", replies: 2, firstResponses: 1, worstReplyP90Ms: 19000, worstFirstResponseP90Ms: null }]))
      .toBe("inbox,responder,replies,reply_p90_ms,first_response_p90_ms\r\nLine,bot,2,19000,\r\n");
  });
});
