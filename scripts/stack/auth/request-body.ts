// Request bodies read the way GoTrue reads them (retrieveRequestParams: json.Unmarshal into a
// struct): unknown fields are ignored, `null` is the zero value, and anything that does not fit
// is 400 bad_json "Could not parse request body as JSON: <Go's decoding error>". The shapes are
// zod schemas; their issues are translated into the wording of Go's encoding/json.
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AuthEnv } from "./auth-env.ts";
import { badRequest } from "./errors.ts";

/** Bodies above this are refused before Auth reads them, as the gateway would (Kong's request-size-limiting). */
export const maxBodyBytes = 1024 * 1024;

const tooLarge = (c: Context) => c.json({ message: "Request size limit exceeded" }, 413);

/**
 * Reads the whole body once, up to maxBodyBytes, into the context's `body` variable; larger
 * bodies get 413 whether or not they declare their length.
 */
export const readBody: MiddlewareHandler<AuthEnv> = async (c, next) => {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > maxBodyBytes) return tooLarge(c);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = c.req.raw.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel();
      return tooLarge(c);
    }
    chunks.push(value);
  }
  c.set("body", Buffer.concat(chunks).toString("utf8"));
  return next();
};

/** A body field as GoTrue declares it: optional, and null means unset. */
export const goString = z.string().nullish();
export const goBool = z.boolean().nullish();
export const goMap = z.record(z.string(), z.unknown()).nullish();

const goTypeNames: Record<string, string> = {
  string: "string",
  boolean: "bool",
  number: "float64",
  record: "map[string]interface {}",
  object: "map[string]interface {}",
};

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "boolean") return "bool";
  return typeof value; // string, number, object
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key], root);
}

/** Go's json.Unmarshal wording, as near as JSON.parse's error allows, for text it refused. */
function syntaxError(text: string): string {
  const first = text.trimStart()[0];
  if (first === undefined) return "unexpected end of JSON input";
  if (!'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
  let message = "";
  try {
    JSON.parse(text);
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  const position = Number(/position (\d+)/.exec(message)?.[1] ?? Number.NaN);
  if (/end of (JSON )?input|Unterminated/i.test(message) || position >= text.trimEnd().length) return "unexpected end of JSON input";
  return Number.isNaN(position) ? "invalid character in JSON input" : `invalid character '${text[position]}' in JSON input`;
}

function unparsable(detail: string) {
  return badRequest("bad_json", `Could not parse request body as JSON: ${detail}`);
}

/**
 * The body as `schema`, or GoTrue's bad_json error. `goStruct` names the Go struct GoTrue decodes
 * into (e.g. "SignupParams"), which its error messages mention.
 */
export async function readParams<T>(c: Context<AuthEnv>, goStruct: string, schema: z.ZodType<T>): Promise<T> {
  const text = c.get("body") ?? "";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unparsable(syntaxError(text));
  }
  if (value === null) value = {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw unparsable(`json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${goStruct}`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const expected = "expected" in issue ? String(issue.expected) : "string";
  const field = issue.path.map(String).join(".");
  throw unparsable(
    `json: cannot unmarshal ${jsonKind(valueAt(value, issue.path))} into Go struct field ${goStruct}.${field} of type ${goTypeNames[expected] ?? expected}`,
  );
}

/** For DELETE, where GoTrue parses the body only when there is one. */
export function hasBody(c: Context<AuthEnv>): boolean {
  return (c.get("body") ?? "").length > 0;
}
