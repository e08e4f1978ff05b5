// Tenants (companies): what the API accepts and answers for /tenants and /tenants/:id/settings.
import { z } from "zod";
import { Constants } from "../database.types.ts";
import { httpUrl, paginated, text, timestamp, uuid } from "./common.ts";

export const tenantPlans = Constants.public.Enums.tenant_plan;
export const tenantStatuses = Constants.public.Enums.tenant_status;
export const memberRoles = Constants.public.Enums.member_role;
/** What a role lets its holder do in a tenant (private.role_capabilities in SQL, the one list). */
export const tenantCapabilities = Constants.public.Enums.tenant_capability;
export const defaultAgentTypes = ["sdr", "copilot", "custom"] as const;

export const tenantPlan = z.enum(tenantPlans);
export const tenantStatus = z.enum(tenantStatuses);
export const memberRole = z.enum(memberRoles);
export const tenantCapability = z.enum(tenantCapabilities);
export type TenantCapability = z.infer<typeof tenantCapability>;
export type TenantPlan = z.infer<typeof tenantPlan>;
export type TenantStatus = z.infer<typeof tenantStatus>;
export type MemberRole = z.infer<typeof memberRole>;

/** The 14 digits of a CNPJ, from however it was typed (`11.222.333/0001-81` or `11222333000181`). */
export function cnpjDigits(value: string): string {
  return value.replace(/[\s./-]/g, "");
}

/** True when the 14 digits form a valid CNPJ: both check digits match, and not all digits are equal. */
export function isValidCnpj(value: string): boolean {
  const digits = cnpjDigits(value);
  if (!/^\d{14}$/.test(digits) || /^(\d)\1{13}$/.test(digits)) return false;
  const checkDigit = (length: number) => {
    const weights = length === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    const total = weights.reduce((sum, weight, index) => sum + weight * Number(digits[index]), 0);
    return total % 11 < 2 ? 0 : 11 - (total % 11);
  };
  return checkDigit(12) === Number(digits[12]) && checkDigit(13) === Number(digits[13]);
}

/** A CNPJ, formatted or not; answered as its 14 digits. */
export const cnpj = () =>
  z.string().trim().max(32, { error: "Must have at most 32 characters." })
    .refine(isValidCnpj, { error: "Must be a valid CNPJ (14 digits with matching check digits)." })
    .transform(cnpjDigits);

/** 3 to 63 lowercase letters, digits and single hyphens: the company's address in URLs. */
export const slug = () =>
  z.string().trim().min(3, { error: "Must have at least 3 characters." }).max(63, {
    error: "Must have at most 63 characters.",
  }).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, {
    error: "Use lowercase letters, digits and single hyphens, starting and ending with a letter or digit.",
  });

const atLeastOneField = (value: Record<string, unknown>) => Object.keys(value).length > 0;
const atLeastOne = { error: "Send at least one field to change." };

// ─── requests ─────────────────────────────────────────────────────────────────────────────────

export const createTenantBody = z.strictObject({
  name: text(200),
  slug: slug(),
  tax_id: cnpj().nullish(),
  agents_endpoint_url: httpUrl().nullish(),
});
export type CreateTenantBody = z.input<typeof createTenantBody>;

export const updateTenantBody = z.strictObject({
  name: text(200).optional(),
  slug: slug().optional(),
  tax_id: cnpj().nullable().optional(),
}).refine(atLeastOneField, atLeastOne);
export type UpdateTenantBody = z.input<typeof updateTenantBody>;

/** A host the http_request tool may call: a name, `*.domain` (its subdomains) or `host:port` (as private.are_request_hosts). */
export const requestHost = z.string().trim().toLowerCase().max(253)
  .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+(:[0-9]{1,5})?$/, {
    error: "Must be a host name such as api.example.com, *.example.com or erp.example.com:8443.",
  });

export const tenantSettingsBody = z.strictObject({
  http_request_hosts: z.array(requestHost).max(20, { error: "Give at most 20 hosts." })
    .refine((hosts) => new Set(hosts).size === hosts.length, { error: "Each host once." }).optional(),
  agents_endpoint_url: httpUrl().nullable().optional(),
  agents_timeout_ms: z.number().int().min(1000).max(300_000).optional(),
  default_agent_type: z.enum(defaultAgentTypes).optional(),
  rag_enabled: z.boolean().optional(),
  rag_top_k: z.number().int().min(1).max(50).optional(),
}).refine(atLeastOneField, atLeastOne);
export type TenantSettingsBody = z.input<typeof tenantSettingsBody>;

export const tenantParams = z.strictObject({ id: uuid() });

/**
 * The company's monthly budget in US$ (null = no limit; start_execution refuses a run it cannot
 * cover) and the US$→R$ rate it chooses for showing costs in reais (null = US$ only). Owners only.
 */
export const companyBudgetBody = z.strictObject({
  monthly_budget_usd: z.number().min(0, { error: "Must be 0 or more." }).max(9_999_999_999.99).nullable(),
  usd_brl_rate: z.number().gt(0, { error: "Must be more than 0." }).max(1000).nullable(),
});
export type CompanyBudgetBody = z.input<typeof companyBudgetBody>;

// ─── responses ────────────────────────────────────────────────────────────────────────────────

export const tenantSettings = z.object({
  http_request_hosts: z.array(z.string()),
  agents_endpoint_url: z.string().nullable(),
  agents_timeout_ms: z.number().int(),
  default_agent_type: z.enum(defaultAgentTypes),
  rag_enabled: z.boolean(),
  rag_top_k: z.number().int(),
});
export type TenantSettings = z.infer<typeof tenantSettings>;

/**
 * A tenant as its members see it, with the caller's role in it and what that role lets them do
 * (public.my_capabilities): clients decide what to offer from `capabilities`, never from `role`.
 */
export const tenant = tenantSettings.extend({
  id: uuid(),
  name: z.string(),
  slug: z.string(),
  plan: tenantPlan,
  status: tenantStatus,
  tax_id: z.string().nullable(),
  created_by: uuid().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
  role: memberRole,
  capabilities: z.array(tenantCapability),
  /** US$ per month, null = no limit (#18: set by owners, PUT /tenants/:id/budget). */
  monthly_budget_usd: z.number().nullable(),
  /** R$ per US$ for showing costs in reais too, null = US$ only; the ledger stays in US$. */
  usd_brl_rate: z.number().nullable(),
});
export type Tenant = z.infer<typeof tenant>;

export const tenantPage = paginated(tenant);
export type TenantPage = z.infer<typeof tenantPage>;
