import type { MiddlewareHandler } from "hono";

export interface RequestIdVariables {
  requestId: string;
}

// A caller's own id is kept when it is short and plain (a uuid, a trace id); anything else could
// smuggle text into our logs, so it is replaced.
const saneRequestId = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Gives every request an id, `c.var.requestId`: the caller's `X-Request-Id` when sane, else a new
 * uuid. It is echoed in the `X-Request-Id` response header of every answer, errors and CORS
 * preflights included, and is in every log line of the request, so a user's report finds the logs.
 */
export function requestId(): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming && saneRequestId.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    await next();
    // Responses made outside the context (a CORS preflight's) do not carry the prepared header.
    if (c.res.headers.get("X-Request-Id") !== id) c.header("X-Request-Id", id);
  };
}
