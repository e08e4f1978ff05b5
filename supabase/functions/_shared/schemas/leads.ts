// Leads → customers: a contact's stage and its history, qualification requests and the company's
// rules for them, customers. /contacts/:id/stage…, /qualification-requests, /qualification-rules,
// /customers.
import { z } from "zod";
import { jsonObject, longText, text, timestamp, uuid } from "./common.ts";

export const lifecycleStage = z.enum(["lead", "qualified", "customer", "lost"]);
export type LifecycleStage = z.infer<typeof lifecycleStage>;
export const stageActorKind = z.enum(["agent", "person", "rule"]);
export const qualificationStatus = z.enum(["pending", "approved", "rejected"]);

export const stageChange = z.object({
  id: z.string(),
  tenant_id: z.string(),
  contact_id: z.string(),
  from_stage: lifecycleStage,
  to_stage: lifecycleStage,
  actor_kind: stageActorKind,
  actor_id: z.string().nullable(),
  execution_id: z.string().nullable(),
  reason: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()),
  created_at: timestamp(),
});
export type StageChange = z.infer<typeof stageChange>;
export const stageChangeList = z.object({ items: z.array(stageChange) });
export type StageChangeList = z.infer<typeof stageChangeList>;

export const qualificationRequest = z.object({
  id: z.string(),
  tenant_id: z.string(),
  contact_id: z.string(),
  conversation_id: z.string().nullable(),
  execution_id: z.string().nullable(),
  requested_by_kind: stageActorKind,
  requested_by: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()),
  summary: z.string().nullable(),
  status: qualificationStatus,
  decided_by_kind: stageActorKind.nullable(),
  decided_by: z.string().nullable(),
  decision_reason: z.string().nullable(),
  decided_at: timestamp().nullable(),
  created_at: timestamp(),
});
export type QualificationRequest = z.infer<typeof qualificationRequest>;

/** A request in a list, with the contact it is about. */
export const qualificationRequestItem = qualificationRequest.extend({
  contact: z.object({ id: z.string(), name: z.string().nullable(), phone: z.string(), lifecycle_stage: lifecycleStage }),
});
export const qualificationRequestList = z.object({ items: z.array(qualificationRequestItem) });
export type QualificationRequestList = z.infer<typeof qualificationRequestList>;

export const qualificationRules = z.object({
  tenant_id: z.string(),
  required_evidence: z.array(z.string()),
  minimum_score: z.number().nullable(),
  auto_approve: z.boolean(),
  /** False when the company has set none: every request waits for a person. */
  configured: z.boolean(),
  updated_at: timestamp().nullable(),
});
export type QualificationRules = z.infer<typeof qualificationRules>;

export const customer = z.object({
  id: z.string(),
  tenant_id: z.string(),
  contact_id: z.string(),
  qualification_request_id: z.string().nullable(),
  converted_by: z.string().nullable(),
  notes: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type Customer = z.infer<typeof customer>;
export const customerItem = customer.extend({
  contact: z.object({ id: z.string(), name: z.string().nullable(), phone: z.string(), email: z.string().nullable() }),
});
export const customerList = z.object({ items: z.array(customerItem) });
export type CustomerList = z.infer<typeof customerList>;

// ─── requests ───────────────────────────────────────────────────────────────────────────────────
const reason = longText(1000).optional();
const evidence = jsonObject({ maxDepth: 8, maxBytes: 16384, maxKeys: 50, maxKeyLength: 64, keyMinLength: 1 });

export const idParams = z.strictObject({ id: uuid() });

/** A person's move: qualify a lead, mark a contact lost, reopen a lost one (customer: convert). */
export const setStageBody = z.strictObject({
  stage: z.enum(["qualified", "lost", "lead"], { error: "Must be qualified, lost or lead (a customer is made by conversion)." }),
  reason,
});
export type SetStageBody = z.infer<typeof setStageBody>;

export const convertBody = z.strictObject({ notes: longText(2000).optional() });
export type ConvertBody = z.infer<typeof convertBody>;

export const fileQualificationBody = z.strictObject({
  contact_id: uuid(),
  evidence,
  summary: longText(2000).optional(),
});
export type FileQualificationBody = z.infer<typeof fileQualificationBody>;

export const decideQualificationBody = z.strictObject({ reason });
export type DecideQualificationBody = z.infer<typeof decideQualificationBody>;

export const qualificationListQuery = z.strictObject({
  status: qualificationStatus.optional(),
  contact_id: uuid().optional(),
  limit: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(200, { error: "Must be at most 200." }).default(100),
});

const evidenceKey = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, { error: "Must be a snake_case name (a-z, 0-9, _; up to 64)." });

export const putQualificationRulesBody = z.strictObject({
  required_evidence: z.array(evidenceKey).max(20, { error: "Must have at most 20 keys." })
    .refine((keys) => new Set(keys).size === keys.length, { error: "Must not repeat a key." }),
  minimum_score: z.number({ error: "Must be a number." }).min(0, { error: "Must be at least 0." }).max(100, { error: "Must be at most 100." }).nullable(),
  auto_approve: z.boolean({ error: "Must be true or false." }),
});
export type PutQualificationRulesBody = z.infer<typeof putQualificationRulesBody>;

export const customerListQuery = z.strictObject({
  search: text(100).optional(),
  limit: z.coerce.number({ error: "Must be a number." }).int({ error: "Must be a whole number." })
    .min(1, { error: "Must be at least 1." }).max(200, { error: "Must be at most 200." }).default(100),
});
