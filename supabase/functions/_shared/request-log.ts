import type { MiddlewareHandler } from "hono";
import type { RequestIdVariables } from "./request-id.ts";

export type LogLevel = "info" | "warn" | "error";

/** Where log lines go: the console in a function (the platform collects it), a list in tests. */
export type LogSink = (level: LogLevel, line: string) => void;

/** Writes one JSON log line tagged with the request's id. Never pass bodies, tokens or headers. */
export type RequestLogger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface RequestLogVariables extends RequestIdVariables {
  log: RequestLogger;
}

export const consoleSink: LogSink = (level, line) => {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

/**
 * One JSON line per request, `{level, msg, request_id, method, path, status, duration_ms}`, and
 * `c.var.log` for anything else worth saying about the request. Only the path is logged: never
 * the query string, the body or a header (Authorization carries the user's token).
 */
export function requestLog(sink: LogSink = consoleSink): MiddlewareHandler<{ Variables: RequestLogVariables }> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = c.get("requestId");
    const log: RequestLogger = (level, message, fields = {}) =>
      sink(level, JSON.stringify({ level, msg: message, request_id: requestId, ...fields }));
    c.set("log", log);
    await next();
    const status = c.res.status;
    log(status >= 500 ? "error" : "info", "request", {
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
