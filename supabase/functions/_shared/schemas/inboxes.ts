// A company's WhatsApp numbers: /inboxes. Secrets go in, never come out (hints only).
import { z } from "zod";
import { httpUrl, list, storableString, text, timestamp, uuid } from "./common.ts";

export const inboxProviders = ["meta_cloud", "zapi", "evolution"] as const;
export const inboxProvider = z.enum(inboxProviders);
export type InboxProvider = z.infer<typeof inboxProvider>;

export const inboxStatus = z.enum(["active", "disabled"]);

export const inboxSecretKinds = [
  "meta_app_secret",
  "meta_verify_token",
  "meta_access_token",
  "zapi_instance_token",
  "zapi_client_token",
  "evolution_api_key",
] as const;
export const inboxSecretKind = z.enum(inboxSecretKinds);
export type InboxSecretKind = z.infer<typeof inboxSecretKind>;

/** Which secrets each provider keeps (the verify token is Renum's own, generated). */
export const secretKindsOf: Record<InboxProvider, readonly InboxSecretKind[]> = {
  meta_cloud: ["meta_app_secret", "meta_verify_token", "meta_access_token"],
  zapi: ["zapi_instance_token", "zapi_client_token"],
  evolution: ["evolution_api_key"],
};

export const inbox = z.object({
  id: z.string(),
  tenant_id: z.string(),
  provider: inboxProvider,
  display_name: z.string(),
  phone_number: z.string().nullable(),
  meta_phone_number_id: z.string().nullable(),
  meta_waba_id: z.string().nullable(),
  zapi_instance_id: z.string().nullable(),
  evolution_instance_name: z.string().nullable(),
  evolution_base_url: z.string().nullable(),
  status: inboxStatus,
  /** Meta numbers: the approved template free text goes as outside the 24-hour window (null: such text fails). */
  window_template: z.object({ name: z.string(), language: z.string() }).nullable().optional(),
  created_by: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type Inbox = z.infer<typeof inbox>;

export const inboxList = list(inbox);
export type InboxList = z.infer<typeof inboxList>;

/** A secret as people type it: no spaces around it, at most 4096 characters. */
const secret = () =>
  storableString().trim().min(8, { error: "Must have at least 8 characters." })
    .max(4096, { error: "Must have at most 4096 characters." });

const digits = (what: string) =>
  z.string().trim().regex(/^[0-9]{1,32}$/, { error: `Must be the ${what}: digits only.` });

/** A phone number as people write it; the API keeps it in E.164 (phone.ts). */
export const phoneInput = () => text(40);

const common = {
  display_name: text(200),
  phone_number: phoneInput().optional(),
};

export const createInboxBody = z.discriminatedUnion("provider", [
  z.strictObject({
    provider: z.literal("meta_cloud"),
    ...common,
    provider_ids: z.strictObject({
      meta_phone_number_id: digits("phone number id Meta shows under WhatsApp > API Setup"),
      meta_waba_id: digits("WhatsApp Business Account id").optional(),
    }),
    secrets: z.strictObject({ app_secret: secret(), access_token: secret() }),
  }),
  z.strictObject({
    provider: z.literal("zapi"),
    ...common,
    provider_ids: z.strictObject({
      zapi_instance_id: z.string().trim().regex(/^[A-Za-z0-9_-]{1,100}$/, { error: "Must be the Z-API instance id." }),
    }),
    secrets: z.strictObject({ instance_token: secret(), client_token: secret() }),
  }),
  z.strictObject({
    provider: z.literal("evolution"),
    ...common,
    provider_ids: z.strictObject({
      evolution_instance_name: z.string().trim().regex(/^[A-Za-z0-9 ._-]{1,100}$/, {
        error: "Must be the Evolution instance name (letters, digits, space . _ -).",
      }),
      evolution_base_url: httpUrl(),
    }),
    secrets: z.strictObject({ api_key: secret() }),
  }),
], { error: "Must be one of meta_cloud, zapi, evolution." });
export type CreateInboxBody = z.infer<typeof createInboxBody>;

/** What to paste into the provider's console after creating an inbox. */
export const createdInbox = z.object({
  inbox,
  webhook_url: z.string(),
  /** Meta only: the token Meta sends back when it checks the webhook (shown once). */
  verify_token: z.string().nullable(),
});
export type CreatedInbox = z.infer<typeof createdInbox>;

export const updateInboxBody = z.strictObject({
  display_name: text(200).optional(),
  phone_number: phoneInput().nullable().optional(),
  status: inboxStatus.optional(),
}).refine((body) => Object.values(body).some((value) => value !== undefined), {
  error: "Send at least one of display_name, phone_number, status.",
});
export type UpdateInboxBody = z.infer<typeof updateInboxBody>;

export const inboxParams = z.strictObject({ id: uuid() });
export const inboxSecretParams = z.strictObject({ id: uuid(), kind: inboxSecretKind });

export const rotateSecretBody = z.strictObject({
  /** The new value; leave out for meta_verify_token to have one generated. */
  value: secret().optional(),
});

export const secretHint = z.object({ kind: inboxSecretKind, last_four: z.string(), updated_at: timestamp() });
export const secretHintList = list(secretHint);
export type SecretHintList = z.infer<typeof secretHintList>;

export const rotatedSecret = z.object({
  kind: inboxSecretKind,
  /** Only a generated value (the Meta verify token), to paste into Meta; null otherwise. */
  generated_value: z.string().nullable(),
  hint: secretHint,
});
export type RotatedSecret = z.infer<typeof rotatedSecret>;

export const connectionOutcome = z.enum(["connected", "not_connected", "refused", "unreachable", "timed_out", "provider_error", "unexpected_status"]);
export type ConnectionOutcome = z.infer<typeof connectionOutcome>;

export const connectionTest = z.object({
  ok: z.boolean(),
  outcome: connectionOutcome,
  status: z.number().int().nullable(),
  latency_ms: z.number().int(),
  message: z.string(),
});
export type ConnectionTest = z.infer<typeof connectionTest>;
