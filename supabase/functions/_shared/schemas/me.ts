// The signed-in person's own profile: GET /me/profile and PATCH /me.
import { z } from "zod";
import { httpUrl, timestamp, uuid } from "./common.ts";

export const profileLocales = ["pt-BR", "en"] as const;

/** `PATCH /me`: what a person may change of their profile (the columns granted to them); an empty name clears it. */
export const updateProfileBody = z.strictObject({
  full_name: z.string().trim().max(200, { error: "Must have at most 200 characters." })
    .transform((value) => value === "" ? null : value).nullable().optional(),
  avatar_url: httpUrl().nullable().optional(),
  locale: z.enum(profileLocales, { error: "Must be pt-BR or en." }).optional(),
}).refine((value) => Object.keys(value).length > 0, { error: "Send at least one field to change." });
export type UpdateProfileBody = z.input<typeof updateProfileBody>;

export const profile = z.object({
  id: uuid(),
  email: z.string().nullable(),
  full_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  locale: z.enum(profileLocales),
  /** Whether the person may open the platform admins' panel (/admin); set only by the service role. */
  is_platform_admin: z.boolean(),
  updated_at: timestamp(),
});
export type Profile = z.infer<typeof profile>;
