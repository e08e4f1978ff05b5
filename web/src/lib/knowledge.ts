// What the knowledge pages offer to choose, from the database's own enums (through the API's schemas).
import { knowledgeLanguage } from "$schemas/knowledge.ts";

export const knowledgeLanguages = knowledgeLanguage.options;

/** Documents still waiting for ingestion: while any is, the page refreshes itself. */
export function ingestionUnderway(documents: readonly { status: string }[]): boolean {
  return documents.some((document) => document.status === "pending" || document.status === "processing");
}
