// The keys a knowledge base may embed with, for the base forms: the company's OpenAI and
// OpenAI-compatible keys shared with its runs. Only owners and admins (share_keys) see the
// company's keys, so only they are offered the OpenAI-compatible embedder; the database checks the
// key again whoever sends it.
import { companyApiKeyList } from "$schemas/api-keys.ts";
import type { TenantCapability } from "$schemas/tenants.ts";
import { can } from "$lib/capabilities";
import { createApi, type ApiEvent } from "$lib/server/api";

export interface EmbeddingKeyOption {
  id: string;
  service: string;
  last_four: string;
  endpoint_url: string | null;
  owner: string;
}

export async function sharedEmbeddingKeys(event: ApiEvent, current: { id: string; capabilities: readonly TenantCapability[] } | null): Promise<EmbeddingKeyOption[]> {
  if (!current || !can(current, "share_keys")) return [];
  const keys = await createApi(event).get("/api-keys/company", companyApiKeyList, { tenant_id: current.id });
  return keys.items
    .filter((key) => key.is_shared && (key.service === "openai" || key.service === "openai-compatible"))
    .map((key) => ({ id: key.id, service: key.service, last_four: key.key_last_four, endpoint_url: key.endpoint_url, owner: key.owner.email ?? key.owner.full_name ?? "" }));
}
