// Moving and copying objects, as supabase/storage's moveObject and copyObject
// (src/storage/object.ts):
//   move  the caller must see the source and be let through an UPDATE of its row to the new
//         bucket and name (USING on the old row, WITH CHECK on the new one), tried and rolled
//         back; then the file is copied to a new version, the row moved as the super user, and
//         the old file removed. Answers `{ message, Id, Key }`.
//   copy  the caller must see the source and be let through an INSERT at the destination
//         (x-upsert: INSERT ... ON CONFLICT DO UPDATE); then the file is copied and the
//         destination row written as the super user. Answers `{ Id, Key, ...row }`.
import { randomUUID } from "node:crypto";
import { callerOf } from "./storage-callers.ts";
import { scopeOf, sendJson, type StorageContext, type StorageRequest } from "./storage-context.ts";
import { storageErrors } from "./storage-errors.ts";
import { jsonBody } from "./request-body.ts";
import { lockObject } from "./storage-database.ts";
import { inDatabase, mustBeValidKey, permissionError, writeObjectRow } from "./object-routes.ts";

interface MoveBody {
  bucketId: string;
  sourceKey: string;
  destinationBucket: string;
  destinationKey: string;
}

async function moveBody(request: StorageRequest): Promise<{ body: Record<string, unknown>; move: MoveBody }> {
  const body = await jsonBody(request.incoming);
  for (const required of ["bucketId", "sourceKey", "destinationKey"]) {
    if (body[required] === undefined) throw storageErrors.validation(`body must have required property '${required}'`);
  }
  for (const name of ["bucketId", "sourceKey", "destinationKey", "destinationBucket"]) {
    if (body[name] !== undefined && typeof body[name] !== "string") throw storageErrors.validation(`body/${name} must be string`);
  }
  const bucketId = body.bucketId as string;
  return {
    body,
    move: {
      bucketId,
      sourceKey: body.sourceKey as string,
      destinationBucket: (body.destinationBucket as string | undefined) || bucketId,
      destinationKey: body.destinationKey as string,
    },
  };
}

interface SourceRow {
  id: string;
  version: string | null;
  metadata: Record<string, unknown> | null;
  user_metadata: Record<string, unknown> | null;
}

/** POST /object/move `{ bucketId, sourceKey, destinationBucket?, destinationKey }`. */
export async function moveObject(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const { move } = await moveBody(request);
  mustBeValidKey(move.destinationKey);
  const scope = scopeOf(request, caller, "storage.object.move");
  const newVersion = randomUUID();
  const ownerUuid = caller.owner && /^[0-9a-f-]{36}$/i.test(caller.owner) ? caller.owner : null;
  try {
    await context.db.testPermission(scope, async (tx) => {
      const [visible] = await tx`select id from storage.objects where name = ${move.sourceKey} and bucket_id = ${move.bucketId} limit 1`;
      if (!visible) throw storageErrors.noSuchKey();
      const moved = await tx`
        update storage.objects
        set name = ${move.destinationKey}, bucket_id = ${move.destinationBucket}, version = ${newVersion}, owner = ${ownerUuid}, owner_id = ${caller.owner ?? null}
        where bucket_id = ${move.bucketId} and name = ${move.sourceKey}
        returning id`;
      if (moved.length === 0) throw storageErrors.noSuchKey();
    });
  } catch (error) {
    throw permissionError(error);
  }
  const [source] = await inDatabase(() => context.db.asSuperUser(scope, (tx) => tx<SourceRow[]>`
    select id, version, metadata, user_metadata from storage.objects where name = ${move.sourceKey} and bucket_id = ${move.bucketId}`));
  if (!source) throw storageErrors.noSuchKey();
  if (move.bucketId === move.destinationBucket && move.sourceKey === move.destinationKey) {
    return sendJson(request.outgoing, 200, { message: "Successfully moved", Id: source.id, Key: move.destinationKey });
  }
  if (source.version) {
    await context.files.copy(
      { bucketId: move.bucketId, name: move.sourceKey, version: source.version },
      { bucketId: move.destinationBucket, name: move.destinationKey, version: newVersion },
    );
  }
  try {
    await inDatabase(() => context.db.asSuperUser(scope, async (tx) => {
      await lockObject(tx, move.destinationBucket, move.destinationKey);
      const moved = await tx`
        update storage.objects
        set name = ${move.destinationKey}, bucket_id = ${move.destinationBucket}, version = ${newVersion}, owner = ${ownerUuid}, owner_id = ${caller.owner ?? null}
        where bucket_id = ${move.bucketId} and name = ${move.sourceKey} and version is not distinct from ${source.version}
        returning id`;
      if (moved.length === 0) throw storageErrors.noSuchKey();
    }));
  } catch (error) {
    await context.files.remove(move.destinationBucket, move.destinationKey, newVersion);
    throw error;
  }
  await context.files.remove(move.bucketId, move.sourceKey, source.version);
  sendJson(request.outgoing, 200, { message: "Successfully moved", Id: source.id, Key: move.destinationKey });
}

/** POST /object/copy `{ bucketId, sourceKey, destinationBucket?, destinationKey, metadata?, copyMetadata? }`. */
export async function copyObject(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const { body, move: copy } = await moveBody(request);
  const copyMetadata = body.copyMetadata ?? true;
  if (typeof copyMetadata !== "boolean") throw storageErrors.validation("body/copyMetadata must be boolean");
  const fileMetadata = (body.metadata ?? {}) as { cacheControl?: unknown; mimetype?: unknown };
  const upsert = request.incoming.headers["x-upsert"] === "true";
  mustBeValidKey(copy.destinationKey);
  const scope = scopeOf(request, caller, "storage.object.copy");
  const [source] = await inDatabase(() => context.db.asCaller(scope, (tx) => tx<SourceRow[]>`
    select id, version, metadata, user_metadata from storage.objects where name = ${copy.sourceKey} and bucket_id = ${copy.bucketId} limit 1`));
  if (!source) throw storageErrors.noSuchKey();
  const metadata: Record<string, unknown> = { ...(source.metadata ?? {}) };
  if (!copyMetadata) {
    if (typeof fileMetadata.cacheControl === "string") metadata.cacheControl = fileMetadata.cacheControl;
    if (typeof fileMetadata.mimetype === "string") metadata.mimetype = fileMetadata.mimetype;
  }
  const header = request.incoming.headers["x-metadata"];
  let headerMetadata: Record<string, unknown> | undefined;
  if (typeof header === "string") {
    try {
      headerMetadata = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as Record<string, unknown>;
    } catch {
      headerMetadata = undefined;
    }
  }
  const userMetadata = copyMetadata ? (source.user_metadata ?? undefined) : headerMetadata;
  const destination = { bucketId: copy.destinationBucket, name: copy.destinationKey, owner: caller.owner, userMetadata };
  try {
    await context.db.testPermission(scope, (tx) => writeObjectRow(tx, { ...destination, version: "1", metadata }, upsert));
  } catch (error) {
    throw permissionError(error);
  }
  const newVersion = randomUUID();
  if (source.version) {
    await context.files.copy({ bucketId: copy.bucketId, name: copy.sourceKey, version: source.version }, { bucketId: copy.destinationBucket, name: copy.destinationKey, version: newVersion });
  }
  let written: { row: Record<string, unknown>; replaced: string | null };
  try {
    written = await inDatabase(() => context.db.asSuperUser(scope, async (tx) => {
      await lockObject(tx, copy.destinationBucket, copy.destinationKey, 3_000);
      const [current] = await tx<{ version: string | null }[]>`
        select version from storage.objects where bucket_id = ${copy.destinationBucket} and name = ${copy.destinationKey} for update`;
      const [{ id }] = await writeObjectRow(tx, { ...destination, version: newVersion, metadata: { ...metadata, lastModified: new Date().toISOString() } }, true);
      const [row] = await tx`
        select row_to_json(o) as row from (
          select name, bucket_id, owner, owner_id, version, id, updated_at, created_at, last_accessed_at, metadata, user_metadata
          from storage.objects where id = ${id}) o`;
      return { row: row.row as Record<string, unknown>, replaced: current?.version ?? null };
    }));
  } catch (error) {
    await context.files.remove(copy.destinationBucket, copy.destinationKey, newVersion);
    throw error;
  }
  if (written.replaced) await context.files.remove(copy.destinationBucket, copy.destinationKey, written.replaced);
  sendJson(request.outgoing, 200, { Id: written.row.id, Key: `${copy.destinationBucket}/${copy.destinationKey}`, ...written.row });
}
