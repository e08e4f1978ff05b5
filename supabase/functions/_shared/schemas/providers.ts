// The agent providers and the provider keys each one runs with: /providers.
import { z } from "zod";
import { agentProvider } from "./agents.ts";
import { providerService } from "./api-keys.ts";
import { list } from "./common.ts";

/** One provider and the key services its agents use, most preferred first (none for demo). */
export const providerKeyServices = z.object({
  provider: agentProvider,
  key_services: z.array(providerService),
});
export type ProviderKeyServices = z.infer<typeof providerKeyServices>;

export const providerList = list(providerKeyServices);
export type ProviderList = z.infer<typeof providerList>;
