import type { Tool, ToolList } from "../../_shared/schemas/tools.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /tools — the platform's tools registry, which agents name in their `tools`.
 *   GET    /tools     any signed-in user     200
 * The company's own tools are /tools/company (company-tools.ts); the middleware is per route here
 * so that it does not run a second time for those.
 */
export function toolRoutes({ signedIn }: RouteDependencies) {
  const app = routes();
  app.get("/", signedIn, async (c) => {
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ tool: Tool }[]>`select to_jsonb(t) as tool from public.tools t order by t.name, t.id`;
      return rows.map((row) => row.tool);
    });
    return c.json({ items } satisfies ToolList);
  });

  return app;
}
