// A run's or step's failure, and why a step was skipped or cancelled, as the engine wrote them
// (English, for the log), in the page's language. The engine's sentences are fixed, so each is
// recognised by its shape: a provider key refused for the address an agent calls (the executor's
// key-destination check), inside "agent "<name>" failed: ..." for the run; the worker gone; the time
// limit; a stop; a condition not met. Anything else is shown as the engine wrote it.
import type { Translate } from "$lib/i18n/api-messages";

type Rule = [RegExp, (match: RegExpMatchArray, t: Translate) => string];

const stepRules: Rule[] = [
  // An approver's rejection (decide_step_approval), or the approval time running out.
  [/^rejected: nobody decided within the approval time$/, (_, t) => t("executions.runErrors.approvalTimedOut")],
  [/^rejected: (.*)$/s, ([, reason], t) => t("executions.runErrors.rejected", { values: { reason } })],
  [
    /^the (\S+) key for this run was stored for (\S+) and is not sent to (\S+?): /,
    ([, service, storedFor, destination], t) => t("executions.runErrors.keyStoredElsewhere", { values: { service, storedFor, destination } }),
  ],
  [
    /^the (\S+) key for this run is only sent to (.+?)'s own address, and this agent calls (\S+?): /,
    ([, service, provider, destination], t) => t("executions.runErrors.keyFirstPartyOnly", { values: { service, provider, destination } }),
  ],
];

const runRules: Rule[] = [
  [/^the worker stopped answering on every attempt$/, (_, t) => t("executions.runErrors.workerGone")],
  [/^the run passed its time limit of (\d+) s$/, ([, seconds], t) => t("executions.runErrors.timeLimit", { values: { seconds } })],
];

const operators = new Set(["equals", "contains", "greater_than", "less_than"]);

/** A condition's field as a person names it: "the variable "urgente"", "the initial prompt". */
function fieldWords(field: string, t: Translate): string {
  if (field === "initial_prompt") return t("executions.skipReasons.prompt");
  const variable = field.match(/^variables\.(.+)$/);
  return variable ? t("executions.skipReasons.variable", { values: { name: variable[1] } }) : field;
}

const skipRules: Rule[] = [
  [/^the run was stopped$/, (_, t) => t("executions.skipReasons.stopped")],
  [/^an earlier agent failed and the team stops on errors$/, (_, t) => t("executions.skipReasons.earlierFailed")],
  [/^the run passed its time limit$/, (_, t) => t("executions.skipReasons.timeLimit")],
  [
    /^condition (\S+) (\S+) (.*) was not met \(value: (.*)\)$/s,
    (match, t) => {
      const [whole, field, operator, expected, actual] = match;
      if (!operators.has(operator)) return whole;
      return t("executions.skipReasons.conditionNotMet", {
        values: {
          field: fieldWords(field, t),
          operator: t(`executions.skipReasons.operators.${operator}`),
          expected,
          actual: actual === "nothing produced" ? t("executions.skipReasons.nothingProduced") : actual,
        },
      });
    },
  ],
];

function translated(message: string, rules: Rule[], t: Translate): string {
  for (const [pattern, translate] of rules) {
    const match = message.match(pattern);
    if (match) return translate(match, t);
  }
  return message;
}

/** A step's failure message in the page's language. */
export function stepErrorText(message: string, t: Translate): string {
  return translated(message, stepRules, t);
}

/** Why the engine skipped or cancelled a step, in the page's language. */
export function skipReasonText(reason: string, t: Translate): string {
  return translated(reason, skipRules, t);
}

/** A run's failure message ("agent "<name>" failed: <step's message>") in the page's language. */
export function runErrorText(message: string, t: Translate): string {
  const failed = message.match(/^agent "(.+)" failed: (.*)$/s);
  if (!failed) return translated(stepErrorText(message, t), runRules, t);
  const reason = stepErrorText(failed[2], t);
  return reason === failed[2] ? message : t("executions.runErrors.agentFailed", { values: { agent: failed[1], reason } });
}
