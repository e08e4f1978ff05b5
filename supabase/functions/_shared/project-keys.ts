import { z } from "zod";

/**
 * The project's keys as a function receives them, under both of Supabase's key systems (see
 * docs in README.md, "Project keys"):
 *
 * - legacy: `SUPABASE_ANON_KEY` and `SUPABASE_SERVICE_ROLE_KEY` are HS256 JWTs signed with the
 *   project's JWT secret, which a function gets only as a secret we set (`JWT_SECRET`);
 * - new: `SUPABASE_PUBLISHABLE_KEYS` and `SUPABASE_SECRET_KEYS` are JSON objects of named keys
 *   (`{"default":"sb_secret_..."}`) that are not JWTs, and `SUPABASE_JWKS` is the JSON Web Key Set
 *   that verifies user tokens (`{"keys":[...]}`; the Supabase CLI also lists the legacy secret in it
 *   as an `oct` key).
 *
 * Either system may be missing: the legacy names are absent once a project disables legacy keys,
 * the new ones on an older setup. Whatever is present is used side by side.
 */
export interface ProjectKeys {
  /** The project's URL; its JWKS is at `/auth/v1/.well-known/jwks.json` (keys rotated after boot). */
  supabaseUrl?: string;
  /** The legacy HS256 secret: JWT_SECRET, or the `oct` key of SUPABASE_JWKS. */
  jwtSecret?: string | Uint8Array;
  /** The asymmetric public keys of SUPABASE_JWKS (ES256/RS256), when the platform handed them over. */
  jwks?: { keys: Record<string, unknown>[] };
  /** Every key that authenticates a service call: the legacy service_role JWT and each sb_secret key. */
  serviceKeys: string[];
  /** The key this function presents when it calls another function: a secret key first, else the legacy one. */
  callKey?: string;
}

export type EnvReader = (name: string) => string | undefined;

const namedKeys = z.record(z.string(), z.string().min(1));
const keySet = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });

/**
 * Reads the project's keys from the environment (`Deno.env.get` in a function). A variable that is
 * present but malformed is a deployment mistake and throws at boot, with its name.
 */
export function projectKeysFromEnv(env: EnvReader): ProjectKeys {
  const secretKeys = Object.values(parsedVariable(env, "SUPABASE_SECRET_KEYS", namedKeys) ?? {});
  const serviceRoleKey = env("SUPABASE_SERVICE_ROLE_KEY") || undefined;
  const publishedKeys = parsedVariable(env, "SUPABASE_JWKS", keySet)?.keys ?? [];
  const octKey = publishedKeys.find((key) => key.kty === "oct" && typeof key.k === "string");
  const asymmetricKeys = publishedKeys.filter((key) => key.kty !== "oct");
  const legacySecret = env("JWT_SECRET");
  return {
    supabaseUrl: env("SUPABASE_URL") || undefined,
    jwtSecret: legacySecret
      ? new TextEncoder().encode(legacySecret)
      : octKey
      ? base64UrlBytes(String(octKey.k))
      : undefined,
    jwks: asymmetricKeys.length > 0 ? { keys: asymmetricKeys } : undefined,
    serviceKeys: [...secretKeys, ...(serviceRoleKey ? [serviceRoleKey] : [])],
    callKey: secretKeys[0] ?? serviceRoleKey,
  };
}

function parsedVariable<T>(env: EnvReader, name: string, schema: z.ZodType<T>): T | undefined {
  const raw = env(name);
  if (!raw) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`the environment variable ${name} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`the environment variable ${name} does not have the shape Supabase gives it`);
  return parsed.data;
}

function base64UrlBytes(text: string): Uint8Array {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
}

/**
 * True when `presented` equals one of `serviceKeys`. Both sides are hashed first and every key is
 * compared, so neither the time taken nor an early exit tells a caller how much of a key matched
 * or which key it was close to.
 */
export async function isServiceKey(presented: string, serviceKeys: string[]): Promise<boolean> {
  const presentedDigest = await sha256(presented);
  let matched = false;
  for (const key of serviceKeys) {
    const digest = await sha256(key);
    let difference = 0;
    for (let index = 0; index < digest.length; index++) difference |= digest[index] ^ presentedDigest[index];
    matched = matched || difference === 0;
  }
  return matched;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
