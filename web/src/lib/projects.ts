// The project form (/projects/new, /projects/[id]/edit): how its fields are written from a
// project and read back into the API's body. The script is a list of questions, each its own
// fields `q<n>_id`, `q<n>_text`, `q<n>_type`, `q<n>_options` (one option a line, for one_of),
// `q<n>_required`; a day's sending hours are typed as in the responder form ("09:00-18:00", empty:
// no invitations that day; every day empty: any time). The API's error paths (questions.0.options)
// are turned into these field names so each message lands next to its field.
// No zod here (see choices.ts): the answer types are the schema's own, checked by projects.test.ts.
import type { Project } from "$schemas/projects.ts";
import { hoursText, parseHours, weekdays } from "./responder-form";

export const answerTypes = ["free_text", "number", "yes_no", "one_of", "date", "scale_1_5"] as const;
export type AnswerType = (typeof answerTypes)[number];
export const projectTypes = ["survey", "campaign", "support"] as const;

/** One question as the form edits it. */
export interface QuestionDraft {
  id: string;
  text: string;
  answer_type: AnswerType;
  /** One option a line. */
  options: string;
  required: boolean;
  /** Kept as it was (the form does not edit follow-ups). */
  follow_up?: unknown;
}

export function blankQuestion(position: number): QuestionDraft {
  return { id: `q${position}`, text: "", answer_type: "free_text", options: "", required: true };
}

/** The project's script as the form shows it. */
export function questionDrafts(questions: Project["questions"]): QuestionDraft[] {
  return questions.map((question) => ({
    id: question.id,
    text: question.text,
    answer_type: question.answer_type,
    options: Array.isArray(question.options) ? (question.options as string[]).join("\n") : "",
    required: question.required !== false,
    ...(question.follow_up ? { follow_up: question.follow_up } : {}),
  }));
}

/** The questions as sent back after a failure (the form's own field names), else none. */
export function typedQuestions(values: Record<string, string>): QuestionDraft[] | null {
  if (values.question_count === undefined) return null;
  const count = Number(values.question_count);
  if (!Number.isInteger(count) || count < 0) return null;
  const drafts: QuestionDraft[] = [];
  for (let index = 0; index < Math.min(count, 50); index++) {
    const type = values[`q${index}_type`] as AnswerType;
    drafts.push({
      id: values[`q${index}_id`] ?? "",
      text: values[`q${index}_text`] ?? "",
      answer_type: answerTypes.includes(type) ? type : "free_text",
      options: values[`q${index}_options`] ?? "",
      required: values[`q${index}_required`] === "on",
      ...(values[`q${index}_follow_up`] ? { follow_up: safeJson(values[`q${index}_follow_up`]) } : {}),
    });
  }
  return drafts;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The form's values for a project (none: a new one's defaults). */
export function projectFormValues(project: Project | null): Record<string, string> {
  const values: Record<string, string> = {
    name: project?.name ?? "",
    description: project?.description ?? "",
    type: project?.type ?? "survey",
    inbox_id: project?.inbox_id ?? "",
    responder_team_id: project?.responder_team_id ?? "",
    invitation_text: project?.invitation_text ?? "",
    reminder_text: project?.reminder_text ?? "",
    invitation_template: project?.invitation_template ? `${project.invitation_template.name}|${project.invitation_template.language}` : "",
    invitation_template_parameters: project?.invitation_template?.parameters?.join(",") ?? "",
    reminder_template: project?.reminder_template ? `${project.reminder_template.name}|${project.reminder_template.language}` : "",
    reminder_template_parameters: project?.reminder_template?.parameters?.join(",") ?? "",
    time_zone: project?.time_zone ?? "America/Sao_Paulo",
    send_rate_per_minute: String(project?.send_rate_per_minute ?? 20),
    timeout_hours: String(project?.timeout_hours ?? 72),
    reminder_after_hours: project ? (project.reminder_after_hours === null ? "" : String(project.reminder_after_hours)) : "24",
  };
  const hours = (project?.sending_hours ?? null) as Record<string, [string, string][]> | null;
  for (const day of weekdays) values[`hours_${day}`] = hoursText(hours?.[day]);
  return values;
}

/** A number as typed, the text itself for the API to refuse, or undefined when blank (the default, or unchanged). */
function numberOrText(text: string): number | string | undefined {
  if (text.trim() === "") return undefined;
  const number = Number(text.trim().replace(",", "."));
  return Number.isFinite(number) ? number : text;
}

/** What fills an invitation template's variables, in order (the form's choices). */
export const invitationParameterChoices = ["", "contact_name", "project_name", "contact_name,project_name", "project_name,contact_name"] as const;

/** The form's `name|language` and parameter choice as the API's invitation_template or reminder_template (null: none). */
function invitationTemplateOf(chosen: string, parameters: string): Record<string, unknown> | null {
  if (chosen === "") return null;
  const [name, language = ""] = chosen.split("|");
  return { name, language, parameters: parameters === "" ? [] : parameters.split(",") };
}

/**
 * The API's body from the form's values. `questions` is left out when the form sent no
 * `question_count` (a project that left draft: its script is fixed and the form shows it read-only).
 */
export function projectBody(values: Record<string, string>): Record<string, unknown> {
  const get = (name: string) => (values[name] ?? "").trim();
  const orNull = (name: string) => get(name) || null;
  let sending_hours: Record<string, [string, string][]> | null = {};
  for (const day of weekdays) {
    const periods = parseHours(get(`hours_${day}`));
    if (periods.length > 0) sending_hours[day] = periods;
  }
  if (Object.keys(sending_hours).length === 0) sending_hours = null;
  const body: Record<string, unknown> = {
    name: values.name ?? "",
    description: orNull("description"),
    type: get("type") || "survey",
    inbox_id: orNull("inbox_id"),
    responder_team_id: orNull("responder_team_id"),
    invitation_text: orNull("invitation_text"),
    reminder_text: orNull("reminder_text"),
    invitation_template: invitationTemplateOf(get("invitation_template"), get("invitation_template_parameters")),
    reminder_template: invitationTemplateOf(get("reminder_template"), get("reminder_template_parameters")),
    time_zone: get("time_zone") || "America/Sao_Paulo",
    sending_hours,
    send_rate_per_minute: numberOrText(get("send_rate_per_minute")),
    timeout_hours: numberOrText(get("timeout_hours")),
    reminder_after_hours: get("reminder_after_hours") === "" ? null : numberOrText(get("reminder_after_hours")),
  };
  for (const name of ["send_rate_per_minute", "timeout_hours"]) if (body[name] === undefined) delete body[name];
  const drafts = typedQuestions(values);
  if (drafts) {
    body.questions = drafts.map((draft) => {
      const question: Record<string, unknown> = { id: draft.id.trim(), text: draft.text.trim(), answer_type: draft.answer_type, required: draft.required };
      if (draft.answer_type === "one_of") question.options = draft.options.split("\n").map((option) => option.trim()).filter(Boolean);
      if (draft.follow_up !== undefined) question.follow_up = draft.follow_up;
      return question;
    });
  }
  return body;
}

/** An API error path as the form's field name: questions.2.options → q2_options, sending_hours.mon → hours_mon. */
export function formFieldOf(path: string): string {
  const question = path.match(/^questions\.(\d+)\.([a-z_]+)/);
  if (question) return `q${question[1]}_${question[2] === "answer_type" ? "type" : question[2]}`;
  const hours = path.match(/^sending_hours\.([a-z]{3})/);
  if (hours) return `hours_${hours[1]}`;
  return path;
}

/** The field messages of a failure, under the form's field names. */
export function projectFieldErrors(fields: Record<string, string>): Record<string, string> {
  const named: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) named[formFieldOf(path)] ??= message;
  return named;
}

/** The launch form's selection (tags typed comma-separated); empty criteria are left out. */
export function launchSelectionBody(values: Record<string, string>): Record<string, unknown> {
  const list = (name: string) => (values[name] ?? "").split(",").map((tag) => tag.trim().toLowerCase()).filter(Boolean);
  const selection: Record<string, unknown> = {};
  if (list("tags_any").length > 0) selection.tags_any = list("tags_any");
  if (list("tags_all").length > 0) selection.tags_all = list("tags_all");
  const prefix = (values.phone_prefix ?? "").trim();
  if (prefix) selection.phone_prefix = prefix;
  const name = (values.name_contains ?? "").trim();
  if (name) selection.name_contains = name;
  if (values.all === "on") selection.all = true;
  return selection;
}

/** What one may do to an interview in its status (the database says the same: interview_not_cancellable / _resendable). */
export function interviewActions(status: string): { cancel: boolean; resend: boolean } {
  return { cancel: ["pending", "invited", "in_progress"].includes(status), resend: ["invited", "expired"].includes(status) };
}

/** A recorded answer as people read it: yes/no in words, numbers in the page's language. */
export function answerText(
  value: unknown,
  answerType: string,
  words: { yes: string; no: string },
  number: (value: number) => string,
): string {
  if (value === null || value === undefined) return "";
  if (answerType === "yes_no" && typeof value === "boolean") return value ? words.yes : words.no;
  if (typeof value === "number") return number(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A free-text question's most frequent words (project_report) as bars, in the report's order. */
export function wordBars(question: { words?: readonly { word: string; count: number }[] }): { label: string; value: number }[] {
  return (question.words ?? []).map(({ word, count }) => ({ label: word, value: count }));
}

/**
 * A question's distribution (project_report) as bars: options in the script's order (those nobody
 * chose at zero), yes before no, 1 to 5; a value the script no longer names comes last.
 */
export function distributionBars(
  question: { answer_type: string; distribution?: Record<string, number> },
  options: readonly string[],
  words: { yes: string; no: string },
): { label: string; value: number }[] {
  const distribution = question.distribution ?? {};
  let keys: { key: string; label: string }[] = [];
  if (question.answer_type === "yes_no") keys = [{ key: "true", label: words.yes }, { key: "false", label: words.no }];
  else if (question.answer_type === "scale_1_5") keys = ["1", "2", "3", "4", "5"].map((key) => ({ key, label: key }));
  else keys = options.map((option) => ({ key: option, label: option }));
  const known = new Set(keys.map(({ key }) => key));
  const extra = Object.keys(distribution).filter((key) => !known.has(key)).map((key) => ({ key, label: key }));
  return [...keys, ...extra].map(({ key, label }) => ({ label, value: distribution[key] ?? 0 }));
}
