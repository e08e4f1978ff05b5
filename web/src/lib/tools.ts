// A platform tool (public.tools) in the page's language. The registry's name and description are
// English; the tools the platform ships have words of their own (agents.tools.<id>), and a tool
// added to the registry later shows the registry's words until it has them.
import type { Translate } from "$lib/i18n/api-messages";
import { ptBR } from "$lib/i18n/messages/pt-BR";

const translatedTools = new Set(Object.keys(ptBR.agents.tools));

/** The tool's name and description for people. */
export function toolWords(tool: { id: string; name: string; description: string }, t: Translate): { name: string; description: string } {
  if (!translatedTools.has(tool.id)) return { name: tool.name, description: tool.description };
  return { name: t(`agents.tools.${tool.id}.name`), description: t(`agents.tools.${tool.id}.description`) };
}

/** A tool's name for people, from its id alone (the id itself when the platform has no words for it). */
export function toolName(id: string, t: Translate): string {
  return translatedTools.has(id) ? t(`agents.tools.${id}.name`) : id;
}
