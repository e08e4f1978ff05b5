// Retrieval before a step's provider call: when the step's agent names knowledge bases, the step's
// input is searched in them (public.search_knowledge, hybrid, counting the use for the agent), the
// passages found are given to the model as numbered sources after its system prompt, and the step
// records which chunks they were (its citations), so the monitor and the result can link [n] to
// the document. An agent without knowledge bases is called exactly as before.
import type { ClaimedStep, EngineStore } from "./engine-store.ts";

export interface KnowledgePassage {
  chunk_id: string;
  document_id: string;
  document_title: string;
  version: number;
  heading_path: string[];
  content: string;
  score: number;
}

export interface Citation {
  n: number;
  chunk_id: string;
  document_id: string;
  document_title: string;
  version: number;
  heading_path: string[];
  score: number;
}

/**
 * Below Dify's 0.5 on purpose: a step's input is a whole question or a previous agent's answer,
 * of which a passage covers only a share of the words, so the text part of the score runs lower
 * than for a typed search.
 */
export const agentMinimumScore = 0.3;
export const defaultAgentTopK = 5;
/** Search reads at most this much of a long input (a previous agent's whole answer). */
const maxQueryCharacters = 2_000;

/** The system prompt with the passages as numbered sources, and how to cite them. */
export function withKnowledgeSources(systemPrompt: string, passages: readonly KnowledgePassage[]): string {
  const sources = passages.map((passage, index) => {
    const where = [passage.document_title, ...passage.heading_path].join(" › ");
    return `[${index + 1}] ${where}\n${passage.content}`;
  });
  const instructions = "Knowledge sources for this request. Use them when they answer it and cite each one you use as [n]; " +
    "say so when they do not cover the question.";
  return [systemPrompt.trim(), `${instructions}\n\n${sources.join("\n\n")}`].filter((part) => part !== "").join("\n\n");
}

export function citationsOf(passages: readonly KnowledgePassage[]): Citation[] {
  return passages.map((passage, index) => ({
    n: index + 1,
    chunk_id: passage.chunk_id,
    document_id: passage.document_id,
    document_title: passage.document_title,
    version: passage.version,
    heading_path: passage.heading_path,
    score: passage.score,
  }));
}

/**
 * The passages for the step, or null when its agent has no knowledge bases. The query is embedded
 * by the bases' embedder when they all embed alike (an OpenAI-compatible base with its company
 * key); bases on different embedders are searched by text alone (their vectors live in different
 * spaces).
 */
export async function retrieveKnowledge(store: EngineStore, step: ClaimedStep): Promise<KnowledgePassage[] | null> {
  const bases = await store.stepKnowledgeBases(step);
  if (bases.ids.length === 0) return null;
  const query = (step.resolved_input ?? "").slice(0, maxQueryCharacters);
  if (query.trim() === "") return [];
  const embedding = await store.queryEmbedding(step, bases, query);
  return await store.searchKnowledge(step, bases.ids, query, embedding, step.rag_top_k > 0 ? step.rag_top_k : defaultAgentTopK, agentMinimumScore);
}

/**
 * The `knowledge_search` tool: the model's own query in the step's agent's bases (the same search
 * as above, with the model's query and number of passages); null when the agent has no bases.
 */
export async function searchAgentKnowledge(store: EngineStore, step: ClaimedStep, query: string, topK: number): Promise<KnowledgePassage[] | null> {
  const bases = await store.stepKnowledgeBases(step);
  if (bases.ids.length === 0) return null;
  const text = query.slice(0, maxQueryCharacters);
  const embedding = await store.queryEmbedding(step, bases, text);
  return await store.searchKnowledge(step, bases.ids, text, embedding, topK, agentMinimumScore);
}
