import type { ProviderList } from "../../_shared/schemas/providers.ts";
import { type RouteDependencies, routes } from "./context.ts";

/**
 * /providers — every agent provider with the provider keys its agents run with, most preferred
 * first (public.agent_provider_key_services; the engine narrows them by where each call goes).
 *   GET    /providers     any signed-in user     200
 */
export function providerRoutes({ signedIn }: RouteDependencies) {
  const app = routes();
  app.use("*", signedIn);

  app.get("/", async (c) => {
    const items = await c.var.asUser((tx) =>
      tx<ProviderList["items"]>`
        select p.provider, coalesce(array_agg(m.service::text order by m.preference)
                                      filter (where m.service is not null), '{}') as key_services
        from unnest(enum_range(null::public.agent_provider)) as p(provider)
        left join public.agent_provider_key_services m on m.provider = p.provider
        group by p.provider
        order by p.provider`);
    return c.json({ items: [...items] } satisfies ProviderList);
  });

  return app;
}
