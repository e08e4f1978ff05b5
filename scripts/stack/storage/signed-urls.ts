// Signed URLs, as supabase/storage signs and honours them (src/storage/object.ts signObjectUrl,
// signObjectUrls, signUploadObjectUrl, verifyObjectSignature): a token (url-signing.ts) naming
// `<bucket>/<name>` and a scope. Signing a download needs the caller to see the object (their
// SELECT policies); signing an upload needs their INSERT (rolled back) to pass; using either URL
// needs no token of a user — the URL is the permission, until it expires.
import { callerOf } from "./storage-callers.ts";
import { scopeOf, sendJson, type StorageContext, type StorageRequest } from "./storage-context.ts";
import { storageErrors } from "./storage-errors.ts";
import { jsonBody, uploadedFile } from "./request-body.ts";
import { bucketFor, inDatabase, isEmptyFolder, maxFileSizeOf, mustBeValidKey, permissionError, sendObject, storeVersion, writeObjectRow } from "./object-routes.ts";
import { signUrlToken, verifiedUrlToken } from "./url-signing.ts";

const downloadScope = "download";
const uploadScope = "upload";
// Hosted Storage's UPLOAD_SIGNED_URL_EXPIRATION_TIME: a signed upload URL is good for two hours.
const uploadUrlSeconds = 2 * 60 * 60;
const maxPaths = 1000;

function expiresInOf(body: Record<string, unknown>): number {
  const expiresIn = body.expiresIn;
  if (expiresIn === undefined) throw storageErrors.validation("body must have required property 'expiresIn'");
  if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn)) throw storageErrors.validation("body/expiresIn must be integer");
  if (expiresIn < 1) throw storageErrors.validation("body/expiresIn must be >= 1");
  return expiresIn;
}

/** POST /object/sign/<bucket>/<name> `{ expiresIn }` → `{ signedURL }`, for an object the caller can see. */
export async function signObjectUrl(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const body = await jsonBody(request.incoming);
  const expiresIn = expiresInOf(body);
  const { bucketName } = request.params;
  const name = request.params["*"];
  mustBeValidKey(name);
  const scope = scopeOf(request, caller, "storage.object.sign");
  const [object] = await inDatabase(() => context.db.asCaller(scope, (tx) => tx`
    select id from storage.objects where name = ${name} and bucket_id = ${bucketName} limit 1`));
  if (!object) throw storageErrors.noSuchKey();
  const url = `${bucketName}/${name}`;
  const token = await signUrlToken({ url, scope: downloadScope }, expiresIn);
  sendJson(request.outgoing, 200, { signedURL: `/object/sign/${url}?token=${token}` });
}

/** POST /object/sign/<bucket> `{ expiresIn, paths }`: one answer per path, an error for those the caller cannot see. */
export async function signObjectUrls(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  const body = await jsonBody(request.incoming);
  const expiresIn = expiresInOf(body);
  const paths = body.paths;
  if (paths === undefined) throw storageErrors.validation("body must have required property 'paths'");
  if (!Array.isArray(paths) || paths.some((path) => typeof path !== "string")) throw storageErrors.validation("body/paths must be array");
  if (paths.length < 1) throw storageErrors.validation("body/paths must NOT have fewer than 1 items");
  if (paths.length > maxPaths) throw storageErrors.validation(`body/paths must NOT have more than ${maxPaths} items`);
  const { bucketName } = request.params;
  const scope = scopeOf(request, caller, "storage.object.sign_many");
  const visible = await inDatabase(() => context.db.asCaller(scope, (tx) => tx<{ name: string }[]>`
    select name from storage.objects where bucket_id = ${bucketName} and name = any(${paths as string[]})`));
  const names = new Set(visible.map((object) => object.name));
  const answers = await Promise.all((paths as string[]).map(async (path) => {
    if (!names.has(path)) return { error: "Either the object does not exist or you do not have access to it", path, signedURL: null };
    const url = `${bucketName}/${path}`;
    return { error: null, path, signedURL: `/object/sign/${url}?token=${await signUrlToken({ url, scope: downloadScope }, expiresIn)}` };
  }));
  sendJson(request.outgoing, 200, answers);
}

/** Storage's verifyObjectSignature: a token of this stack, of the right scope, for this very object. */
async function verifiedFor(request: StorageRequest, wantedScope: string) {
  const token = request.query.get("token");
  if (token === null) throw storageErrors.validation("querystring must have required property 'token'");
  let claims;
  try {
    claims = await verifiedUrlToken(token);
  } catch (error) {
    throw storageErrors.invalidJwt(error instanceof Error ? error.message : "Invalid JWT");
  }
  const isUpload = claims.scope === uploadScope || (claims.scope === undefined && "upsert" in claims);
  const isDownload = claims.scope === downloadScope || (claims.scope === undefined && !("upsert" in claims));
  if (!(wantedScope === uploadScope ? isUpload : isDownload)) throw storageErrors.invalidSignature(`Token is not scoped for ${wantedScope}`);
  if (claims.url !== `${request.params.bucketName}/${request.params["*"]}`) throw storageErrors.invalidSignature();
  if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) throw storageErrors.expiredSignature();
  return claims as typeof claims & { exp: number; owner?: string; upsert?: boolean };
}

/** GET /object/sign/<bucket>/<name>?token=…: the object, to whoever holds an unexpired token for it. */
export async function downloadSignedObject(context: StorageContext, request: StorageRequest): Promise<void> {
  const claims = await verifiedFor(request, downloadScope);
  const { bucketName } = request.params;
  const name = request.params["*"];
  const scope = scopeOf(request, await callerOf(request.incoming, { allowAnonymous: true }), "storage.object.get_signed");
  const [object] = await inDatabase(() => context.db.asSuperUser(scope, (tx) => tx<{ version: string | null; metadata: Record<string, unknown> | null }[]>`
    select version, metadata from storage.objects where name = ${name} and bucket_id = ${bucketName} limit 1`));
  if (!object) throw storageErrors.noSuchKey();
  await sendObject(context, request, bucketName, name, object, { expires: new Date(claims.exp * 1000).toUTCString() });
}

/** POST /object/upload/sign/<bucket>/<name> → `{ url, token }`, when the caller may upload there (x-upsert to replace). */
export async function signUploadUrl(context: StorageContext, request: StorageRequest): Promise<void> {
  const caller = await callerOf(request.incoming);
  request.incoming.resume();
  const { bucketName } = request.params;
  const name = request.params["*"];
  const upsert = request.incoming.headers["x-upsert"] === "true";
  const scope = scopeOf(request, caller, "storage.object.sign_upload_url");
  const contentType = request.incoming.headers["content-type"];
  try {
    await context.db.testPermission(scope, (tx) => writeObjectRow(tx, {
      bucketId: bucketName,
      name,
      owner: caller.owner,
      version: "1",
      metadata: { mimetype: contentType },
      userMetadata: undefined,
    }, upsert));
  } catch (error) {
    throw permissionError(error);
  }
  const url = `${bucketName}/${name}`;
  const token = await signUrlToken({ owner: caller.owner, url, upsert, scope: uploadScope }, uploadUrlSeconds);
  sendJson(request.outgoing, 200, { url: `/object/upload/sign/${url}?token=${token}`, token });
}

/** PUT /object/upload/sign/<bucket>/<name>?token=…: stores the file as the token's owner, with the bucket's limits. */
export async function uploadToSignedUrl(context: StorageContext, request: StorageRequest): Promise<void> {
  let claims;
  try {
    claims = await verifiedFor(request, uploadScope);
  } catch (error) {
    request.incoming.resume();
    throw error;
  }
  const { bucketName } = request.params;
  const name = request.params["*"];
  const scope = scopeOf(request, await callerOf(request.incoming, { allowAnonymous: true }), "storage.object.upload_signed");
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
  const owner = typeof claims.owner === "string" ? claims.owner : undefined;
  if (!claims.upsert) {
    // Storage uploads as the super user here, as a plain INSERT unless the token allows replacing.
    const [existing] = await inDatabase(() => context.db.asSuperUser(scope, (tx) => tx`
      select 1 from storage.objects where bucket_id = ${bucketName} and name = ${name}`));
    if (existing) throw storageErrors.keyAlreadyExists();
  }
  await storeVersion(context, scope, { bucketId: bucketName, name, owner, userMetadata: file.userMetadata }, file.content, file);
  sendJson(request.outgoing, 200, { Key: `${bucketName}/${name}` });
}

