// A run's or step's failure as the engine wrote it (English, for the log), in the page's language
// where the app knows its shape: a provider key refused for the address an agent calls (the
// executor's key-destination check), inside "agent "<name>" failed: ..." for the run. Anything
// else is shown as the engine wrote it.
import type { Translate } from "$lib/i18n/api-messages";

type Rule = [RegExp, (match: RegExpMatchArray, t: Translate) => string];

const stepRules: Rule[] = [
  [
    /^the (\S+) key for this run was stored for (\S+) and is not sent to (\S+?): /,
    ([, service, storedFor, destination], t) => t("executions.runErrors.keyStoredElsewhere", { values: { service, storedFor, destination } }),
  ],
  [
    /^the (\S+) key for this run is only sent to (.+?)'s own address, and this agent calls (\S+?): /,
    ([, service, provider, destination], t) => t("executions.runErrors.keyFirstPartyOnly", { values: { service, provider, destination } }),
  ],
];

/** A step's failure message in the page's language. */
export function stepErrorText(message: string, t: Translate): string {
  for (const [pattern, translate] of stepRules) {
    const match = message.match(pattern);
    if (match) return translate(match, t);
  }
  return message;
}

/** A run's failure message ("agent "<name>" failed: <step's message>") in the page's language. */
export function runErrorText(message: string, t: Translate): string {
  const failed = message.match(/^agent "(.+)" failed: (.*)$/s);
  if (!failed) return stepErrorText(message, t);
  const reason = stepErrorText(failed[2], t);
  return reason === failed[2] ? message : t("executions.runErrors.agentFailed", { values: { agent: failed[1], reason } });
}
