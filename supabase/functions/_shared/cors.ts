import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/** The web app's origins on the local stack (`npm start` serves it on port 5173). */
export const defaultWebOrigins = ["http://127.0.0.1:5173", "http://localhost:5173"];

/** WEB_ORIGINS, comma-separated (`https://app.renum.dev,https://staging.renum.dev`); unset → the local ones. */
export function parseWebOrigins(value: string | undefined): string[] {
  const origins = (value ?? "").split(",").map((origin) => origin.trim().replace(/\/+$/, "")).filter(Boolean);
  return origins.length > 0 ? origins : defaultWebOrigins;
}

// What supabase-js and our web app send: the user's token, JSON, the tenant being worked in, a
// request id to correlate logs, and the headers supabase-js adds to every call.
const allowedRequestHeaders = [
  "authorization",
  "content-type",
  "x-tenant-id",
  "x-request-id",
  "apikey",
  "x-client-info",
];

/**
 * CORS for the web app's origins. Preflights (OPTIONS) are answered here with 204, before any
 * authentication: browsers send them without the Authorization header. Tokens travel in a header,
 * not a cookie, so credentials mode is off. `X-Request-Id` is exposed so the app can show it.
 */
export function webCors(origins: string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: allowedRequestHeaders,
    exposeHeaders: ["X-Request-Id", "Retry-After"],
    maxAge: 600,
  });
}
