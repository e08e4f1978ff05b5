// Buckets, as supabase/storage's src/http/routes/bucket/ and src/storage/storage.ts serve them:
// every statement runs as the caller, so RLS on storage.buckets decides (the service role
// bypasses it; a signed-in user needs a policy, as on Supabase). Bodies are checked as the route
// schemas check them, with fastify's wording.
import { requireServiceRole, callerOf } from "./storage-callers.ts";
import { scopeOf, sendJson, type StorageContext, type StorageRequest } from "./storage-context.ts";
import { fromDatabaseError, storageErrors } from "./storage-errors.ts";
import { jsonBody } from "./request-body.ts";
import { storageConfig } from "./storage-config.ts";
import type { Transaction } from "./storage-database.ts";

const validBucketName = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;
const mimeTypePattern = /^([a-zA-Z0-9\-+.]+)\/([a-zA-Z0-9\-+.]+)(;\s*charset=[a-zA-Z0-9-]+)?$|\*$/;
const sizeWithUnit = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i;
const bucketColumns = "id, name, owner, public, created_at, updated_at, file_size_limit, allowed_mime_types";
const listColumns = "id, name, public, owner, created_at, updated_at, file_size_limit, allowed_mime_types, type";
const sortColumns = new Set(["id", "name", "created_at", "updated_at"]);

export function isValidBucketName(name: string): boolean {
  return name.length > 0 && name.length < 101 && validBucketName.test(name);
}

function mustBeValidBucketName(name: string): void {
  if (!isValidBucketName(name)) throw storageErrors.invalidBucketName();
}

/** Storage's parseFileSizeToBytes (decimal units) and its check against the project's limit. */
function fileSizeLimitInBytes(limit: unknown): number | null | undefined {
  if (limit === undefined || limit === null) return limit;
  let bytes: number;
  if (typeof limit === "string") {
    const match = sizeWithUnit.exec(limit);
    if (!match) throw storageErrors.validation("body/file_size_limit must match a schema in anyOf");
    const value = Number(Number.parseFloat(match[1]).toPrecision(3));
    bytes = value * { gb: 1e9, mb: 1e6, kb: 1e3, b: 1 }[match[2].toLowerCase() as "gb" | "mb" | "kb" | "b"];
  } else if (typeof limit === "number" && Number.isInteger(limit) && limit >= 0) {
    bytes = limit;
  } else {
    throw storageErrors.validation("body/file_size_limit must match a schema in anyOf");
  }
  if (bytes > storageConfig().fileSizeLimit) throw storageErrors.entityTooLarge();
  return bytes;
}

function allowedMimeTypes(value: unknown): string[] | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw storageErrors.validation("body/allowed_mime_types must be array");
  const types = (value as string[]).filter((type) => type);
  for (const type of types) {
    if (type.length > 1000 || !mimeTypePattern.test(type)) throw storageErrors.invalidMimeType(type);
  }
  return types;
}

function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value !== undefined && typeof value !== "boolean") throw storageErrors.validation(`body/${name} must be boolean`);
  return value as boolean | undefined;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value !== undefined && typeof value !== "string") throw storageErrors.validation(`body/${name} must be string`);
  return value as string | undefined;
}

async function inDatabase<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromDatabaseError(error) ?? error;
  }
}

async function bucketRow(tx: Transaction, bucketId: string, columns: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await tx.unsafe(`select row_to_json(b) as bucket from (select ${columns} from storage.buckets where id = $1 limit 1) b`, [bucketId]);
  return row?.bucket as Record<string, unknown> | undefined;
}

export async function listBuckets(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const { query } = request;
  const values: unknown[] = [];
  const conditions: string[] = [];
  const search = query.get("search");
  if (search) {
    values.push(`%${search.replace(/[\\%_]/g, "\\$&")}%`);
    conditions.push(`name ilike $${values.length}`);
  }
  const sortColumn = query.get("sortColumn");
  if (sortColumn !== null && !sortColumns.has(sortColumn)) throw storageErrors.validation("querystring/sortColumn must be equal to one of the allowed values");
  const sortOrder = query.get("sortOrder") === "desc" ? "desc" : "asc";
  let pagination = "";
  for (const [name, minimum] of [["limit", 1], ["offset", 0]] as const) {
    const text = query.get(name);
    if (text === null) continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum) throw storageErrors.validation(`querystring/${name} must be >= ${minimum}`);
    values.push(value);
    pagination += ` ${name} $${values.length}`;
  }
  const statement = `select coalesce(json_agg(b), '[]') as buckets from (select ${listColumns} from storage.buckets
    ${conditions.length ? `where ${conditions.join(" and ")}` : ""} ${sortColumn ? `order by "${sortColumn}" ${sortOrder}` : ""} ${pagination}) b`;
  const [row] = await inDatabase(() => context.db.asCaller(scopeOf(request, caller, "storage.bucket.list"), (tx) => tx.unsafe(statement, values as never[])));
  sendJson(request.outgoing, 200, row.buckets);
}

export async function getBucket(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const bucket = await inDatabase(() => context.db.asCaller(scopeOf(request, caller, "storage.bucket.get"), (tx) => bucketRow(tx, request.params.bucketId, bucketColumns)));
  if (!bucket) throw storageErrors.noSuchBucket();
  sendJson(request.outgoing, 200, bucket);
}

export async function createBucket(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const body = await jsonBody(request.incoming);
  const name = optionalString(body, "name");
  if (name === undefined) throw storageErrors.validation("body must have required property 'name'");
  const id = optionalString(body, "id");
  const isPublic = optionalBoolean(body, "public");
  const type = optionalString(body, "type");
  if (type !== undefined && type !== "STANDARD" && type !== "ANALYTICS") throw storageErrors.validation("body/type must be equal to one of the allowed values");
  if (type === "ANALYTICS") throw storageErrors.featureNotEnabled("iceberg_catalog");
  if (name.trim().length !== name.length) throw storageErrors.invalidBucketName();
  mustBeValidBucketName(name);
  const fileSizeLimit = fileSizeLimitInBytes(body.file_size_limit);
  const mimeTypes = allowedMimeTypes(body.allowed_mime_types);
  const owner = caller.owner;
  const ownerUuid = owner && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[089ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(owner) ? owner : null;
  try {
    await context.db.asCaller(scopeOf(request, caller, "storage.bucket.create"), (tx) => tx`
      insert into storage.buckets (id, name, owner, owner_id, public, allowed_mime_types, file_size_limit, type)
      values (${id || name}, ${name}, ${ownerUuid}, ${owner ?? null}, ${isPublic ?? false}, ${mimeTypes ?? null}, ${fileSizeLimit ?? null}, 'STANDARD')`);
  } catch (error) {
    const mapped = fromDatabaseError(error);
    if (mapped?.code === "ResourceAlreadyExists") throw storageErrors.bucketAlreadyExists();
    throw mapped ?? error;
  }
  sendJson(request.outgoing, 200, { name });
}

export async function updateBucket(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const body = await jsonBody(request.incoming);
  const bucketId = request.params.bucketId;
  const isPublic = optionalBoolean(body, "public");
  if (isPublic === undefined && !("file_size_limit" in body) && !("allowed_mime_types" in body)) {
    throw storageErrors.validation("body must have required property 'public'");
  }
  mustBeValidBucketName(bucketId);
  const fields: Record<string, unknown> = {};
  if (isPublic !== undefined) fields.public = isPublic;
  if ("file_size_limit" in body) fields.file_size_limit = fileSizeLimitInBytes(body.file_size_limit);
  if ("allowed_mime_types" in body) fields.allowed_mime_types = allowedMimeTypes(body.allowed_mime_types);
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  if (entries.length === 0) throw storageErrors.noContentProvided();
  const setClause = entries.map(([column], index) => `"${column}" = $${index + 1}`).join(", ");
  const updated = await inDatabase(() => context.db.asCaller(scopeOf(request, caller, "storage.bucket.update"), (tx) =>
    tx.unsafe(`update storage.buckets set ${setClause} where id = $${entries.length + 1} returning id`, [...entries.map(([, value]) => value), bucketId] as never[])));
  if (updated.length === 0) throw storageErrors.noSuchBucket();
  sendJson(request.outgoing, 200, { message: "Successfully updated" });
}

export async function deleteBucket(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const bucketId = request.params.bucketId;
  const scope = scopeOf(request, caller, "storage.bucket.delete");
  // Storage checks existence and emptiness as the super user, then deletes as the caller.
  const found = await inDatabase(() => context.db.asSuperUser(scope, async (tx) => {
    const [bucket] = await tx`select id from storage.buckets where id = ${bucketId} for update`;
    if (!bucket) return "missing" as const;
    const [object] = await tx`select 1 from storage.objects where bucket_id = ${bucketId} limit 1`;
    return object ? ("not empty" as const) : ("empty" as const);
  }));
  if (found === "missing") throw storageErrors.noSuchBucket();
  if (found === "not empty") throw storageErrors.bucketNotEmpty();
  const deleted = await inDatabase(() => context.db.asCaller(scope, (tx) => tx`delete from storage.buckets where id = ${bucketId} returning id`));
  if (deleted.length === 0) throw storageErrors.noSuchBucket();
  await context.files.removeBucket(bucketId);
  sendJson(request.outgoing, 200, { message: "Successfully deleted" });
}

/**
 * Empties a bucket (service role only). Storage queues the deletion of every object created
 * before the request; the stand-in deletes them before answering, with the same answer.
 */
export async function emptyBucket(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  requireServiceRole(caller);
  const bucketId = request.params.bucketId;
  const scope = scopeOf(request, caller, "storage.bucket.empty");
  const removed = await inDatabase(() => context.db.asCaller(scope, async (tx) => {
    if (!(await bucketRow(tx, bucketId, "id"))) throw storageErrors.noSuchBucket();
    return tx<{ name: string; version: string | null }[]>`delete from storage.objects where bucket_id = ${bucketId} and created_at <= now() returning name, version`;
  }));
  for (const object of removed) await context.files.remove(bucketId, object.name, object.version);
  sendJson(request.outgoing, 200, { message: "Empty bucket has been queued. Completion may take up to an hour." });
}
