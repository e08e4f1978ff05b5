// The responder settings form (/settings/inboxes/responder/<inbox id or "default">): how its fields
// are written from the API's settings and read back into the API's body, and which field an API
// error path belongs to. Lists are typed as comma-separated text, a day's hours as
// "09:00-12:00, 13:00-18:00" (empty: closed), the debounce in seconds.
// No zod here (see choices.ts): the days are the schema's own, checked by responder-form.test.ts.
import type { BusinessHours, ResponderSettings, Weekday } from "$schemas/responders.ts";

export const weekdays: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** "09:00-12:00, 13:00-18:00" for a day's periods. */
export function hoursText(periods: [string, string][] | undefined): string {
  return (periods ?? []).map(([from, to]) => `${from}-${to}`).join(", ");
}

/** A day's periods as typed; what is not "from-to" is passed on whole, for the API to name. */
export function parseHours(text: string): [string, string][] {
  return text.split(/[,;]/).map((part) => part.trim()).filter(Boolean).map((part) => {
    const match = part.match(/^(\S+?)\s*[-–—]\s*(\S+)$/);
    return match ? [match[1], match[2]] : [part, ""];
  });
}

/** A comma-separated list as typed → its items, trimmed, blanks left out. */
export function parseWords(text: string): string[] {
  return text.split(",").map((word) => word.trim()).filter(Boolean);
}

/** The form's values for these settings. */
export function formValues(settings: ResponderSettings): Record<string, string> {
  const values: Record<string, string> = {
    team_id: settings.team_id ?? "",
    always_open: settings.business_hours === null ? "on" : "",
    time_zone: settings.time_zone,
    out_of_hours_reply: settings.out_of_hours_reply ?? "",
    handoff_keywords: settings.handoff_keywords.join(", "),
    max_bot_turns: String(settings.max_bot_turns),
    debounce_seconds: String(settings.debounce_ms / 1000),
    history_messages: String(settings.history_messages),
    opt_out_words: settings.opt_out_words.join(", "),
    opt_in_words: settings.opt_in_words.join(", "),
  };
  for (const day of weekdays) values[`hours_${day}`] = hoursText(settings.business_hours?.[day]);
  return values;
}

/** A number as typed, or the text itself for the API to refuse. */
function numberOrText(text: string): number | string {
  const number = Number(text.trim().replace(",", "."));
  return text.trim() !== "" && Number.isFinite(number) ? number : text;
}

/** The API's PUT body from the form's values. */
export function settingsBody(values: Record<string, string>): Record<string, unknown> {
  const get = (name: string) => values[name] ?? "";
  let business_hours: BusinessHours | null = null;
  if (get("always_open") !== "on") {
    business_hours = {};
    for (const day of weekdays) {
      const periods = parseHours(get(`hours_${day}`));
      if (periods.length > 0) business_hours[day] = periods;
    }
  }
  const seconds = numberOrText(get("debounce_seconds"));
  return {
    team_id: get("team_id") || null,
    time_zone: get("time_zone").trim(),
    business_hours,
    out_of_hours_reply: get("out_of_hours_reply").trim() || null,
    handoff_keywords: parseWords(get("handoff_keywords")),
    max_bot_turns: numberOrText(get("max_bot_turns")),
    debounce_ms: typeof seconds === "number" ? Math.round(seconds * 1000) : seconds,
    history_messages: numberOrText(get("history_messages")),
    opt_out_words: parseWords(get("opt_out_words")),
    opt_in_words: parseWords(get("opt_in_words")),
  };
}

/** The form field an API error path belongs to ("business_hours.mon.0" → "hours_mon"). */
export function fieldOfPath(path: string): string {
  const [head, next] = path.split(".");
  if (head === "business_hours" && next && (weekdays as readonly string[]).includes(next)) return `hours_${next as Weekday}`;
  if (head === "business_hours") return "hours_mon";
  if (head === "debounce_ms") return "debounce_seconds";
  return head;
}

/** Field errors by form field (the first message of each). */
export function formFieldErrors(fields: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) errors[fieldOfPath(path)] ??= message;
  return errors;
}
