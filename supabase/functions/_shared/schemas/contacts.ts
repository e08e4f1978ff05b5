// The people who write to a company: /contacts.
import { z } from "zod";
import { email, jsonObject, text, timestamp, uuid } from "./common.ts";

export const contactStatus = z.enum(["active", "inactive", "blocked"]);

export const contact = z.object({
  id: z.string(),
  tenant_id: z.string(),
  phone: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  status: contactStatus,
  /** Labels people put on contacts to pick whom a project goes to (trimmed, lower-case, once). */
  tags: z.array(z.string()),
  /** Where the contact stands in the funnel; moved through /contacts/:id/stage and conversion (schemas/leads.ts). */
  lifecycle_stage: z.enum(["lead", "qualified", "customer", "lost"]),
  /** When the contact asked to get no proactive messages (an opt-out word, or a person); null: they may get them. */
  opted_out_at: timestamp().nullable(),
  opt_out_reason: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type Contact = z.infer<typeof contact>;

/** A keyset page: `next_cursor` fetches the next one (null at the end). */
export const cursorPage = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });

export const contactPage = cursorPage(contact);
export type ContactPage = z.infer<typeof contactPage>;

const limit = z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
  .min(1, { error: "Must be at least 1." }).max(100, { error: "Must be at most 100." }).default(50);

export const contactListQuery = z.strictObject({
  /** Name or phone; with it the best matches come first and there is no next page. */
  search: text(100).optional(),
  status: contactStatus.optional(),
  cursor: z.string().max(200).optional(),
  limit,
});

export const contactParams = z.strictObject({ id: uuid() });

export const updateContactBody = z.strictObject({
  name: text(200).nullable().optional(),
  email: email().nullable().optional(),
  metadata: jsonObject({ maxDepth: 8, maxBytes: 16384, maxKeys: 50, maxKeyLength: 100 }).optional(),
  status: contactStatus.optional(),
  tags: z.array(text(40)).max(20, { error: "At most 20 tags." }).optional(),
  /** true opts the contact out of proactive messages (as of now), false brings them back. */
  opted_out: z.boolean().optional(),
  /** Why, kept while the contact stays opted out. */
  opt_out_reason: text(500).nullable().optional(),
}).refine((body) => Object.values(body).some((value) => value !== undefined), {
  error: "Send at least one of name, email, metadata, status, tags, opted_out, opt_out_reason.",
}).refine((body) => !(body.opted_out === false && typeof body.opt_out_reason === "string"), {
  error: "A reason goes with opting out, not with bringing a contact back.",
  path: ["opt_out_reason"],
});
export type UpdateContactBody = z.infer<typeof updateContactBody>;

export { limit as keysetLimit };
