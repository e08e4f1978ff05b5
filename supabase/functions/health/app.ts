import type { Sql } from "../_shared/db.ts";
import { ApiError } from "../_shared/errors.ts";
import { createFunctionApp } from "../_shared/function-app.ts";
import type { LogSink } from "../_shared/request-log.ts";

export interface HealthReport {
  status: "ok";
  postgres: { version: string; server_version_num: number };
  extensions: { name: string; version: string; schema: string }[];
  checked_at: string;
}

/**
 * GET /health — the database this deployment talks to: its Postgres version and the extensions
 * installed in it, read live, so a deploy against the wrong or half-migrated database shows at once.
 */
export function buildHealthApp(sql: Sql, options: { logSink?: LogSink } = {}) {
  // Public and read-only: any page may ask, the placeholder web app among them.
  const app = createFunctionApp({ basePath: "/health", webOrigins: ["*"], logSink: options.logSink });

  app.get("/", async (c) => {
    try {
      const [server] = await sql<{ version: string; server_version_num: string }[]>`
        select current_setting('server_version') as version, current_setting('server_version_num') as server_version_num`;
      const extensions = await sql<{ name: string; version: string; schema: string }[]>`
        select e.extname as name, e.extversion as version, n.nspname as schema
        from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
        order by e.extname`;
      const report: HealthReport = {
        status: "ok",
        postgres: { version: server.version, server_version_num: Number(server.server_version_num) },
        extensions: [...extensions],
        checked_at: new Date().toISOString(),
      };
      return c.json(report);
    } catch (error) {
      // 503 is logged with its cause by the builder's error handler.
      throw new ApiError(503, "database_unavailable", "The database did not answer the health check.", { cause: error });
    }
  });

  return app;
}
