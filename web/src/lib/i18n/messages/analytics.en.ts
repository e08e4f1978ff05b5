// English for /analytics, merged into en.ts.
import type { analyticsPtBR } from "./analytics.pt-BR";

export const analyticsEn: typeof analyticsPtBR = {
  analytics: {
    title: "Analytics",
    subtitle: "The company's tokens, costs and team performance.",
    from: "From",
    to: "To",
    show: "Show",
    dataAsOf: "Data as of {moment}",
    notRefreshedYet: "The numbers have not been computed yet: they will be within 15 minutes.",
    emptyTitle: "Nothing in this range",
    emptyText: "When teams run, their tokens, costs and performance show up here.",
    tokensPerDay: "Tokens per day",
    costPerDay: "Cost per day",
    costPerAgent: "Cost per agent",
    costPerAgentHint: "Over the range's months, from the usage ledger.",
    deletedAgent: "Deleted agent",
    deletedTeam: "Deleted team",
    teamPerformance: "Team performance",
    teamPerformanceHint: "Success rate: completed ÷ (completed + failed); cancelled runs count in neither.",
    team: "Team",
    runs: "Runs",
    successRate: "Success",
    worstP95: "p95 (worst day)",
    tokens: "Tokens",
    cost: "Cost",
    costPerRun: "Cost per run",
    retries: "Retries",
    timeouts: "Timeouts",
  },
};
