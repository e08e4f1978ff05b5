import { validationFailed } from "../../_shared/validation.ts";

/**
 * Keyset cursors: the sort key of the last item of a page, as opaque base64url JSON, so a page
 * never skips or repeats an item when rows are added meanwhile (as OFFSET would). A cursor that
 * does not decode to the expected shape is 422 on `cursor`.
 */
export function encodeCursor(key: Record<string, string | number | null>): string {
  return btoa(JSON.stringify(key)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor<K extends string>(
  cursor: string | undefined,
  fields: Record<K, CursorField>,
): Record<K, string | null> | null {
  if (cursor === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    throw badCursor();
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badCursor();
  const record = value as Record<string, unknown>;
  const keys = Object.keys(fields) as K[];
  if (Object.keys(record).length !== keys.length) throw badCursor();
  for (const key of keys) {
    if (!fitsField(record[key], fields[key])) throw badCursor();
  }
  return record as Record<K, string | null>;
}

/** uuid; text (at most 100 characters); a timestamp as Postgres's JSON writes it, or null. */
export type CursorField = "uuid" | "text" | "timestamp-or-null";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2}|Z)$/;

function fitsField(value: unknown, field: CursorField): boolean {
  switch (field) {
    case "uuid":
      return typeof value === "string" && uuidPattern.test(value);
    case "text":
      return typeof value === "string" && value.length <= 100;
    case "timestamp-or-null":
      return value === null || (typeof value === "string" && timestampPattern.test(value));
  }
}

function badCursor() {
  return validationFailed("The query string", [{ path: "cursor", message: "Not a cursor this list gave: start again without it." }]);
}
