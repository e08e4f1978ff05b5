// The built-in tool query_data: one read-only SQL statement over the company's data, run as the
// person who started the run and narrowed to the run's company (./read-only-query.ts holds every
// rule, the same as the MCP `query` tool's), so an agent reads exactly what its starter may read
// there — never another company of that person, never more than the starter. Runs nobody started
// (a WhatsApp conversation's turn) have nobody to read as: the tool says so.
import type { QueryAnswer, QueryLimits } from "../read-only-query.ts";
import type { BuiltinContext } from "./builtin-tools.ts";
import { ToolFailure } from "./registry.ts";

/** Smaller than the MCP tool's: the answer goes into a model's context, turn after turn. */
export const agentQueryLimits: QueryLimits = {
  maxRows: 200,
  timeoutMs: 3000,
  maxChars: 10_000,
  maxBytes: 64_000,
};

export async function queryData(args: Record<string, unknown>, context: BuiltinContext): Promise<string> {
  if (!context.step) throw new ToolFailure("query_data works only in a run");
  const answer: QueryAnswer = await context.step.queryData(args.sql as string);
  return JSON.stringify(answer);
}
