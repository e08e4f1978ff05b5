// Projects and their interviews (#17): /projects, /projects/:id/launch, /projects/:id/interviews,
// /interviews/:id. The database checks every rule again (migrations 0040xx); these give the
// earlier, friendlier answer.
import { z } from "zod";
import { longText, paginated, text, timestamp, uuid } from "./common.ts";
import { cursorPage, keysetLimit } from "./contacts.ts";
import { templateLanguage, templateName } from "./message-templates.ts";

export const projectType = z.enum(["survey", "campaign", "support"]);
export const projectStatus = z.enum(["draft", "active", "paused", "completed"]);
export const interviewStatus = z.enum(["pending", "invited", "in_progress", "completed", "cancelled", "expired"]);
export const answerType = z.enum(["free_text", "number", "yes_no", "one_of", "date", "scale_1_5"]);

/** One question of a script; `follow_up.ask` is what the interviewer asks next when the answer is `when` (any when absent). */
export const projectQuestion = z.strictObject({
  id: z.string().regex(/^[a-z0-9_]{1,40}$/, { error: "Use 1-40 characters of a-z, 0-9 and _." }),
  text: text(1000),
  answer_type: answerType,
  options: z.array(text(100)).min(2, { error: "Give at least 2 options." }).max(20, { error: "Give at most 20 options." }).optional(),
  required: z.boolean().optional(),
  follow_up: z.strictObject({ ask: text(500), when: text(100).optional() }).optional(),
}).superRefine((question, context) => {
  if (question.answer_type === "one_of" && question.options === undefined) {
    context.addIssue({ code: "custom", path: ["options"], message: "A one_of question needs its options." });
  }
  if (question.answer_type !== "one_of" && question.options !== undefined) {
    context.addIssue({ code: "custom", path: ["options"], message: "Only one_of questions have options." });
  }
});
export type ProjectQuestion = z.infer<typeof projectQuestion>;

const questions = z.array(projectQuestion).max(50, { error: "A script has at most 50 questions." })
  .refine((list) => new Set(list.map((question) => question.id)).size === list.length, { error: "Question ids must differ." });

const hhmm = z.string().regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, { error: "Use HH:MM." });
/** {"mon": [["09:00", "18:00"]], ...}: the hours invitations may go out, per day (absent: none that day). */
const sendingHours = z.partialRecord(
  z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
  z.array(z.tuple([hhmm, hhmm])).max(4, { error: "At most 4 periods a day." }),
);

const wholeNumber = (min: number, max: number) =>
  z.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(min, { error: `Must be between ${min} and ${max}.` }).max(max, { error: `Must be between ${min} and ${max}.` });

const projectFields = {
  name: text(200),
  description: longText(2000).nullable(),
  type: projectType,
  inbox_id: uuid().nullable(),
  responder_team_id: uuid().nullable(),
  questions,
  invitation_text: text(1024).nullable(),
  reminder_text: text(1024).nullable(),
  time_zone: text(64),
  sending_hours: sendingHours.nullable(),
  send_rate_per_minute: wholeNumber(1, 600),
  timeout_hours: wholeNumber(1, 2160),
  reminder_after_hours: wholeNumber(1, 2159).nullable(),
};

/**
 * The Meta message template an invitation goes as outside the 24-hour window, and how its
 * parameters are filled in order: the contact's name (their phone when it has none) or the project's.
 */
export const invitationTemplate = z.strictObject({
  name: templateName,
  language: templateLanguage,
  parameters: z.array(z.enum(["contact_name", "project_name"])).max(10, { error: "Give at most 10 parameters." }).optional(),
});
export type InvitationTemplate = z.infer<typeof invitationTemplate>;

export const project = z.object({
  id: z.string(),
  tenant_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  type: projectType,
  status: projectStatus,
  inbox_id: z.string().nullable(),
  responder_team_id: z.string().nullable(),
  questions: z.array(z.object({ id: z.string(), text: z.string(), answer_type: answerType }).passthrough()),
  invitation_text: z.string().nullable(),
  reminder_text: z.string().nullable(),
  invitation_template: invitationTemplate.nullable().optional(),
  reminder_template: invitationTemplate.nullable().optional(),
  time_zone: z.string(),
  sending_hours: z.record(z.string(), z.unknown()).nullable(),
  send_rate_per_minute: z.number(),
  timeout_hours: z.number(),
  reminder_after_hours: z.number().nullable(),
  launched_at: timestamp().nullable(),
  completed_at: timestamp().nullable(),
  created_by: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type Project = z.infer<typeof project>;
/** A project as GET /projects lists it: with how many interviews it has, and how many completed. */
export const projectListItem = project.extend({ interview_count: z.number().int(), completed_count: z.number().int() });
export type ProjectListItem = z.infer<typeof projectListItem>;
export const projectPage = paginated(projectListItem);
export type ProjectPage = z.infer<typeof projectPage>;

export const projectListQuery = z.strictObject({
  status: projectStatus.optional(),
  page: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." }).min(1, { error: "Pages count from 1." })
    .max(100_000, { error: "Must be at most 100000." }).default(1),
  limit: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." }).min(1, { error: "Must be at least 1." })
    .max(100, { error: "Must be at most 100." }).default(20),
});

export const createProjectBody = z.strictObject({
  name: projectFields.name,
  description: projectFields.description.optional(),
  type: projectFields.type.optional(),
  inbox_id: projectFields.inbox_id.optional(),
  responder_team_id: projectFields.responder_team_id.optional(),
  questions: projectFields.questions.optional(),
  invitation_text: projectFields.invitation_text.optional(),
  reminder_text: projectFields.reminder_text.optional(),
  /** Outside Meta's 24-hour window the invitation goes as this template (a Meta inbox's, approved). */
  invitation_template: invitationTemplate.nullable().optional(),
  /** The reminder's template outside the window (null: the invitation's); filled as the invitation's. */
  reminder_template: invitationTemplate.nullable().optional(),
  time_zone: projectFields.time_zone.optional(),
  sending_hours: projectFields.sending_hours.optional(),
  send_rate_per_minute: projectFields.send_rate_per_minute.optional(),
  timeout_hours: projectFields.timeout_hours.optional(),
  reminder_after_hours: projectFields.reminder_after_hours.optional(),
});
export type CreateProjectBody = z.infer<typeof createProjectBody>;

/** Any of the fields, and `status` (owners and admins: active, paused, completed). */
export const updateProjectBody = createProjectBody.partial().extend({ status: projectStatus.optional() })
  .refine((body) => Object.values(body).some((value) => value !== undefined), { error: "Send at least one field to change." });
export type UpdateProjectBody = z.infer<typeof updateProjectBody>;

export const projectParams = z.strictObject({ id: uuid() });

/** Whom to launch a project to (all given criteria apply together); `all: true` is everybody reachable. */
export const launchSelection = z.strictObject({
  tags_any: z.array(text(40)).min(1).max(20).optional(),
  tags_all: z.array(text(40)).min(1).max(20).optional(),
  contact_ids: z.array(uuid()).min(1).max(10_000, { error: "A launch takes at most 10000 contacts." }).optional(),
  phone_prefix: z.string().regex(/^\+[0-9]{1,14}$/, { error: "Use + and the first digits of the phone (+5511)." }).optional(),
  name_contains: text(100).optional(),
  all: z.literal(true).optional(),
}).refine((selection) => Object.values(selection).some((value) => value !== undefined), {
  error: "Say whom to invite: tags_any, tags_all, contact_ids, phone_prefix, name_contains or all: true.",
});
export type LaunchSelection = z.infer<typeof launchSelection>;

/** A CSV row that was not used, and why (its number counts the header as row 1). */
export const csvRowError = z.object({
  row: z.number().int(),
  phone: z.string().nullable(),
  code: z.enum(["invalid_phone", "duplicate_phone", "invalid_email", "name_too_long", "wrong_column_count"]),
  message: z.string(),
});
export type CsvRowError = z.infer<typeof csvRowError>;

export const launchResult = z.object({
  project_id: z.string(),
  matched: z.number().int(),
  created: z.number().int(),
  already_in_project: z.number().int(),
  skipped_blocked: z.number().int(),
  skipped_opted_out: z.number().int(),
  unknown_contact_ids: z.array(z.string()),
  /** For a CSV upload: its rows, the contacts it added to the company, and the rows not used. */
  csv: z.object({ rows: z.number().int(), contacts_created: z.number().int(), row_errors: z.array(csvRowError) }).optional(),
});
export type LaunchResult = z.infer<typeof launchResult>;

export const interviewContact = z.object({ id: z.string(), name: z.string().nullable(), phone: z.string() });

export const interview = z.object({
  id: z.string(),
  tenant_id: z.string(),
  project_id: z.string(),
  contact_id: z.string(),
  contact: interviewContact,
  conversation_id: z.string().nullable(),
  status: interviewStatus,
  answers: z.record(z.string(), z.object({ value: z.unknown(), answered_at: timestamp(), skipped: z.boolean().optional() }).passthrough()),
  summary: z.string().nullable(),
  sentiment: z.enum(["positive", "neutral", "negative"]).nullable(),
  metadata: z.record(z.string(), z.unknown()),
  invited_at: timestamp().nullable(),
  reminded_at: timestamp().nullable(),
  started_at: timestamp().nullable(),
  completed_at: timestamp().nullable(),
  ended_at: timestamp().nullable(),
  cancel_reason: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type Interview = z.infer<typeof interview>;
export const interviewPage = cursorPage(interview);
export type InterviewPage = z.infer<typeof interviewPage>;

export const interviewListQuery = z.strictObject({
  status: interviewStatus.optional(),
  cursor: z.string().max(200).optional(),
  limit: keysetLimit,
});

export const interviewParams = z.strictObject({ id: uuid() });
export const cancelInterviewBody = z.strictObject({ reason: text(500) });

/** public.project_report: a project's live figures (GET /projects/:id/report). */
export const projectReport = z.object({
  project_id: z.string(),
  interviews: z.object({
    total: z.number(), pending: z.number(), invited: z.number(), in_progress: z.number(),
    completed: z.number(), cancelled: z.number(), expired: z.number(),
  }),
  completion_rate: z.number().nullable(),
  questions: z.array(z.object({
    id: z.string(),
    text: z.string(),
    answer_type: answerType,
    answered: z.number(),
    distribution: z.record(z.string(), z.number()).optional(),
    average: z.number().nullable().optional(),
    min: z.number().nullable().optional(),
    max: z.number().nullable().optional(),
    /** free_text: the 30 most frequent words (accents folded for counting, stop words dropped). */
    words: z.array(z.object({ word: z.string(), count: z.number() })).optional(),
  })),
});
export type ProjectReport = z.infer<typeof projectReport>;
