// Building blocks of the API's request and response schemas. Imported by the `api` function and by
// the web app, so this folder depends on zod (and the generated database types) only.
import { z } from "zod";

/** A uuid in its usual 8-4-4-4-12 hex form, as Postgres writes them (any version). */
export const uuid = () => z.guid({ error: "Must be a uuid." });

/** Text a person types: trimmed, at least `min` (default 1) and at most `max` characters. */
export const text = (max: number, min = 1) =>
  z.string().trim().min(min, { error: min === 1 ? "Must not be empty." : `Must have at least ${min} characters.` })
    .max(max, { error: `Must have at most ${max} characters.` });

/** Free text that may be empty (a description, a prompt): at most `max` characters, kept as typed. */
export const longText = (max: number) => z.string().max(max, { error: `Must have at most ${max} characters.` });

/** An http(s) URL of at most 2048 characters. */
export const httpUrl = () =>
  z.string().trim().max(2048, { error: "Must have at most 2048 characters." })
    .regex(/^https?:\/\/[^\s/$.?#][^\s]*$/i, { error: "Must be an http(s) URL." });

/** A timestamp as the API writes it: ISO 8601 with a UTC offset, as Postgres's JSON gives it. */
export const timestamp = () => z.string();

/** A moment as ISO 8601: a date (midnight UTC) or a date and time with Z or an offset. */
export const isoMoment = () =>
  z.union([z.iso.datetime({ offset: true }), z.iso.date().transform((date) => `${date}T00:00:00Z`)], {
    error: "Must be an ISO 8601 date (2026-01-31) or date and time (2026-01-31T12:00:00Z).",
  });

/** An email address as people type it; compared case-insensitively everywhere. */
export const email = () =>
  z.string().trim().max(320, { error: "Must have at most 320 characters." })
    .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { error: "Must be an email address." })
    .transform((value) => value.toLowerCase());

const pageNumber = z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." });

/** `?page=1&limit=20`: pages count from 1; at most 100 items a page. */
export const paginationQuery = {
  page: pageNumber.min(1, { error: "Pages count from 1." }).max(100_000, { error: "Must be at most 100000." })
    .default(1),
  limit: pageNumber.min(1, { error: "Must be at least 1." }).max(100, { error: "Must be at most 100." }).default(20),
};

export const pageQuery = z.strictObject(paginationQuery);
export type PageQuery = z.infer<typeof pageQuery>;

/** A page of a list: the items, how many there are in all, and which page this is. */
export const paginated = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    limit: z.number().int(),
  });

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/** A short list that is never paginated (the tools registry, one's own provider keys). */
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** The one error shape every endpoint answers with. */
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorResponse = z.infer<typeof errorResponse>;
