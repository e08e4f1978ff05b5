// Objects, as supabase/storage's src/http/routes/object/ and src/storage/object.ts,
// uploader.ts and renderer/ serve them. Who may do what is decided by the RLS policies on
// storage.objects, evaluated as the caller:
//   upload    an INSERT (x-upsert: INSERT ... ON CONFLICT DO UPDATE) as the caller, rolled back
//             (Storage's testPermission), before the file is written; the row is then written as
//             the super user pointing at the new version, and the old version's file removed;
//   download  a SELECT as the caller (a public bucket's objects are read without policies);
//   list      storage.search() as the caller;
//   remove    a DELETE ... RETURNING as the caller: what the policies hide is silently kept.
import { randomUUID } from "node:crypto";
import { callerOf } from "./storage-callers.ts";
import { scopeOf, sendJson, type StorageContext, type StorageRequest } from "./storage-context.ts";
import { lockObject, type RequestScope, type Transaction } from "./storage-database.ts";
import { fromDatabaseError, storageErrors } from "./storage-errors.ts";
import { storageConfig } from "./storage-config.ts";
import { jsonBody, uploadedFile } from "./request-body.ts";
import { parseRangeHeader } from "./byte-ranges.ts";

const validObjectKey = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[089ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// Storage's MAX_OBJECTS_PER_REQUEST for a bulk delete.
const maxObjectsPerRequest = 1000;

export function mustBeValidKey(key: string): void {
  if (!(key.length > 0 && validObjectKey.test(key))) throw storageErrors.invalidKey(key);
}

export const isEmptyFolder = (name: string) => name.endsWith(".emptyFolderPlaceholder");

/** Runs database work, turning a database error into Storage's error for it. */
export async function inDatabase<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromDatabaseError(error) ?? error;
  }
}

export interface BucketLimits {
  id: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

/** The bucket, looked up as the super user, as Storage does before every object operation. */
export async function bucketFor(context: StorageContext, scope: RequestScope, bucketId: string): Promise<BucketLimits | undefined> {
  const [bucket] = await inDatabase(() => context.db.asSuperUser(scope, (tx) => tx<BucketLimits[]>`
    select id, public, file_size_limit, allowed_mime_types from storage.buckets where id = ${bucketId} limit 1`));
  return bucket ? { ...bucket, file_size_limit: bucket.file_size_limit === null ? null : Number(bucket.file_size_limit) } : undefined;
}

/** Storage's getStandardMaxFileSizeLimit: the smaller of the project's limit and the bucket's. */
export function maxFileSizeOf(bucket: BucketLimits): number {
  const projectLimit = storageConfig().fileSizeLimit;
  return bucket.file_size_limit === null ? projectLimit : Math.min(bucket.file_size_limit, projectLimit);
}

interface ObjectRowInput {
  bucketId: string;
  name: string;
  owner: string | undefined;
  version: string;
  metadata: Record<string, unknown>;
  userMetadata: Record<string, unknown> | undefined;
}

/** Storage's createObject / upsertObject: one INSERT, ON CONFLICT DO UPDATE when upserting. */
export function writeObjectRow(tx: Transaction, row: ObjectRowInput, upsert: boolean) {
  const ownerUuid = row.owner && uuidPattern.test(row.owner) ? row.owner : null;
  const userMetadata = row.userMetadata === undefined ? null : tx.json(row.userMetadata as never);
  if (!upsert) {
    return tx<{ id: string }[]>`
      insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
      values (${row.bucketId}, ${row.name}, ${ownerUuid}, ${row.owner ?? null}, ${tx.json(row.metadata as never)}, ${userMetadata}, ${row.version})
      returning id`;
  }
  return tx<{ id: string }[]>`
    insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
    values (${row.bucketId}, ${row.name}, ${ownerUuid}, ${row.owner ?? null}, ${tx.json(row.metadata as never)}, ${userMetadata}, ${row.version})
    on conflict (name, bucket_id) do update set
      metadata = excluded.metadata, user_metadata = excluded.user_metadata, version = excluded.version,
      owner = excluded.owner, owner_id = excluded.owner_id
    returning id`;
}

/** What a failed permission check becomes: a duplicate is KeyAlreadyExists when not upserting. */
export function permissionError(error: unknown): unknown {
  const mapped = fromDatabaseError(error);
  if (mapped?.code === "ResourceAlreadyExists") return storageErrors.keyAlreadyExists();
  return mapped ?? error;
}

/**
 * Stores `content` as the new version of an object and points the row at it, as the super user,
 * after the caller's permission was checked; removes the version it replaces. Answers the row's id.
 */
export async function storeVersion(
  context: StorageContext,
  scope: RequestScope,
  target: { bucketId: string; name: string; owner: string | undefined; userMetadata: Record<string, unknown> | undefined },
  content: Buffer,
  file: { mimeType: string; cacheControl: string },
): Promise<string> {
  const version = randomUUID();
  const stored = await context.files.write(target.bucketId, target.name, version, content);
  const metadata = {
    eTag: stored.eTag,
    size: stored.size,
    mimetype: file.mimeType,
    cacheControl: file.cacheControl,
    lastModified: stored.lastModified.toISOString(),
    contentLength: stored.size,
    httpStatusCode: 200,
  };
  try {
    const { id, replaced } = await inDatabase(() => context.db.asSuperUser(scope, async (tx) => {
      await lockObject(tx, target.bucketId, target.name);
      const [current] = await tx<{ version: string | null }[]>`
        select version from storage.objects where bucket_id = ${target.bucketId} and name = ${target.name} for update`;
      const [row] = await writeObjectRow(tx, { ...target, version, metadata }, true);
      return { id: row.id, replaced: current?.version ?? null };
    }));
    if (replaced && replaced !== version) await context.files.remove(target.bucketId, target.name, replaced);
    return id;
  } catch (error) {
    await context.files.remove(target.bucketId, target.name, version);
    throw error;
  }
}

/** POST (x-upsert: true to replace) and PUT (always replaces) /object/<bucket>/<name>. */
export async function uploadObject(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const { bucketName } = request.params;
  const name = request.params["*"];
  const upsert = request.method === "PUT" || request.incoming.headers["x-upsert"] === "true";
  const scope = scopeOf(request, caller, request.method === "PUT" ? "storage.object.upload_update" : "storage.object.upload");
  const bucket = await bucketFor(context, scope, bucketName);
  if (!bucket) {
    request.incoming.resume();
    throw storageErrors.noSuchBucket();
  }
  const emptyFolder = isEmptyFolder(name);
  const file = await uploadedFile(request.incoming, {
    maxFileSize: emptyFolder ? 0 : maxFileSizeOf(bucket),
    allowedMimeTypes: bucket.allowed_mime_types ?? [],
    checkMimeType: !emptyFolder,
  });
  mustBeValidKey(name);
  const target = { bucketId: bucketName, name, owner: caller.owner, userMetadata: file.userMetadata };
  try {
    await context.db.testPermission(scope, (tx) => writeObjectRow(tx, {
      ...target,
      version: "1",
      metadata: { mimetype: file.mimeType, contentLength: file.declaredLength },
    }, upsert));
  } catch (error) {
    throw permissionError(error);
  }
  const id = await storeVersion(context, scope, target, file.content, file);
  sendJson(request.outgoing, 200, { Id: id, Key: `${bucketName}/${name}` });
}

export interface StoredObject {
  version: string | null;
  metadata: Record<string, unknown> | null;
}

/** Sends an object's content with the headers Storage's asset renderer sets. */
export async function sendObject(
  context: StorageContext,
  request: StorageRequest,
  bucketId: string,
  name: string,
  object: StoredObject,
  { expires }: { expires?: string } = {},
): Promise<void> {
  const content = object.version === null ? null : await context.files.read(bucketId, name, object.version);
  if (!content) {
    // The renderer's answer when the backend has no such file.
    request.outgoing.setHeader("cache-control", "no-store");
    return sendJson(request.outgoing, 400, { statusCode: "404", code: "NoSuchKey", error: "Not found", message: "The resource was not found" });
  }
  const metadata = object.metadata ?? {};
  const rangeHeader = request.incoming.headers.range;
  const range = rangeHeader ? parseRangeHeader(rangeHeader, content.length) : null;
  const body = range ? content.subarray(range.fromByte, range.toByte + 1) : content;
  const headers: Record<string, string | number> = {
    "accept-ranges": "bytes",
    "content-type": String(metadata.mimetype ?? "application/octet-stream"),
    etag: String(metadata.eTag ?? ""),
    "x-robots-tag": "none",
    "content-length": body.length,
  };
  if (range) headers["content-range"] = `bytes ${range.fromByte}-${range.toByte}/${content.length}`;
  // A signed URL's answer carries when it stops working instead of the object's cache control.
  if (expires) headers.expires = expires;
  else headers["cache-control"] = String(metadata.cacheControl ?? "no-cache");
  if (typeof metadata.lastModified === "string") headers["last-modified"] = new Date(metadata.lastModified).toUTCString();
  const download = request.query.get("download");
  if (download !== null) {
    const fileName = encodeURIComponent(download);
    headers["content-disposition"] = download === "" ? "attachment;" : `attachment; filename=${fileName}; filename*=UTF-8''${fileName}`;
  }
  request.outgoing.writeHead(range ? 206 : 200, headers);
  request.outgoing.end(request.method === "HEAD" ? undefined : body);
}

/**
 * GET /object/<bucket>/<name> and /object/authenticated/<bucket>/<name>: a private bucket's object
 * as the caller's SELECT policies allow; a public bucket's to anyone. Without a usable token only
 * public buckets answer, and a private one is "not found", as Storage answers.
 */
export async function downloadObject(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming, { allowAnonymous: true });
  const { bucketName } = request.params;
  const name = request.params["*"];
  const scope = scopeOf(request, caller, "storage.object.get_authenticated");
  const bucket = await bucketFor(context, scope, bucketName);
  if (!bucket || (!caller.authenticated && !bucket.public)) throw storageErrors.noSuchBucket();
  mustBeValidKey(name);
  const read = (tx: Transaction) => tx<StoredObject[]>`
    select version, metadata from storage.objects where name = ${name} and bucket_id = ${bucketName} limit 1`;
  const [object] = await inDatabase(() => (bucket.public ? context.db.asSuperUser(scope, read) : context.db.asCaller(scope, read)));
  if (!object) throw storageErrors.noSuchKey();
  await sendObject(context, request, bucketName, name, object);
}

/** GET /object/public/<bucket>/<name>: anyone, public buckets only, no policies. */
export async function downloadPublicObject(context: StorageContext, request: StorageRequest): Promise<void> {
  const { bucketName } = request.params;
  const name = request.params["*"];
  const scope = scopeOf(request, (await callerOf(request.incoming, { allowAnonymous: true })), "storage.object.get_public");
  const bucket = await bucketFor(context, scope, bucketName);
  if (!bucket || !bucket.public) throw storageErrors.noSuchBucket();
  mustBeValidKey(name);
  const [object] = await inDatabase(() => context.db.asSuperUser(scope, (tx) => tx<StoredObject[]>`
    select version, metadata from storage.objects where name = ${name} and bucket_id = ${bucketName} limit 1`));
  if (!object) throw storageErrors.noSuchKey();
  await sendObject(context, request, bucketName, name, object);
}

const sortColumns = new Set(["name", "updated_at", "created_at", "last_accessed_at"]);

function integerField(body: Record<string, unknown>, name: string, minimum: number): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw storageErrors.validation(`body/${name} must be integer`);
  if (value < minimum) throw storageErrors.validation(`body/${name} must be >= ${minimum}`);
  return value;
}

/** POST /object/list/<bucket>: one folder level under `prefix`, through storage.search() as the caller. */
export async function listObjects(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const body = await jsonBody(request.incoming);
  if (typeof body.prefix !== "string") {
    throw storageErrors.validation(body.prefix === undefined ? "body must have required property 'prefix'" : "body/prefix must be string");
  }
  const limit = integerField(body, "limit", 1);
  const offset = integerField(body, "offset", 0);
  if (body.search !== undefined && typeof body.search !== "string") throw storageErrors.validation("body/search must be string");
  const sortBy = (body.sortBy ?? {}) as { column?: unknown; order?: unknown };
  if (body.sortBy !== undefined) {
    if (typeof sortBy.column !== "string" || !sortColumns.has(sortBy.column)) throw storageErrors.validation("body/sortBy/column must be equal to one of the allowed values");
    if (sortBy.order !== undefined && sortBy.order !== "asc" && sortBy.order !== "desc") throw storageErrors.validation("body/sortBy/order must be equal to one of the allowed values");
  }
  let prefix = body.prefix;
  if (prefix.length > 0 && !prefix.endsWith("/")) prefix = `${prefix}/`;
  const search = (body.search as string | undefined) ?? "";
  const column = (sortBy.column as string | undefined) ?? "name";
  const escape = (text: string) => (column === "name" ? text : text.replace(/[\\%_]/g, "\\$&"));
  const safePrefix = escape(prefix);
  const safeSearch = escape(search);
  const scope = scopeOf(request, caller, "storage.object.list");
  const [row] = await inDatabase(() => context.db.asCaller(scope, (tx) => tx`
    select coalesce(json_agg(found), '[]') as objects
    from storage.search(${safePrefix}::text, ${request.params.bucketName}::text, ${limit ?? 100}::int, ${(safePrefix + safeSearch).split("/").length}::int,
                        ${offset ?? 0}::int, ${safeSearch}::text, ${column}::text, ${(sortBy.order as string | undefined) ?? "asc"}::text) as found`));
  sendJson(request.outgoing, 200, row.objects);
}

const deletedColumns = "name, bucket_id, owner, owner_id, version, id, updated_at, created_at, last_accessed_at, metadata, user_metadata";

/** DELETE /object/<bucket> with `{ prefixes: [names] }`: deletes what the caller's policies allow; answers those rows. */
export async function removeObjects(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const body = await jsonBody(request.incoming);
  const prefixes = body.prefixes;
  if (prefixes === undefined) throw storageErrors.validation("body must have required property 'prefixes'");
  if (!Array.isArray(prefixes) || prefixes.some((prefix) => typeof prefix !== "string")) throw storageErrors.validation("body/prefixes must be array");
  if (prefixes.length < 1) throw storageErrors.validation("body/prefixes must NOT have fewer than 1 items");
  if (prefixes.length > maxObjectsPerRequest) throw storageErrors.validation(`body/prefixes must NOT have more than ${maxObjectsPerRequest} items`);
  const bucketId = request.params.bucketName;
  const scope = scopeOf(request, caller, "storage.object.delete_many");
  const deleted = await inDatabase(() => context.db.asCaller(scope, (tx) => tx.unsafe(
    `with deleted as (delete from storage.objects where bucket_id = $1 and name = any($2) returning *)
     select coalesce(json_agg(d), '[]') as objects from (select ${deletedColumns} from deleted) d`,
    [bucketId, prefixes as string[]] as never[])));
  const objects = deleted[0].objects as { name: string; version: string | null }[];
  for (const object of objects) await context.files.remove(bucketId, object.name, object.version);
  sendJson(request.outgoing, 200, objects);
}

/** DELETE /object/<bucket>/<name>: one object; Storage answers "Access denied" when the caller's DELETE removed nothing. */
export async function removeObject(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const { bucketName } = request.params;
  const name = request.params["*"];
  const scope = scopeOf(request, caller, "storage.object.delete");
  const [existing] = await inDatabase(() => context.db.asSuperUser(scope, (tx) => tx`
    select 1 from storage.objects where bucket_id = ${bucketName} and name = ${name}`));
  if (!existing) throw storageErrors.noSuchKey();
  const deleted = await inDatabase(() => context.db.asCaller(scope, (tx) => tx<{ version: string | null }[]>`
    delete from storage.objects where name = ${name} and bucket_id = ${bucketName} returning version`));
  if (deleted.length === 0) throw storageErrors.accessDenied("Access denied");
  await context.files.remove(bucketName, name, deleted[0].version);
  sendJson(request.outgoing, 200, { message: "Successfully deleted" });
}

/**
 * GET /object/info/<bucket>/<name> (and /object/info/authenticated/…, /object/info/public/…): the
 * object's details as Storage's info renderer answers them, read as the caller unless the bucket
 * is public (or the route is the public one).
 */
export async function objectInfo(context: StorageContext, request: StorageRequest, publicRoute = false): Promise<void> {
  const caller = await callerOf(request.incoming, { allowAnonymous: true });
  const { bucketName } = request.params;
  const name = request.params["*"];
  const scope = scopeOf(request, caller, publicRoute ? "storage.object.info_public" : "object.get_authenticated_info");
  const bucket = await bucketFor(context, scope, bucketName);
  if (!bucket || ((!caller.authenticated || publicRoute) && !bucket.public)) throw storageErrors.noSuchBucket();
  mustBeValidKey(name);
  const read = (tx: Transaction) => tx<{ info: Record<string, unknown> }[]>`
    select json_build_object(
      'id', id, 'name', name, 'version', version, 'bucket_id', bucket_id,
      'size', (metadata->>'size')::bigint, 'content_type', metadata->>'mimetype', 'cache_control', metadata->>'cacheControl',
      'etag', metadata->>'eTag', 'metadata', user_metadata, 'last_modified', updated_at, 'created_at', created_at
    ) as info
    from storage.objects where name = ${name} and bucket_id = ${bucketName} limit 1`;
  const [found] = await inDatabase(() => (bucket.public ? context.db.asSuperUser(scope, read) : context.db.asCaller(scope, read)));
  if (!found) throw storageErrors.noSuchKey();
  const text = JSON.stringify(found.info);
  request.outgoing.writeHead(200, {
    "content-type": "application/json",
    etag: String(found.info.etag ?? ""),
    "cache-control": String(found.info.cache_control ?? "no-cache"),
    "content-length": Buffer.byteLength(text),
  });
  request.outgoing.end(text);
}

export const publicObjectInfo = (context: StorageContext, request: StorageRequest) => objectInfo(context, request, true);
