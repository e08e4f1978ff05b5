// Provider API keys (personal, optionally scoped to one of the caller's tenants), never answered
// in full: /api-keys, /api-keys/:service, /api-keys/:service/test.
import { z } from "zod";
import { Constants } from "../database.types.ts";
import { httpUrl, list, timestamp, uuid } from "./common.ts";

/** The services a key can be stored for (the enum public.provider_key_service). */
export const providerServices = Constants.public.Enums.provider_key_service;
export const providerService = z.enum(providerServices);
export type ProviderService = z.infer<typeof providerService>;

/**
 * The services whose keys are bound to an address their owner gives (the database's
 * private.provider_key_needs_endpoint): stored with endpoint_url, sent only to its origin. The
 * others (first-party) go only to their provider's own address.
 */
export const endpointBoundServices: readonly ProviderService[] = ["openai-compatible", "suna", "agent-api", "evolution"];

// ─── requests ─────────────────────────────────────────────────────────────────────────────────

/** Stores the key for the service, replacing the caller's previous one for the same scope. */
export const createApiKeyBody = z.strictObject({
  service: providerService,
  // The messages never repeat the value: it is a secret.
  api_key: z.string({ error: "Must be a string." }).trim()
    .min(8, { error: "Must have at least 8 characters." })
    .max(4096, { error: "Must have at most 4096 characters." }),
  /** A tenant the caller belongs to, for a key used only in that company; absent or null: personal. */
  tenant_id: uuid().nullish(),
  /** Where the key may be sent, for the endpoint-bound services (required there, refused elsewhere). */
  endpoint_url: httpUrl().nullish(),
}).superRefine((body, context) => {
  const bound = endpointBoundServices.includes(body.service);
  if (bound && !body.endpoint_url) {
    context.addIssue({ code: "custom", path: ["endpoint_url"], message: `Required for ${body.service} keys: the address the key may be sent to.` });
  }
  if (!bound && body.endpoint_url) {
    context.addIssue({ code: "custom", path: ["endpoint_url"], message: `${body.service} keys are only sent to ${body.service} itself: leave it out.` });
  }
});
export type CreateApiKeyBody = z.input<typeof createApiKeyBody>;

/** Which of the caller's keys for a service: the one for `tenant_id`, or the personal one. */
export const apiKeyScopeQuery = z.strictObject({ tenant_id: uuid().optional() });
export type ApiKeyScopeQuery = z.input<typeof apiKeyScopeQuery>;

export const apiKeyListQuery = z.strictObject({ tenant_id: uuid().optional() });
export type ApiKeyListQuery = z.input<typeof apiKeyListQuery>;

export const apiKeyParams = z.strictObject({ service: providerService });

export const apiKeyIdParams = z.strictObject({ id: uuid() });

/** An owner or admin shares a company key with the company's runs, or stops sharing it. */
export const apiKeySharingBody = z.strictObject({ shared: z.boolean({ error: "Must be true or false." }) });
export type ApiKeySharingBody = z.input<typeof apiKeySharingBody>;

/** Which company's keys an owner or admin lists. */
export const companyApiKeysQuery = z.strictObject({ tenant_id: uuid() });

/**
 * Options of a connection test. An endpoint-bound key is tested only at the origin it was stored
 * for (`base_url`, when given, must have that origin); the others always go to the provider's own
 * address.
 */
export const testApiKeyBody = z.strictObject({
  // A base address: the test appends the provider's path, which a ? or # would swallow.
  base_url: httpUrl().refine((url) => !/[?#]/.test(url), { error: "Must be a base address, without ? or #." }).optional(),
  timeout_ms: z.number().int().min(500).max(30_000).optional(),
});
export type TestApiKeyBody = z.input<typeof testApiKeyBody>;

// ─── responses ────────────────────────────────────────────────────────────────────────────────

/** A stored key, masked: only its last four characters are ever answered. */
export const apiKey = z.object({
  id: uuid(),
  service: providerService,
  tenant_id: uuid().nullable(),
  key_last_four: z.string(),
  /** The address an endpoint-bound key was stored for (null for first-party keys). */
  endpoint_url: z.string().nullable(),
  /** Shared with the company's runs by an owner or admin (company keys only). */
  is_shared: z.boolean(),
  is_active: z.boolean(),
  last_used_at: timestamp().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type ApiKey = z.infer<typeof apiKey>;

export const apiKeyList = list(apiKey);
export type ApiKeyList = z.infer<typeof apiKeyList>;

/** What a key test found, for clients to put in their own words (`message` says it in English). */
export const keyTestOutcomes = [
  "accepted",
  "refused",
  "rate_limited",
  "provider_error",
  "redirected",
  "unexpected_status",
  "timed_out",
  "unreachable",
] as const;
export const keyTestOutcome = z.enum(keyTestOutcomes);
export type KeyTestOutcome = z.infer<typeof keyTestOutcome>;

/** A company's key as its owners and admins see it: masked, with whose it is. */
export const companyApiKey = apiKey.extend({
  owner: z.object({ id: uuid(), email: z.string().nullable(), full_name: z.string().nullable() }),
});
export type CompanyApiKey = z.infer<typeof companyApiKey>;

export const companyApiKeyList = list(companyApiKey);
export type CompanyApiKeyList = z.infer<typeof companyApiKeyList>;

/**
 * The outcome of calling the provider with the key: `ok` when it accepted it, the provider's HTTP
 * status (null when it did not answer), how long it took, what happened as a code (`outcome`) and
 * in words (`message`). Answered
 * with 200 whenever the provider answered (even to refuse the key), 504 when it did not answer in
 * time, 502 when it could not be reached.
 */
export const apiKeyTestResult = z.object({
  ok: z.boolean(),
  status: z.number().int().nullable(),
  latency_ms: z.number().int(),
  outcome: keyTestOutcome,
  message: z.string(),
});
export type ApiKeyTestResult = z.infer<typeof apiKeyTestResult>;
