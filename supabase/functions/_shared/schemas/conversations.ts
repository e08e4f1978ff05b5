// Conversations of a company's inboxes and their messages: /conversations.
import { z } from "zod";
import { contactStatus, cursorPage, keysetLimit } from "./contacts.ts";
import { inboxProvider } from "./inboxes.ts";
import { storableString, text, timestamp, uuid } from "./common.ts";
import { sentTemplate } from "./message-templates.ts";

export const conversationStatus = z.enum(["open", "pending", "closed"]);
export type ConversationStatus = z.infer<typeof conversationStatus>;
export const conversationAssignee = z.enum(["bot", "member", "unassigned"]);

export const messageDirection = z.enum(["in", "out"]);
export const messageRole = z.enum(["user", "assistant", "human", "system"]);
export const messageType = z.enum(["text", "image", "audio", "video", "document", "location", "reaction", "interactive", "unknown"]);
export const messageStatus = z.enum(["received", "queued", "sent", "delivered", "read", "failed"]);

export const conversation = z.object({
  id: z.string(),
  tenant_id: z.string(),
  inbox_id: z.string(),
  contact_id: z.string(),
  status: conversationStatus,
  assignee: conversationAssignee,
  assignee_user_id: z.string().nullable(),
  last_message_at: timestamp().nullable(),
  last_message_index: z.number().int(),
  unread_count: z.number().int(),
  closed_at: timestamp().nullable(),
  /** When it first left the bot (a handoff, a person taking over); null while only the bot has held it. */
  handed_to_person_at: timestamp().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
  contact: z.object({ id: z.string(), phone: z.string(), name: z.string().nullable(), status: contactStatus }),
  inbox: z.object({ id: z.string(), display_name: z.string(), provider: inboxProvider }),
  /** The newest message, for the list's preview (null before the first one). */
  last_message: z.object({
    direction: messageDirection,
    type: messageType,
    body: z.string().nullable(),
    status: messageStatus,
  }).nullable(),
  /** GET /conversations/:id only: false when Meta takes only templates here (the contact has not written in 24 hours). */
  customer_window_open: z.boolean().optional(),
});
export type Conversation = z.infer<typeof conversation>;

export const conversationPage = cursorPage(conversation);
export type ConversationPage = z.infer<typeof conversationPage>;

export const conversationListQuery = z.strictObject({
  inbox_id: uuid().optional(),
  status: conversationStatus.optional(),
  /** bot, unassigned, me (the caller), or a member's user id. */
  assignee: z.union([z.enum(["bot", "unassigned", "me"]), uuid()], { error: "Must be bot, unassigned, me or a user id." }).optional(),
  /** The contact's name or phone. */
  search: text(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: keysetLimit,
});
export type ConversationListQuery = z.infer<typeof conversationListQuery>;

export const conversationParams = z.strictObject({ id: uuid() });

export const assignBody = z.discriminatedUnion("assignee", [
  z.strictObject({ assignee: z.literal("bot") }),
  z.strictObject({ assignee: z.literal("unassigned") }),
  z.strictObject({ assignee: z.literal("member"), user_id: uuid() }),
], { error: "Must be bot, unassigned or member (with user_id)." });
export type AssignBody = z.infer<typeof assignBody>;

export const message = z.object({
  id: z.string(),
  conversation_id: z.string(),
  message_index: z.number().int(),
  direction: messageDirection,
  role: messageRole,
  type: messageType,
  body: z.string().nullable(),
  media: z.record(z.string(), z.unknown()).nullable(),
  status: messageStatus,
  status_at: timestamp().nullable(),
  error: z.unknown().nullable(),
  sent_by: z.string().nullable(),
  sent_at: timestamp().nullable(),
  created_at: timestamp(),
  /** A template message's template (Meta), its body being the rendered text; null for the others. */
  template: z.object({
    name: z.string(),
    language: z.string(),
    parameters: z.array(z.string()),
    /** The header's value as sent: {format: text, text} or {format: image | video | document, link, filename?}. */
    header: z.object({ format: z.string(), text: z.string().optional(), link: z.string().optional(), filename: z.string().optional() }).optional(),
    /** The buttons' values as sent, by index: {index, type: url | copy_code, value}. */
    buttons: z.array(z.object({ index: z.number().int(), type: z.string(), value: z.string() })).optional(),
  }).nullable().optional(),
});
export type Message = z.infer<typeof message>;

/** Newest first; `next_before` asks for the older ones (null when there are none). */
export const messagePage = z.object({ items: z.array(message), next_before: z.number().int().nullable() });
export type MessagePage = z.infer<typeof messagePage>;

export const messageListQuery = z.strictObject({
  /** Messages with a smaller message_index than this. */
  before: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(2_147_483_647, { error: "Must be at most 2147483647." }).optional(),
  limit: keysetLimit,
});

/**
 * `POST /conversations/:id/messages`: a reply a person writes (longer than 4,096 characters is sent
 * in parts), or on a Meta number one of its approved templates with its parameters (allowed
 * outside the 24-hour window).
 */
export const replyBody = z.strictObject({
  body: storableString().max(65536, { error: "Must have at most 65536 characters." })
    .refine((value) => value.trim().length > 0, { error: "Must not be empty." }).optional(),
  template: sentTemplate.optional(),
}).refine((reply) => (reply.body === undefined) !== (reply.template === undefined), {
  error: "Send either a body or a template.",
  path: ["body"],
});
export type ReplyBody = z.infer<typeof replyBody>;
