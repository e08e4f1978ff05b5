import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "./errors.ts";

export const defaultMaxBodyBytes = 1024 * 1024;

/**
 * Refuses request bodies over `maxBytes` with 413 `payload_too_large`, by Content-Length when the
 * caller sends one and by counting the stream otherwise, before a route reads any of it.
 */
export function maxBodySize(maxBytes = defaultMaxBodyBytes): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `The request body is larger than ${formatBytes(maxBytes)}.`, {
        details: { max_bytes: maxBytes },
      });
    },
  });
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}
