// A Meta inbox's message templates (public.message_templates): /inboxes/:id/templates, and the
// template a person sends outside the 24-hour window (POST /conversations/:id/messages).
import { z } from "zod";
import { storableString, timestamp } from "./common.ts";

export const messageTemplateStatus = z.enum(["approved", "pending", "rejected", "paused", "disabled"]);
export type MessageTemplateStatus = z.infer<typeof messageTemplateStatus>;
export const messageTemplateCategory = z.enum(["marketing", "utility", "authentication"]);

export const messageTemplate = z.object({
  id: z.string(),
  inbox_id: z.string(),
  name: z.string(),
  language: z.string(),
  category: messageTemplateCategory,
  status: messageTemplateStatus,
  body_text: z.string().nullable(),
  body_parameter_count: z.number().int(),
  /** What a send would need besides the body's numbered values (header_media, button_url, ...): empty when Renum can send it. */
  parameters_beyond_body: z.array(z.string()),
  synced_at: timestamp(),
});
export type MessageTemplate = z.infer<typeof messageTemplate>;

export const messageTemplateList = z.object({ items: z.array(messageTemplate) });
export type MessageTemplateList = z.infer<typeof messageTemplateList>;

/** `POST /inboxes/:id/templates/sync`: how many templates the inbox has now, and the list. */
export const templateSyncResult = z.object({ synced: z.number().int(), items: z.array(messageTemplate) });
export type TemplateSyncResult = z.infer<typeof templateSyncResult>;

/** Meta's limits: a name of lower-case letters, digits and underscores; a parameter of at most 1,024 characters, no line breaks or tabs. */
export const templateName = z.string().regex(/^[a-z0-9_]{1,512}$/, { error: "Must be a template name (lower-case letters, digits and _)." });
export const templateLanguage = z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, { error: "Must be a language code such as pt_BR." });
export const templateParameter = storableString()
  .refine((value) => value.trim().length > 0, { error: "Must not be empty." })
  .refine((value) => value.length <= 1024, { error: "Must have at most 1024 characters." })
  .refine((value) => !/[\n\t]/.test(value), { error: "Must not contain line breaks or tabs." });

/** The template of a message: what the person chose, as sent to Meta. */
export const sentTemplate = z.strictObject({
  name: templateName,
  language: templateLanguage,
  parameters: z.array(templateParameter).max(100, { error: "Must have at most 100 parameters." }).default([]),
});
export type SentTemplate = z.infer<typeof sentTemplate>;

/** `PUT /inboxes/:id/window-template`: the template free text goes as outside the window, or null for none. */
export const windowTemplateBody = z.strictObject({
  template: z.strictObject({ name: templateName, language: templateLanguage }).nullable(),
});
export type WindowTemplateBody = z.infer<typeof windowTemplateBody>;
