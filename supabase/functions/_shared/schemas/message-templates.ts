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
  /** What a send would need besides the body's numbered values (header_media, button_url, ...): empty when an automatic send can use it. */
  parameters_beyond_body: z.array(z.string()),
  /** What of that Renum cannot send whoever gives it (body_named_parameters, carousel, ...): empty when a person can send it. */
  parameters_unsendable: z.array(z.string()),
  /** The values a person gives besides the body's: the header's (its text with {{1}}, or the kind of media) and the buttons' by index. */
  values_to_give: z.object({
    header: z.union([
      z.object({ format: z.literal("text"), text: z.string() }),
      z.object({ format: z.enum(["image", "video", "document"]) }),
    ]).nullable(),
    buttons: z.array(z.union([
      z.object({ index: z.number().int(), type: z.literal("url"), text: z.string().nullable(), url: z.string() }),
      z.object({ index: z.number().int(), type: z.literal("copy_code") }),
    ])),
  }),
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

/**
 * A header's value: the text for a text header's {{1}}, or the public https link of its image,
 * video or document (a document may name its file). The database checks it fits the template
 * (template_header_missing / _not_expected / _invalid / _link_invalid).
 */
export const templateHeaderValue = z.union([
  z.strictObject({ text: storableString().max(1024, { error: "Must have at most 1024 characters." }) }),
  z.strictObject({
    link: storableString().max(2048, { error: "Must have at most 2048 characters." }),
    filename: storableString().max(240, { error: "Must have at most 240 characters." }).optional(),
  }),
], { error: "Must be {text} or {link, filename?}." });

/** A button's value by its position among the template's buttons: a URL's end ({{1}}) or the code to copy. */
export const templateButtonValue = z.strictObject({
  index: z.number().int().min(0, { error: "Must be at least 0." }).max(9, { error: "Must be at most 9." }),
  value: storableString().max(2000, { error: "Must have at most 2000 characters." }),
});

/** The template of a message: what the person chose, as sent to Meta. */
export const sentTemplate = z.strictObject({
  name: templateName,
  language: templateLanguage,
  parameters: z.array(templateParameter).max(100, { error: "Must have at most 100 parameters." }).default([]),
  header: templateHeaderValue.optional(),
  buttons: z.array(templateButtonValue).max(10, { error: "Must have at most 10 buttons." }).optional(),
});
export type SentTemplate = z.infer<typeof sentTemplate>;

/** `PUT /inboxes/:id/window-template`: the template free text goes as outside the window, or null for none. */
export const windowTemplateBody = z.strictObject({
  template: z.strictObject({ name: templateName, language: templateLanguage }).nullable(),
});
export type WindowTemplateBody = z.infer<typeof windowTemplateBody>;
