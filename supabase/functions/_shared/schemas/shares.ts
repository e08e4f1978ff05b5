// Shares of the current tenant's agents with a person or another company: /shares, /shares/:id.
import { z } from "zod";
import { Constants } from "../database.types.ts";
import { email, paginated, paginationQuery, timestamp, uuid } from "./common.ts";
import { slug } from "./tenants.ts";

export const sharePermissions = Constants.public.Enums.share_permission;
export const sharePermission = z.enum(sharePermissions);
export type SharePermission = z.infer<typeof sharePermission>;

// ─── requests ─────────────────────────────────────────────────────────────────────────────────

/** Exactly one grantee: a person by email, or a company by slug or id. */
export const createShareBody = z.strictObject({
  agent_id: uuid(),
  permission: sharePermission.default("use"),
  grantee_email: email().optional(),
  grantee_tenant_slug: slug().optional(),
  grantee_tenant_id: uuid().optional(),
}).refine(
  (body) =>
    [body.grantee_email, body.grantee_tenant_slug, body.grantee_tenant_id].filter((v) => v !== undefined).length === 1,
  {
    error: "Name exactly one grantee: grantee_email, grantee_tenant_slug or grantee_tenant_id.",
    path: ["grantee_email"],
  },
);
export type CreateShareBody = z.input<typeof createShareBody>;

export const shareListQuery = z.strictObject({
  ...paginationQuery,
  agent_id: uuid().optional(),
});
export type ShareListQuery = z.input<typeof shareListQuery>;

export const shareParams = z.strictObject({ id: uuid() });

// ─── responses ────────────────────────────────────────────────────────────────────────────────

export const share = z.object({
  id: uuid(),
  agent_id: uuid(),
  agent_name: z.string(),
  tenant_id: uuid(),
  permission: sharePermission,
  grantee_user_id: uuid().nullable(),
  grantee_email: z.string().nullable(),
  grantee_tenant_id: uuid().nullable(),
  grantee_tenant_name: z.string().nullable(),
  grantee_tenant_slug: z.string().nullable(),
  created_by: uuid().nullable(),
  created_at: timestamp(),
});
export type Share = z.infer<typeof share>;

export const sharePage = paginated(share);
export type SharePage = z.infer<typeof sharePage>;
