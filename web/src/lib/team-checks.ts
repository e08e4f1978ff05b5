// What the wizard can tell about a draft before sending it, by the path the API would name (so an
// error lands in the same place whichever side found it). The API checks everything again; these
// only spare a round trip for what is plainly wrong: names that are not names, numbers that are
// not numbers or out of range, reading an agent that does not run before.
import { parseDecimal } from "$lib/i18n/decimal-input";
import type { Locale } from "$lib/i18n/locales";
import { approvalTimeoutSeconds, type TeamDraft } from "$lib/teams";

/** A problem as a message key of `teams.checks` and its values. */
export interface DraftProblem {
  key: string;
  values?: Record<string, string | number>;
}

/** The API's pattern for variable names and context keys. */
export const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const maxTemplateLength = 20_000;
const maxConditionValueLength = 10_000;

function checkNumber(
  problems: Record<string, DraftProblem>,
  path: string,
  text: string,
  locale: Locale,
  range: { min: number; max: number; whole: boolean },
): void {
  if (text.trim() === "") return;
  const value = parseDecimal(text, locale);
  if (value === null) problems[path] = { key: "number" };
  else if (range.whole && !Number.isInteger(value)) problems[path] = { key: "wholeNumber" };
  else if (value < range.min || value > range.max) problems[path] = { key: "between", values: { min: range.min, max: range.max } };
}

/** Everything the wizard can see is wrong with a draft, by API path (agents.1.conditions.0.field). */
export function draftProblems(draft: TeamDraft, locale: Locale): Record<string, DraftProblem> {
  const problems: Record<string, DraftProblem> = {};
  const positions = new Map(draft.agents.map((member, index) => [member.agent_id.toLowerCase(), index]));
  const nameAt = (id: string) => draft.agents[positions.get(id.toLowerCase()) ?? -1]?.name ?? id;
  /** An agent read at `index` must be in the team and run before it. */
  const checkReference = (path: string, index: number, agentId: string) => {
    const position = positions.get(agentId.toLowerCase());
    if (position === undefined) problems[path] = { key: "notInTeam" };
    else if (position >= index) problems[path] = { key: "notBefore", values: { name: nameAt(agentId) } };
  };

  draft.agents.forEach((member, index) => {
    const prefix = `agents.${index}`;
    const input = member.input;
    if (input.source === "agent_result") checkReference(`${prefix}.input.agent_id`, index, input.agent_id);
    if (input.source === "combined") {
      if (input.sources.length === 0) problems[`${prefix}.input.sources`] = { key: "noSources" };
      input.sources.forEach((source, sourceIndex) => {
        const path = `${prefix}.input.sources.${sourceIndex}`;
        if (source.type === "agent_result") checkReference(`${path}.agent_id`, index, source.agent_id);
        if (source.type === "variable" && !identifierPattern.test(source.name)) problems[`${path}.name`] = { key: "identifier" };
        if (source.type === "context" && !identifierPattern.test(source.key)) problems[`${path}.key`] = { key: "identifier" };
      });
      if ((input.template ?? "").length > maxTemplateLength) problems[`${prefix}.input.template`] = { key: "tooLong", values: { max: maxTemplateLength } };
    }

    member.conditions.forEach((condition, conditionIndex) => {
      const path = `${prefix}.conditions.${conditionIndex}`;
      const [scope, name, what] = condition.field.split(".");
      if (scope === "variables" || scope === "context") {
        if (!identifierPattern.test(condition.field.slice(scope.length + 1))) problems[`${path}.field`] = { key: "identifier" };
      } else if (scope === "agents" && (what === "output" || what === "status")) {
        checkReference(`${path}.field`, index, name);
      } else if (condition.field !== "initial_prompt") {
        problems[`${path}.field`] = { key: "field" };
      }
      if (condition.type === "number" && parseDecimal(condition.value, locale) === null) problems[`${path}.value`] = { key: "number" };
      else if (condition.type === "boolean" && !["true", "false"].includes(condition.value)) problems[`${path}.value`] = { key: "boolean" };
      else if (condition.value.length > maxConditionValueLength) problems[`${path}.value`] = { key: "tooLong", values: { max: maxConditionValueLength } };
    });

    checkNumber(problems, `${prefix}.config.temperature`, member.config.temperature, locale, { min: 0, max: 2, whole: false });
    checkNumber(problems, `${prefix}.config.max_tokens`, member.config.max_tokens, locale, { min: 1, max: 200_000, whole: true });
    // The approval's time limit: from a minute to 30 days (private.check_team_agent_approval).
    if (member.config.approval) {
      const seconds = approvalTimeoutSeconds(member.config.approval, locale);
      if (typeof seconds === "string") problems[`${prefix}.config.approval.timeout_seconds`] = { key: "number" };
      else if (seconds !== undefined && (seconds < 60 || seconds > 2_592_000)) problems[`${prefix}.config.approval.timeout_seconds`] = { key: "approvalTimeout" };
    }
  });

  checkNumber(problems, "config.temperature", draft.config.temperature, locale, { min: 0, max: 2, whole: false });
  checkNumber(problems, "config.max_tokens", draft.config.max_tokens, locale, { min: 1, max: 200_000, whole: true });
  checkNumber(problems, "config.timeout_seconds", draft.config.timeout_seconds, locale, { min: 10, max: 3600, whole: true });
  checkNumber(problems, "config.max_parallel_agents", draft.config.max_parallel_agents, locale, { min: 1, max: 20, whole: true });
  return problems;
}
