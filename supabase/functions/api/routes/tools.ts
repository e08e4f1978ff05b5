import type { Tool, ToolList } from "../../_shared/schemas/tools.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /tools — the platform's tools registry, which agents name in their `tools`.
 *   GET    /tools     any signed-in user     200
 */
export function toolRoutes({ signedIn }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.get("/", async (c) => {
    const items = await c.var.asUser(async (tx) => {
      const rows = await tx<{ tool: Tool }[]>`select to_jsonb(t) as tool from public.tools t order by t.name, t.id`;
      return rows.map((row) => row.tool);
    });
    return c.json({ items } satisfies ToolList);
  });

  return app;
}
