// The current company at a glance, for the web app's dashboard: GET /dashboard.
import { z } from "zod";
import { executionSummary } from "./executions.ts";

/** `GET /dashboard`: `time_zone` (IANA, default America/Sao_Paulo) decides where "today" starts. */
export const dashboardQuery = z.strictObject({
  time_zone: z.string().max(64).refine(isTimeZone, { error: "Must be an IANA time zone (America/Sao_Paulo)." })
    .default("America/Sao_Paulo"),
});
export type DashboardQuery = z.input<typeof dashboardQuery>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(value);
  } catch {
    return false;
  }
}

export const dashboardSummary = z.object({
  /** Teams of the company that are active. */
  active_teams: z.number().int(),
  /** Runs created since midnight in `time_zone`. */
  executions_today: z.number().int(),
  /** completed / (completed + failed + cancelled) over the last 30 days; null when none finished. */
  success_rate_30d: z.number().nullable(),
  /** What the usage ledger recorded this calendar month (as the budget counts it). */
  spend_this_month_usd: z.number(),
  /** The company's monthly budget; null = no limit. */
  monthly_budget_usd: z.number().nullable(),
  /** The five newest runs. */
  recent_executions: z.array(executionSummary),
});
export type DashboardSummary = z.infer<typeof dashboardSummary>;
