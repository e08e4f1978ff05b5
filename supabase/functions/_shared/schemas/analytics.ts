// The company's analytics for the web app's charts (/analytics/*) and the SQL logins of its
// analysts (/analytics/logins). Numbers come from the analytics materialized views, refreshed
// every 15 minutes by default: `GET /analytics/freshness` says when.
import { z } from "zod";
import { list, timestamp, uuid } from "./common.ts";

const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day, `YYYY-MM-DD`, that exists. */
export const isoDate = () =>
  z.string({ error: "Must be a date (YYYY-MM-DD)." }).regex(isoDatePattern, { error: "Must be a date (YYYY-MM-DD)." })
    .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), {
      error: "Must be a date (YYYY-MM-DD).",
    });

/** `?from&to`: inclusive UTC days (months: any day of the month), `from` not after `to`. */
export const analyticsRangeQuery = z.strictObject({
  from: isoDate().optional(),
  to: isoDate().optional(),
}).refine((range) => !range.from || !range.to || range.from <= range.to, {
  error: "Must not be after `to`.",
  path: ["from"],
});
export type AnalyticsRangeQuery = z.input<typeof analyticsRangeQuery>;

const performanceNumbers = {
  runs: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  /** succeeded / (succeeded + failed); null when nothing finished. */
  success_rate: z.number().nullable(),
  duration_p50_ms: z.number().nullable(),
  duration_p95_ms: z.number().nullable(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
  cost_per_run_usd: z.number().nullable(),
  retries: z.number().int(),
  timeouts: z.number().int(),
};

/** One UTC day of one team (null: a deleted team). */
export const teamPerformanceDay = z.object({
  day: z.string(),
  team_id: uuid().nullable(),
  team_name: z.string().nullable(),
  cancelled: z.number().int(),
  ...performanceNumbers,
});
export type TeamPerformanceDay = z.infer<typeof teamPerformanceDay>;

/** One UTC day of one agent (null: a deleted agent); a run is a step that ran. */
export const agentPerformanceDay = z.object({
  day: z.string(),
  agent_id: uuid().nullable(),
  agent_name: z.string().nullable(),
  ...performanceNumbers,
});
export type AgentPerformanceDay = z.infer<typeof agentPerformanceDay>;

/** One UTC month of one WhatsApp inbox. */
export const inboxConsumptionMonth = z.object({
  month: z.string(),
  inbox_id: uuid(),
  inbox_name: z.string().nullable(),
  messages_in: z.number().int(),
  messages_out: z.number().int(),
  conversations_started: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
  active_days: z.number().int(),
});
export type InboxConsumptionMonth = z.infer<typeof inboxConsumptionMonth>;

/** One UTC month of one agent, from the usage ledger (null: a deleted agent). */
export const agentConsumptionMonth = z.object({
  month: z.string(),
  agent_id: uuid().nullable(),
  agent_name: z.string().nullable(),
  steps: z.number().int(),
  runs: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
});
export type AgentConsumptionMonth = z.infer<typeof agentConsumptionMonth>;

/**
 * `GET /analytics/funnel`: the range (UTC days), whether to answer by day, ISO week (periods start on
 * Monday) or month, and optionally one inbox of the company's (another company's: 404 inbox_not_found).
 */
export const funnelQuery = z.strictObject({
  from: isoDate().optional(),
  to: isoDate().optional(),
  grain: z.enum(["day", "week", "month"], { error: "Must be day, week or month." }).default("day"),
  inbox_id: uuid().optional(),
}).refine((range) => !range.from || !range.to || range.from <= range.to, {
  error: "Must not be after `to`.",
  path: ["from"],
});
export type FunnelQuery = z.input<typeof funnelQuery>;

/**
 * One UTC day, ISO week or month (the sum of its days in the range) of the company's conversation
 * funnel. A contact's stages (new, qualified, customer, lost, reopened) belong to the inbox of its
 * first conversation; a contact with no conversation counts only when no inbox is asked for.
 */
export const funnelPeriod = z.object({
  /** The period's first day (a week's Monday, a month's 1st). */
  period: z.string(),
  new_contacts: z.number().int(),
  conversations_started: z.number().int(),
  /** Conversations whose first bot reply after the contact wrote fell in the period. */
  answered_by_bot: z.number().int(),
  /** Conversations that first left the bot in the period (a handoff, a person taking over). */
  handed_to_person: z.number().int(),
  qualified: z.number().int(),
  customers: z.number().int(),
  lost: z.number().int(),
  /** Contacts moved from lost back to lead. */
  reopened: z.number().int(),
});
export type FunnelPeriod = z.infer<typeof funnelPeriod>;

/** `GET /analytics/response-times`: the range (UTC days) and optionally one inbox of the company's (else 404 inbox_not_found). */
export const responseTimesQuery = z.strictObject({
  from: isoDate().optional(),
  to: isoDate().optional(),
  inbox_id: uuid().optional(),
}).refine((range) => !range.from || !range.to || range.from <= range.to, {
  error: "Must not be after `to`.",
  path: ["from"],
});
export type ResponseTimesQuery = z.input<typeof responseTimesQuery>;

/** One UTC day, inbox and responder: how long contacts waited for a reply (ms). */
export const responseTimesDay = z.object({
  day: z.string(),
  inbox_id: uuid(),
  inbox_name: z.string().nullable(),
  responder: z.enum(["bot", "person"]),
  replies: z.number().int(),
  reply_p50_ms: z.number().nullable(),
  reply_p90_ms: z.number().nullable(),
  first_responses: z.number().int(),
  first_response_p50_ms: z.number().nullable(),
  first_response_p90_ms: z.number().nullable(),
});
export type ResponseTimesDay = z.infer<typeof responseTimesDay>;

/** When one analytics view was refreshed, and whether its latest attempt failed. */
export const analyticsFreshness = z.object({
  view_name: z.string(),
  refresh_every_seconds: z.number().int(),
  refreshed_at: timestamp().nullable(),
  last_attempt_at: timestamp().nullable(),
  last_duration_ms: z.number().int().nullable(),
  failed: z.boolean(),
  next_due_at: timestamp(),
});
export type AnalyticsFreshness = z.infer<typeof analyticsFreshness>;

/** `POST /analytics/logins`: how many connections the login may hold and how long a query may run. */
export const createAnalystLoginBody = z.strictObject({
  connection_limit: z.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(20, { error: "Must be at most 20." }).default(5),
  statement_timeout_ms: z.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1000, { error: "Must be at least 1000." }).max(600000, { error: "Must be at most 600000." }).default(30000),
});
export type CreateAnalystLoginBody = z.input<typeof createAnalystLoginBody>;

export const analystLoginParams = z.strictObject({
  role_name: z.string().regex(/^renum_analyst_[0-9a-f]{12}$/, { error: "Must be an analyst login name (renum_analyst_…)." }),
});

/** A SQL login of the company's analysts (never its password). */
export const analystLogin = z.object({
  role_name: z.string(),
  connection_limit: z.number().int(),
  statement_timeout_ms: z.number().int(),
  created_by: uuid().nullable(),
  created_at: timestamp(),
});
export type AnalystLogin = z.infer<typeof analystLogin>;

/** The answer to creating a login: the only time its password is shown. */
export const createdAnalystLogin = analystLogin.extend({ password: z.string() });
export type CreatedAnalystLogin = z.infer<typeof createdAnalystLogin>;

/** The answers of the GET routes: `{ items: [...] }`. */
export const teamPerformanceList = list(teamPerformanceDay);
export const agentPerformanceList = list(agentPerformanceDay);
export const inboxConsumptionList = list(inboxConsumptionMonth);
export const agentConsumptionList = list(agentConsumptionMonth);
export const analyticsFreshnessList = list(analyticsFreshness);
export const funnelList = list(funnelPeriod);
export const responseTimesList = list(responseTimesDay);
export const analystLoginList = list(analystLogin);
