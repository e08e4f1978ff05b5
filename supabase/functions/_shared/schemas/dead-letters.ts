// Replies that could not be delivered after every retry (#13), for the company's owners and
// admins: /dead-letters.
import { z } from "zod";
import { cursorPage, keysetLimit } from "./contacts.ts";
import { messageRole } from "./conversations.ts";
import { timestamp, uuid } from "./common.ts";

export const deadLetter = z.object({
  id: z.string(),
  message_id: z.string(),
  conversation_id: z.string(),
  inbox_id: z.string(),
  inbox_name: z.string(),
  contact_phone: z.string(),
  contact_name: z.string().nullable(),
  role: messageRole,
  body: z.string().nullable(),
  attempts: z.number().int(),
  /** {code, message, http_status}: what went wrong the last time, in our words. */
  last_error: z.record(z.string(), z.unknown()).nullable(),
  failed_at: timestamp(),
  created_at: timestamp(),
});
export type DeadLetter = z.infer<typeof deadLetter>;

export const deadLetterPage = cursorPage(deadLetter);
export type DeadLetterPage = z.infer<typeof deadLetterPage>;

export const deadLetterListQuery = z.strictObject({
  inbox_id: uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: keysetLimit,
});

export const deadLetterParams = z.strictObject({ id: uuid() });

/** What a retry or a discard answers: the reply's message and where it stands now. */
export const deadLetterOutcome = z.object({ message_id: z.string(), status: z.enum(["queued", "failed"]) });
export type DeadLetterOutcome = z.infer<typeof deadLetterOutcome>;
