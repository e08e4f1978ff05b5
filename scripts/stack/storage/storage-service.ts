// /storage/v1: the local stand-in for Supabase Storage's REST API, which @supabase/storage-js
// (supabase.storage) speaks — buckets, objects (upload, download, info, list, move, copy, remove),
// signed download and upload URLs. Routes and
// answers follow supabase/storage (src/http/routes/bucket, src/http/routes/object); files live
// under .stack/<instance>/storage/, rows in storage.buckets and storage.objects (bootstrap
// 080-storage.sql), and every object operation is decided by RLS as the calling user.
// Startup is light on purpose: no database round trip, only a pool that connects on first use.
import type { GatewayService, ServiceContext } from "../gateway/gateway-service.ts";
import { createBucket, deleteBucket, emptyBucket, getBucket, listBuckets, updateBucket } from "./bucket-routes.ts";
import { ObjectFiles, storageRoot } from "./object-files.ts";
import { copyObject, moveObject } from "./object-moves.ts";
import { downloadObject, downloadPublicObject, listObjects, objectInfo, publicObjectInfo, removeObject, removeObjects, uploadObject } from "./object-routes.ts";
import { downloadSignedObject, signObjectUrl, signObjectUrls, signUploadUrl, uploadToSignedUrl } from "./signed-urls.ts";
import { sendJson, type StorageContext, type StorageRequest } from "./storage-context.ts";
import { StorageDatabase } from "./storage-database.ts";
import { fromDatabaseError, StorageError, storageErrors } from "./storage-errors.ts";

type Handler = (context: StorageContext, request: StorageRequest) => Promise<void>;

interface Route {
  method: string;
  /** Segments; `:name` takes one segment, a final `*` the rest of the path (at least one character). */
  pattern: string[];
  handler: Handler;
}

function route(method: string, path: string, handler: Handler): Route {
  return { method, pattern: path.split("/").filter(Boolean), handler };
}

// In fastify's order of precedence: static segments before parameters, parameters before `*`.
const routes: Route[] = [
  route("GET", "/bucket", listBuckets),
  route("POST", "/bucket", createBucket),
  route("POST", "/bucket/:bucketId/empty", emptyBucket),
  route("GET", "/bucket/:bucketId", getBucket),
  route("PUT", "/bucket/:bucketId", updateBucket),
  route("DELETE", "/bucket/:bucketId", deleteBucket),
  route("POST", "/object/list/:bucketName", listObjects),
  route("GET", "/object/info/public/:bucketName/*", publicObjectInfo),
  route("GET", "/object/info/authenticated/:bucketName/*", objectInfo),
  route("GET", "/object/info/:bucketName/*", objectInfo),
  route("POST", "/object/move", moveObject),
  route("POST", "/object/copy", copyObject),
  route("POST", "/object/sign/:bucketName", signObjectUrls),
  route("POST", "/object/sign/:bucketName/*", signObjectUrl),
  route("GET", "/object/sign/:bucketName/*", downloadSignedObject),
  route("HEAD", "/object/sign/:bucketName/*", downloadSignedObject),
  route("POST", "/object/upload/sign/:bucketName/*", signUploadUrl),
  route("PUT", "/object/upload/sign/:bucketName/*", uploadToSignedUrl),
  route("GET", "/object/public/:bucketName/*", downloadPublicObject),
  route("HEAD", "/object/public/:bucketName/*", downloadPublicObject),
  route("GET", "/object/authenticated/:bucketName/*", downloadObject),
  route("HEAD", "/object/authenticated/:bucketName/*", downloadObject),
  route("DELETE", "/object/:bucketName", removeObjects),
  route("GET", "/object/:bucketName/*", downloadObject),
  route("HEAD", "/object/:bucketName/*", downloadObject),
  route("POST", "/object/:bucketName/*", uploadObject),
  route("PUT", "/object/:bucketName/*", uploadObject),
  route("DELETE", "/object/:bucketName/*", removeObject),
];

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The first route the method and path match, with its parameters decoded. */
function match(method: string, pathname: string): { route: Route; params: Record<string, string> } | null {
  const segments = pathname.split("/").slice(1);
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let index = 0; index < candidate.pattern.length && matched; index++) {
      const part = candidate.pattern[index];
      if (part === "*") {
        const rest = segments.slice(index).join("/");
        const value = decoded(rest);
        if (!rest || value === null) matched = false;
        else params["*"] = value;
        break;
      }
      const segment = segments[index];
      if (segment === undefined || segment === "") matched = false;
      else if (part.startsWith(":")) {
        const value = decoded(segment);
        if (value === null) matched = false;
        else params[part.slice(1)] = value;
      } else if (part !== segment) matched = false;
      if (index === candidate.pattern.length - 1 && segments.length > candidate.pattern.length) matched = false;
    }
    if (matched) return { route: candidate, params };
  }
  return null;
}

export function storageService({ instance, log }: ServiceContext): GatewayService {
  const context: StorageContext = { db: new StorageDatabase(instance), files: new ObjectFiles(storageRoot(instance.stateDir)), log };

  return {
    prefix: "/storage/v1",
    async handle(incoming, outgoing, pathAfterPrefix) {
      const url = new URL(pathAfterPrefix, "http://local");
      const method = incoming.method ?? "GET";
      const found = match(method, url.pathname);
      try {
        if (!found) throw storageErrors.routeNotFound(method, `/storage/v1${pathAfterPrefix}`);
        await found.route.handler(context, { incoming, outgoing, method, rawPath: pathAfterPrefix, query: url.searchParams, params: found.params });
      } catch (error) {
        const known = error instanceof StorageError ? error : fromDatabaseError(error);
        if (!known) throw error;
        if (!incoming.readableEnded) incoming.resume();
        if (outgoing.headersSent) return void outgoing.destroy();
        sendJson(outgoing, known.httpStatus, known.body());
      }
    },
    async stop() {
      await context.db.end();
    },
  };
}
