// A team's workflow in words, for the team page, the wizard's review and the diagram's text: where
// each agent's input comes from, when it runs, and what it does differently in this team. Numbers
// in the page's language (temperature 0,5 in pt-BR).
import type { CombinedSource, TeamAgentCondition, TeamAgentConfig, TeamAgentInput, WorkflowType } from "$schemas/teams.ts";
import { formatNumber } from "$lib/i18n/format";
import type { Locale } from "$lib/i18n/locales";
import type { Translate } from "$lib/i18n/api-messages";

export interface Words {
  t: Translate;
  locale: Locale;
  /** An agent's name by its id (the id's start when the team does not have it). */
  nameOf: (agentId: string) => string;
}

/** What a condition looks at: "Resultado de Triagem", "Variável prioridade". */
export function fieldWords(field: string, { t, nameOf }: Words): string {
  const [scope, rest, what] = field.split(".");
  if (scope === "initial_prompt") return t("teams.wizard.fieldPrompt");
  if (scope === "agents") return t(what === "status" ? "teams.wizard.fieldStatus" : "teams.wizard.fieldOutput", { values: { name: nameOf(rest) } });
  if (scope === "variables") return t("teams.words.variable", { values: { name: field.slice("variables.".length) } });
  if (scope === "context") return t("teams.words.context", { values: { key: field.slice("context.".length) } });
  return field;
}

export function valueWords(value: string | number | boolean, { t, locale }: Words): string {
  if (typeof value === "number") return formatNumber(value, locale, { maximumFractionDigits: 20 });
  if (typeof value === "boolean") return t(value ? "teams.words.true" : "teams.words.false");
  return value === "" ? "…" : `“${value}”`;
}

/** "Variável prioridade igual a “alta”". */
export function conditionWords(condition: TeamAgentCondition, words: Words): string {
  return `${fieldWords(condition.field, words)} ${words.t(`teams.operators.${condition.operator}`)} ${valueWords(condition.value, words)}`;
}

/** A combined input's source by name: "Pedido inicial", "Triagem", "variável cliente". */
export function sourceWords(source: CombinedSource, words: Words): string {
  if (source.type === "initial_prompt") return words.t("teams.wizard.fieldPrompt");
  if (source.type === "agent_result") return words.nameOf(source.agent_id);
  if (source.type === "variable") return words.t("teams.words.variable", { values: { name: source.name } });
  return words.t("teams.words.context", { values: { key: source.key } });
}

/** Where an agent's input comes from, in a sentence. */
export function inputWords(input: TeamAgentInput, position: number, workflowType: WorkflowType, words: Words): string {
  const { t } = words;
  if (input.source === "agent_result") return `${t("teams.sources.agent_result")}: ${words.nameOf(input.agent_id)}`;
  if (input.source === "combined") {
    const parts = input.sources.map((source) => sourceWords(source, words)).join(" + ");
    return `${t("teams.sources.combined")}: ${parts}${input.template ? ` (${t("teams.words.withTemplate")})` : ""}`;
  }
  // In a pipeline, "the prompt" of every agent but the first is the previous agent's result.
  return t(workflowType === "pipeline" && position > 0 ? "teams.sources.previous" : "teams.sources.initial_prompt");
}

/** An agent's settings for this team, in words ("temperatura 0,5 · até 2.000 tokens"); "" when it has none. */
export function overridesWords(config: TeamAgentConfig, { t, locale }: Words): string {
  const parts: string[] = [];
  if (typeof config.temperature === "number") {
    parts.push(t("teams.words.temperature", { values: { value: formatNumber(config.temperature, locale, { maximumFractionDigits: 2 }) } }));
  }
  if (typeof config.max_tokens === "number") parts.push(t("teams.words.maxTokens", { values: { value: formatNumber(config.max_tokens, locale) } }));
  if (config.tools) {
    parts.push(config.tools.length === 0 ? t("teams.words.noTools") : t("teams.words.tools", { values: { tools: config.tools.join(", ") } }));
  }
  return parts.join(" · ");
}
