import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { maxBodySize } from "./body-limit.ts";
import { webCors } from "./cors.ts";
import { ApiError, errorBody } from "./errors.ts";
import { requestId } from "./request-id.ts";
import { consoleSink, type LogSink, requestLog, type RequestLogVariables } from "./request-log.ts";
import { apiErrorFromSql, isPostgresError } from "./sql-errors.ts";

export interface FunctionAppOptions {
  /** Where the routes live as the function sees its path: `/<function name>/...`, e.g. `/api/v1`. */
  basePath: string;
  /** Origins allowed to call from a browser (CORS): the web app's, or `["*"]` for a public probe. */
  webOrigins: string[];
  /** Largest request body accepted, in bytes; 1 MB unless said. */
  maxBodyBytes?: number;
  /** Where the JSON log lines go; the console unless said (tests collect them). */
  logSink?: LogSink;
}

export type FunctionEnv = { Variables: RequestLogVariables };

/**
 * The one way to build a Renum edge function (api, executor, health, and the webhooks to come):
 * a Hono app with what every function needs, in this order:
 *   request id → request log → CORS (preflights end here, before auth) → body size limit →
 *   405 for a known path with another method → routes,
 * with every error, thrown anywhere, answered in the one shape `{ error: { code, message, details } }`
 * by one handler: ApiError as it is, HTTPException by its status, database errors through
 * sql-errors.ts, anything else as 500 `internal_error` with the real error only in the log.
 * Unknown paths answer 404 `not_found` in the same shape.
 *
 * Routes then choose their auth mode from function-auth.ts: a user's token (`auth.user`, which
 * also gives `c.var.asUser` for RLS-bound database work), a service key (`auth.service`), or a
 * provider's signature over the raw body (`requireProviderSignature`, for webhooks).
 */
export function createFunctionApp<BasePath extends string>(options: FunctionAppOptions & { basePath: BasePath }) {
  const sink = options.logSink ?? consoleSink;
  const app = new Hono<FunctionEnv>();

  app.onError((error, c) => answerError(error, c, sink));
  app.notFound((c) => c.json(errorBody("not_found", `There is no ${c.req.method} ${c.req.path}.`), 404));

  app.use("*", requestId(), requestLog(sink), webCors(options.webOrigins), maxBodySize(options.maxBodyBytes));
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        c.json(
          errorBody(
            "method_not_allowed",
            `${c.req.method} is not allowed on ${c.req.path}; it answers ${methods.join(", ")}.`,
          ),
          405,
          { Allow: methods.join(", ") },
        ),
    }),
  );

  // The clone shares the router, middleware and handlers above; routes added to it get the prefix.
  return app.basePath(options.basePath);
}

function answerError(error: Error, c: Context<FunctionEnv>, sink: LogSink): Response {
  const log = c.get("log") ??
    ((level, message, fields) => sink(level, JSON.stringify({ level, msg: message, ...fields })));
  const answer = asApiError(error);
  if (answer.status >= 500) {
    log("error", "request failed", { code: answer.code, error: describeError(answer.cause ?? error) });
  } else if (isPostgresError(answer.cause)) {
    // Refusals by the database are expected; their SQLSTATE and constraint help tell which rule spoke.
    log("info", "database refused", {
      code: answer.code,
      sqlstate: answer.cause.code,
      constraint: answer.cause.constraint_name,
    });
  }
  return c.json(answer.toBody(), answer.status, answer.headers);
}

function asApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = status < 500 && error.message
      ? error.message
      : status < 500
      ? "The request was refused."
      : "Something went wrong on our side.";
    return new ApiError(status, httpCodes[status] ?? (status < 500 ? "bad_request" : "internal_error"), message, {
      cause: error,
    });
  }
  return apiErrorFromSql(error) ??
    new ApiError(500, "internal_error", "Something went wrong on our side.", { cause: error });
}

const httpCodes: Partial<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_failed",
  429: "too_many_requests",
  503: "service_unavailable",
};

// For the log only: what a person debugging needs, never a request body or header.
function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (
    const key of [
      "code",
      "detail",
      "hint",
      "routine",
      "where",
      "schema_name",
      "table_name",
      "column_name",
      "constraint_name",
    ]
  ) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  if (error.stack) fields.stack = error.stack;
  return fields;
}
