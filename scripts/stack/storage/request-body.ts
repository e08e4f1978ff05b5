// Reading what a Storage request sends: a JSON body (bucket and list routes) and an upload's file,
// either the raw body (content type from the header) or a multipart form with `cacheControl`,
// `metadata`, `contentType` fields and one file — as supabase/storage's fileUploadFromRequest
// (src/storage/uploader.ts) takes them, with its size and MIME checks.
import type { IncomingMessage } from "node:http";
import { storageErrors } from "./storage-errors.ts";

// Fastify's default bodyLimit for JSON routes.
const jsonBodyLimit = 1024 * 1024;
// Room for a multipart envelope (boundaries, field parts) around the file itself.
const multipartOverhead = 1024 * 1024;
const maxUserMetadataBytes = 1024 * 1024;

class BodyTooLarge extends Error {}

/** The body, refusing (and draining the rest of) one longer than `limit` bytes. */
async function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of incoming) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      incoming.resume();
      throw new BodyTooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON object body; fastify's 400 for a body that is not JSON. */
export async function jsonBody(incoming: IncomingMessage): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readBody(incoming, jsonBodyLimit)).toString("utf8");
  } catch (error) {
    if (error instanceof BodyTooLarge) throw storageErrors.validation("Request body is too large");
    throw error;
  }
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw storageErrors.validation("body must be object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) throw storageErrors.validation(`Body is not valid JSON but content-type is set to 'application/json'`);
    throw error;
  }
}

export interface UploadedFile {
  content: Buffer;
  mimeType: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | undefined;
  /** Content-Length as the client declared it, which the permission check sees as metadata. */
  declaredLength: number | undefined;
}

export interface UploadLimits {
  /** Bytes; 0 for `.emptyFolderPlaceholder` objects, which must be empty. */
  maxFileSize: number;
  allowedMimeTypes: string[];
  checkMimeType: boolean;
}

/** Storage's validateMimeType: `type/subtype` must match an allowed type exactly or `type/*`. */
export function validateMimeType(mimeType: string, allowedMimeTypes: string[]): void {
  const [type, subtype] = mimeType.split("/");
  if (subtype === undefined) throw storageErrors.invalidMimeType(mimeType);
  for (const allowed of allowedMimeTypes) {
    const [allowedType, allowedSubtype] = allowed.split("/");
    if (allowedType === type && (allowedSubtype === "*" || allowedSubtype === subtype)) return;
  }
  throw storageErrors.invalidMimeType(mimeType);
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function declaredLengthOf(incoming: IncomingMessage): number | undefined {
  const length = Number(header(incoming, "content-length"));
  return Number.isFinite(length) && length >= 0 && header(incoming, "content-length") !== undefined ? length : undefined;
}

function decodedUserMetadata(base64: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(base64, "base64").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export async function uploadedFile(incoming: IncomingMessage, limits: UploadLimits): Promise<UploadedFile> {
  const contentType = header(incoming, "content-type");
  const declaredLength = declaredLengthOf(incoming);
  if (contentType?.startsWith("multipart/form-data")) return multipartFile(incoming, contentType, limits, declaredLength);

  const mimeType = contentType || "application/octet-stream";
  if (limits.checkMimeType && limits.allowedMimeTypes.length > 0) validateMimeType(mimeType, limits.allowedMimeTypes);
  const metadataHeader = header(incoming, "x-metadata");
  const userMetadata = metadataHeader === undefined ? undefined : decodedUserMetadata(metadataHeader);
  if (declaredLength !== undefined && declaredLength > limits.maxFileSize) {
    incoming.resume();
    throw storageErrors.entityTooLarge();
  }
  try {
    const content = await readBody(incoming, limits.maxFileSize);
    return { content, mimeType, cacheControl: header(incoming, "cache-control") ?? "no-cache", userMetadata, declaredLength };
  } catch (error) {
    if (error instanceof BodyTooLarge) throw storageErrors.entityTooLarge();
    throw error;
  }
}

async function multipartFile(incoming: IncomingMessage, contentType: string, limits: UploadLimits, declaredLength: number | undefined): Promise<UploadedFile> {
  let form: FormData;
  try {
    const body = await readBody(incoming, limits.maxFileSize + multipartOverhead);
    form = await new Request("http://storage.local/", { method: "POST", headers: { "content-type": contentType }, body: new Uint8Array(body) }).formData();
  } catch (error) {
    if (error instanceof BodyTooLarge) throw storageErrors.entityTooLarge();
    throw storageErrors.noContentProvided();
  }
  let file: File | undefined;
  for (const value of form.values()) {
    if (typeof value !== "string") {
      file = value;
      break;
    }
  }
  if (!file) throw storageErrors.noContentProvided();
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  const mimeType = field("contentType") || file.type || "application/octet-stream";
  const cacheTime = field("cacheControl");
  if (limits.checkMimeType && limits.allowedMimeTypes.length > 0) validateMimeType(mimeType, limits.allowedMimeTypes);
  const customMetadata = field("metadata") ?? field("userMetadata");
  let userMetadata: Record<string, unknown> | undefined;
  if (customMetadata !== undefined) {
    if (Buffer.byteLength(customMetadata, "utf8") > maxUserMetadataBytes) {
      throw storageErrors.entityTooLarge("user_metadata");
    }
    try {
      userMetadata = JSON.parse(customMetadata) as Record<string, unknown>;
    } catch {
      // Storage ignores metadata it cannot parse.
    }
  }
  if (file.size > limits.maxFileSize) throw storageErrors.entityTooLarge();
  return {
    content: Buffer.from(await file.arrayBuffer()),
    mimeType,
    cacheControl: cacheTime ? `max-age=${cacheTime}` : "no-cache",
    userMetadata,
    declaredLength,
  };
}
