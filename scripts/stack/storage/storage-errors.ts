// Storage's errors as supabase/storage renders them (src/internal/errors/codes.ts, render.ts and
// src/http/error-handler.ts): a body `{ statusCode, error, message }` plus `code` (since v1.x; the
// clients read `statusCode` and `error`), where `statusCode` is the error's own status as a
// string, and an HTTP status of 400 for every client error — the API answers 400 even for "not
// found" (statusCode "404") or "denied" (statusCode "403"); only a few errors carry their own
// HTTP status (the role checks, 403) and server failures answer 500.

export class StorageError extends Error {
  constructor(
    /** The status the body reports (`statusCode`, as a string there). */
    readonly statusCode: number,
    readonly code: string,
    /** The body's `error`: a legacy text for some errors, else the code. */
    readonly error: string,
    message: string,
    /** The HTTP status of the answer; 400 for client errors unless set, as the error handler does. */
    readonly httpStatus = statusCode >= 500 ? 500 : 400,
  ) {
    super(message);
  }

  body(): Record<string, string> {
    return { statusCode: String(this.statusCode), code: this.code, error: this.error, message: this.message };
  }
}

export const storageErrors = {
  noSuchBucket: () => new StorageError(404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
  noSuchKey: () => new StorageError(404, "NoSuchKey", "not_found", "Object not found"),
  accessDenied: (message = "Access denied", httpStatus?: number) => new StorageError(403, "AccessDenied", "Unauthorized", message, httpStatus),
  /** What a row-level security refusal (SQLSTATE 42501) becomes (src/storage/database/errors.ts). */
  rowLevelSecurity: () => storageErrors.accessDenied("new row violates row-level security policy"),
  keyAlreadyExists: () => new StorageError(409, "KeyAlreadyExists", "Duplicate", "The resource already exists"),
  bucketAlreadyExists: () => new StorageError(409, "BucketAlreadyExists", "Duplicate", "The resource already exists"),
  resourceAlreadyExists: () => new StorageError(409, "ResourceAlreadyExists", "Duplicate", "The resource already exists"),
  bucketNotEmpty: () => new StorageError(409, "ResourceNotEmpty", "ResourceNotEmpty", "The bucket you tried to delete is not empty"),
  invalidBucketName: () => new StorageError(400, "InvalidBucketName", "Invalid Input", "Bucket name invalid"),
  invalidKey: (key: string) => new StorageError(400, "InvalidKey", "InvalidKey", `Invalid key: ${key}`),
  invalidMimeType: (mimeType: string) => new StorageError(415, "InvalidMimeType", "invalid_mime_type", `mime type ${mimeType} is not supported`),
  entityTooLarge: (entity = "object") => new StorageError(413, "EntityTooLarge", "Payload too large", `The ${entity} exceeded the maximum allowed size`),
  invalidFileSizeLimit: () => new StorageError(400, "InvalidRequest", "InvalidRequest", "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B"),
  noContentProvided: () => new StorageError(400, "InvalidRequest", "InvalidRequest", "No content provided"),
  invalidRequest: (message: string) => new StorageError(400, "InvalidRequest", "InvalidRequest", message),
  invalidJwt: (message: string) => new StorageError(400, "InvalidJWT", "InvalidJWT", message),
  invalidSignature: (message = "Invalid signature") => new StorageError(400, "InvalidSignature", "InvalidSignature", message),
  expiredSignature: () => new StorageError(400, "ExpiredToken", "ExpiredToken", "The provided token has expired."),
  featureNotEnabled: (feature: string) => new StorageError(409, "FeatureNotEnabled", "FeatureNotEnabled", `The feature ${feature} is not enabled for this resource`),
  missingParameter: (parameter: string) => new StorageError(400, "MissingParameter", "MissingParameter", `Missing Required Parameter ${parameter}`),
  /** Fastify's schema validation failure (FST_ERR_VALIDATION), answered 400 with fastify's wording. */
  validation: (message: string) => new StorageError(400, "InvalidRequest", "Bad Request", message),
  /** The REST not-found handler (src/http/not-found-handler.ts): a real 404. */
  routeNotFound: (method: string, url: string) => new StorageError(404, "InvalidRequest", "Not Found", `Route ${method}:${url} not found`, 404),
};

/** A Postgres error's SQLSTATE, when the error came from the database. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : undefined;
}

/** What the Storage API makes of a database error (DBError.fromDBError). */
export function fromDatabaseError(error: unknown): StorageError | null {
  const state = sqlState(error);
  if (!state) return null;
  const message = error instanceof Error ? error.message : "";
  if (state === "42501") return storageErrors.accessDenied(message.includes("row-level security") ? "new row violates row-level security policy" : message);
  if (state === "23505") return storageErrors.resourceAlreadyExists();
  if (state === "23503") return new StorageError(404, "InvalidRequest", "InvalidRequest", "The related resource does not exist");
  if (state === "55P03") return new StorageError(423, "ResourceLocked", "ResourceLocked", "The resource is locked");
  if (state === "57014") return new StorageError(544, "DatabaseTimeout", "DatabaseTimeout", "The connection to the database timed out", 544);
  if (state === "22P02") return new StorageError(400, "InvalidParameter", "InvalidParameter", message || "Invalid value format or type conversion failed");
  return new StorageError(500, "DatabaseError", "DatabaseError", `database error, code: ${state}`);
}
