import type { Context } from "hono";
import { z } from "zod";
import { ApiError } from "./errors.ts";
import { jsonProblems } from "./schemas/common.ts";

/** One problem with one field; `path` is dotted (`items.0.name`), empty for the value as a whole. */
export interface IssueDetail {
  path: string;
  message: string;
}

const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The request's JSON body, checked against `schema` (use `z.strictObject` so unknown fields are
 * refused rather than silently dropped). Throws the one error shape: 415 `unsupported_media_type`
 * when it is not sent as JSON, 400 `invalid_json` when it is empty or not JSON, 422
 * `validation_failed` with a `{path, message}` per problem when it does not fit the schema.
 */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  if (!jsonContentType.test(c.req.header("content-type") ?? "")) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as JSON, with `Content-Type: application/json`.");
  }
  const text = await c.req.text();
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "The request body is empty: send a JSON object.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
  }
  return checked(schema, value, "The request body");
}

/**
 * A body that may be left out (no Content-Type, no length): checked as `{}` then; when one is sent,
 * as parseJsonBody checks it.
 */
export async function parseOptionalJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const length = c.req.header("content-length");
  const hasBody = c.req.header("content-type") !== undefined || (length !== undefined && length !== "0") ||
    c.req.header("transfer-encoding") !== undefined;
  return hasBody ? await parseJsonBody(c, schema) : checked(schema, {}, "The request body");
}

/**
 * The query string, checked against `schema`. A parameter given once is a string, one repeated
 * (`?tag=a&tag=b`) an array of strings; use `z.coerce.number()` and friends for numbers. 422
 * `validation_failed` when it does not fit.
 */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const query: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(c.req.queries())) query[name] = values.length === 1 ? values[0] : values;
  return checked(schema, query, "The query string");
}

/** The route's path parameters (`/agents/:id`), checked against `schema`; 422 `validation_failed` when they do not fit. */
export function parseParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return checked(schema, c.req.param(), "The path");
}

/**
 * How deep any request may nest, whatever its schema says: a net under the schemas' own bounds
 * (schemas/common.ts `jsonObject`), so nothing deeper ever reaches code that recurses.
 */
export const maxRequestDepth = 32;

/**
 * `value` checked against `schema`, or the 422 `validation_failed` ApiError naming every problem.
 * Before the schema, every string and key anywhere in `value` must be storable (no NUL, no
 * unpaired surrogate) and it may nest at most maxRequestDepth levels: refused naming the field.
 */
export function checked<S extends z.ZodType>(schema: S, value: unknown, what = "The request"): z.output<S> {
  const problems = jsonProblems(value, { maxDepth: maxRequestDepth });
  if (problems.length > 0) {
    throw validationFailed(what, problems.map(({ path, message }) => ({ path: dotted(path), message })));
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationFailed(what, issueDetails(result.error.issues));
}

/** 422 `validation_failed` whose message names the fields, as the one error shape. */
export function validationFailed(what: string, details: IssueDetail[]): ApiError {
  const shown = details.slice(0, 5).map(({ path, message }) => (path ? `${path}: ${message}` : message));
  const more = details.length > shown.length ? ` (and ${details.length - shown.length} more)` : "";
  return new ApiError(422, "validation_failed", `${what} is invalid: ${shown.join("; ")}${more}`, { details });
}

/** Zod's issues as `{path, message}`, one per unknown field rather than one for all of them. */
export function issueDetails(issues: readonly z.core.$ZodIssue[]): IssueDetail[] {
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: dotted([...issue.path, key]), message: "Unknown field." }))
      : [{ path: dotted(issue.path), message: issue.message }]
  );
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join(".");
}

// ─── schema building blocks ───────────────────────────────────────────────────────────────────
// The API's schemas share these with the web app from schemas/common.ts.
export { text, uuid } from "./schemas/common.ts";
