// The platform's tools registry (/tools) and the company's own HTTP tools (/tools/company).
import { z } from "zod";
import { httpUrl, jsonObject, list, longText, storableString, timestamp, uuid } from "./common.ts";

export const tool = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** The JSON schema of the tool's parameters. */
  parameters: z.record(z.string(), z.unknown()),
  created_at: timestamp(),
});
export type Tool = z.infer<typeof tool>;

export const toolList = list(tool);
export type ToolList = z.infer<typeof toolList>;

// ─── the company's own HTTP tools: /tools/company ─────────────────────────────────────────────

export const toolMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export const companyTool = z.object({
  id: z.string(),
  tenant_id: z.string(),
  name: z.string(),
  description: z.string(),
  url: z.string(),
  method: z.enum(toolMethods),
  parameters: z.record(z.string(), z.unknown()),
  /** Plain headers; secret ones are only named (secret_headers), never answered. */
  headers: z.record(z.string(), z.string()),
  secret_headers: z.array(z.string()),
  timeout_ms: z.number().int(),
  is_active: z.boolean(),
  created_by: z.string().nullable(),
  created_at: timestamp(),
  updated_at: timestamp(),
});
export type CompanyTool = z.infer<typeof companyTool>;

export const companyToolList = list(companyTool);
export type CompanyToolList = z.infer<typeof companyToolList>;

const toolName = z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, { error: "Use 2 to 64 lowercase letters, digits and underscores, starting with a letter." });
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, { error: "Must be an HTTP header name." });

/** The JSON Schema of the arguments: an object schema, at most 20 kB. */
const parametersSchema = jsonObject({ maxDepth: 16, maxBytes: 20_000, maxKeys: 32, maxKeyLength: 64 })
  .refine((schema) => schema.type === "object", { error: 'Must be a JSON Schema of an object ("type": "object").' });

const toolFields = {
  name: toolName,
  description: longText(2000),
  url: httpUrl(),
  method: z.enum(toolMethods),
  parameters: parametersSchema,
  headers: z.record(headerName, storableString().max(2000, { error: "Must have at most 2000 characters." })),
  timeout_ms: z.number().int({ error: "Must be a whole number." }).min(100, { error: "Must be at least 100." })
    .max(30_000, { error: "Must be at most 30000." }),
  is_active: z.boolean(),
};

export const createCompanyToolBody = z.strictObject({
  ...toolFields,
  description: toolFields.description.optional(),
  method: toolFields.method.optional(),
  parameters: toolFields.parameters.optional(),
  headers: toolFields.headers.optional(),
  timeout_ms: toolFields.timeout_ms.optional(),
  is_active: toolFields.is_active.optional(),
});

export const updateCompanyToolBody = z.strictObject({
  name: toolFields.name.optional(),
  description: toolFields.description.optional(),
  url: toolFields.url.optional(),
  method: toolFields.method.optional(),
  parameters: toolFields.parameters.optional(),
  headers: toolFields.headers.optional(),
  timeout_ms: toolFields.timeout_ms.optional(),
  is_active: toolFields.is_active.optional(),
}).refine((body) => Object.values(body).some((value) => value !== undefined), { error: "Send at least one field to change." });

export const companyToolParams = z.strictObject({ id: uuid() });
export const toolSecretParams = z.strictObject({ id: uuid(), header: headerName });

/** A secret header's value: set once, never answered again. */
export const toolSecretBody = z.strictObject({
  value: storableString().min(1, { error: "Must not be empty." }).max(4000, { error: "Must have at most 4000 characters." }),
});
