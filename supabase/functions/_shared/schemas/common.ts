// Building blocks of the API's request and response schemas. Imported by the `api` function and by
// the web app, so this folder depends on zod (and the generated database types) only.
import { z } from "zod";

/** A uuid in its usual 8-4-4-4-12 hex form, as Postgres writes them (any version). */
export const uuid = () => z.guid({ error: "Must be a uuid." });

// ─── input bounds ─────────────────────────────────────────────────────────────────────────────
// What the database cannot store or walk is refused here first, with the field's path:
// NUL (Postgres text has no NUL, jsonb no \u0000) and unpaired UTF-16 surrogates (they would be
// silently replaced by U+FFFD on the way to the database), JSON nested deeper than its column
// allows (supabase/migrations/20261122000050_input_bounds.sql has the same limits in CHECKs), and
// numbers beyond what anything here means.

/** A NUL character or a surrogate half without its other half. */
// deno-lint-ignore no-control-regex
const unstorableCharacter = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const unstorableTextMessage = "Must not contain NUL characters or unpaired UTF-16 surrogates.";

/** True when the database can store `value` as text as it is. */
export const isStorableText = (value: string) => !unstorableCharacter.test(value);

/** The largest number a free-form JSON value may hold (a number, not a money amount or an id). */
export const maxJsonNumber = 1e15;

export interface JsonBounds {
  /** Levels of nesting: `{}` is 1, `{"a": []}` is 2 (as private.jsonb_depth counts). */
  maxDepth: number;
  /** Bytes of the value written as JSON (unchecked when absent). */
  maxBytes?: number;
  /** The largest magnitude a number may have (unchecked when absent). */
  maxNumber?: number;
}

/** One problem found in a JSON value, at a path relative to it. */
export interface JsonProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Every problem of `value` against `bounds` (at most `limit` of them): too deep, unstorable text in
 * a string or a key, a number that is not finite or beyond ±maxNumber, too many bytes. Walks with an
 * explicit stack, so a value nested a million levels deep costs nothing and overflows nothing; the
 * byte size is measured only once the depth is known to be within bounds.
 */
export function jsonProblems(value: unknown, bounds: JsonBounds, limit = 10): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const pending: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 1 }];
  while (pending.length > 0 && problems.length < limit) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === "string") {
      if (!isStorableText(current)) problems.push({ path, message: unstorableTextMessage });
    } else if (typeof current === "number" && bounds.maxNumber !== undefined) {
      if (!Number.isFinite(current) || Math.abs(current) > bounds.maxNumber) {
        problems.push({ path, message: `Must be a number between -${bounds.maxNumber} and ${bounds.maxNumber}.` });
      }
    } else if (current !== null && typeof current === "object") {
      if (depth > bounds.maxDepth) {
        problems.push({ path, message: `Must not nest more than ${bounds.maxDepth} levels deep.` });
        continue;
      }
      const entries = Array.isArray(current) ? current.map((item, index) => [index, item] as const) : Object.entries(current);
      for (const [key, child] of entries) {
        if (typeof key === "string" && !isStorableText(key)) problems.push({ path: [...path, key], message: `Its name: ${unstorableTextMessage}` });
        pending.push({ value: child, path: [...path, key], depth: depth + 1 });
      }
    }
  }
  if (problems.length === 0 && bounds.maxBytes !== undefined) {
    const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
    if (bytes > bounds.maxBytes) problems.push({ path: [], message: `Must be at most ${bounds.maxBytes} bytes as JSON (it is ${bytes}).` });
  }
  return problems;
}

/**
 * A JSON object field (an agent's config, a run's variables): at most `maxKeys` keys of at most
 * `maxKeyLength` characters, each value any JSON within `bounds`. The one helper for every free-form
 * JSON field of the API, so every such field has a depth, a size and bounded numbers; problems are
 * reported at their own path (`config.stop.1`).
 */
export const jsonObject = (
  options: Required<Pick<JsonBounds, "maxDepth" | "maxBytes">> & {
    maxKeys: number;
    maxKeyLength: number;
    keyMinLength?: number;
  },
) =>
  z.record(
    z.string().min(options.keyMinLength ?? 0, { error: "Must not be empty." })
      .max(options.maxKeyLength, { error: `Must have at most ${options.maxKeyLength} characters.` }),
    z.unknown(),
  ).superRefine((value, context) => {
    const keys = Object.keys(value).length;
    if (keys > options.maxKeys) context.addIssue({ code: "custom", message: `Must have at most ${options.maxKeys} entries.` });
    for (const problem of jsonProblems(value, { ...options, maxNumber: maxJsonNumber })) {
      context.addIssue({ code: "custom", path: problem.path, message: problem.message });
    }
  });

/** A string the database can store as it is (no NUL, no unpaired surrogate). */
export const storableString = () => z.string().refine(isStorableText, { error: unstorableTextMessage });

/** Text a person types: trimmed, at least `min` (default 1) and at most `max` characters. */
export const text = (max: number, min = 1) =>
  storableString().trim().min(min, { error: min === 1 ? "Must not be empty." : `Must have at least ${min} characters.` })
    .max(max, { error: `Must have at most ${max} characters.` });

/** Free text that may be empty (a description, a prompt): at most `max` characters, kept as typed. */
export const longText = (max: number) => storableString().max(max, { error: `Must have at most ${max} characters.` });

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
