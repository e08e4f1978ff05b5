// The built-in tool knowledge_search: the model searches its agent's knowledge bases with its own
// words, when the passages found for the step's input (given before the call) were not the ones it
// needs — a follow-up question, a name, a detail of a long conversation. The same hybrid search and
// minimum score as those passages; only the agent's own bases, in the run's company.
import type { BuiltinContext } from "./builtin-tools.ts";
import { ToolFailure } from "./registry.ts";

const defaultTopK = 5;

export async function knowledgeSearch(args: Record<string, unknown>, context: BuiltinContext): Promise<string> {
  if (!context.step) throw new ToolFailure("knowledge_search works only in a run");
  const query = String(args.query ?? "").trim();
  if (query === "") throw new ToolFailure("say what to look for: query is empty");
  const topK = typeof args.top_k === "number" ? args.top_k : defaultTopK;
  const passages = await context.step.searchKnowledge(query, topK);
  if (passages === null) throw new ToolFailure("this agent has no knowledge bases to search: the company links them on the agent's form");
  return JSON.stringify({
    passages: passages.map((passage) => ({
      source: [passage.document_title, ...passage.heading_path].join(" › "),
      version: passage.version,
      score: Math.round(passage.score * 1000) / 1000,
      content: passage.content,
    })),
    found: passages.length,
  });
}
