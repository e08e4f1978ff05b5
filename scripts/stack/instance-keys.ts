// Which key system an instance runs, and its key material, kept per instance in
// .stack/<instance>/keys.json (never committed):
//   legacy      Auth signs HS256 with the CLI's public JWT secret; the anon and service_role keys
//               are JWTs (keys.ts). What the Supabase CLI runs by default.
//   asymmetric  Auth signs ES256 with this instance's own key and publishes it at
//               /auth/v1/.well-known/jwks.json; the project keys are `sb_publishable_…` and
//               `sb_secret_…` (not JWTs); the legacy keys are disabled, as on a hosted project
//               that turned them off. `up --keys asymmetric` chooses it; later `up`s keep it.
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { StackInstance } from "./instances.ts";
import { anonKey, jwtSecret, serviceRoleKey } from "./keys.ts";
import { StackError } from "./stack-error.ts";

export type KeysMode = "legacy" | "asymmetric";

export function isKeysMode(value: string): value is KeysMode {
  return value === "legacy" || value === "asymmetric";
}

export interface LegacyKeys {
  mode: "legacy";
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
}

export interface AsymmetricKeys {
  mode: "asymmetric";
  publishableKey: string;
  secretKey: string;
  /** The ES256 key Auth signs with; its public half is the project's JWKS. */
  signingKey: { kid: string; privateJwk: JWK; publicJwk: JWK };
}

export type InstanceKeys = LegacyKeys | AsymmetricKeys;

const legacyKeys: LegacyKeys = { mode: "legacy", jwtSecret, anonKey, serviceRoleKey };

function keysFile(instance: StackInstance): string {
  return join(instance.stateDir, "keys.json");
}

/** The instance's keys as recorded; legacy when none were recorded (the default, as the CLI's). */
export function instanceKeys(instance: StackInstance): InstanceKeys {
  const file = keysFile(instance);
  if (!existsSync(file)) return legacyKeys;
  const recorded = JSON.parse(readFileSync(file, "utf8")) as InstanceKeys;
  return recorded.mode === "asymmetric" ? recorded : legacyKeys;
}

/**
 * Records the key system for the instance (`mode`, or what was recorded before) and answers its
 * keys, making an asymmetric instance's key material the first time it is needed.
 */
export async function prepareInstanceKeys(
  instance: StackInstance,
  mode?: KeysMode,
): Promise<{ keys: InstanceKeys; changed: boolean }> {
  const current = instanceKeys(instance);
  const wanted = mode ?? current.mode;
  if (wanted === current.mode) return { keys: current, changed: false };
  mkdirSync(instance.stateDir, { recursive: true });
  const keys = wanted === "asymmetric" ? await newAsymmetricKeys() : legacyKeys;
  writeFileSync(keysFile(instance), JSON.stringify(keys, null, 2), { mode: 0o600 });
  return { keys, changed: true };
}

async function newAsymmetricKeys(): Promise<AsymmetricKeys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const describe = { kid, alg: "ES256", use: "sig", key_ops: ["verify"] };
  return {
    mode: "asymmetric",
    // The shape of hosted keys: a prefix, a random part, an underscore and a short check part.
    publishableKey: `sb_publishable_${randomBytes(16).toString("base64url")}_${randomBytes(6).toString("base64url")}`,
    secretKey: `sb_secret_${randomBytes(16).toString("base64url")}_${randomBytes(6).toString("base64url")}`,
    signingKey: {
      kid,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "ES256" },
      publicJwk: { ...(await exportJWK(publicKey)), ...describe },
    },
  };
}

/** The JWKS Auth publishes: the public signing key, or none for the legacy secret (GoTrue never publishes it). */
export function publishedKeySet(keys: InstanceKeys): { keys: JWK[] } {
  return { keys: keys.mode === "asymmetric" ? [keys.signingKey.publicJwk] : [] };
}

/** The key the database's pg_net kicks present to the executor: a service key of the instance's system. */
export function serviceKeyOf(keys: InstanceKeys): string {
  return keys.mode === "asymmetric" ? keys.secretKey : keys.serviceRoleKey;
}

/** The role a project API key (the `apikey` header) stands for, or null when it is not one of this project's. */
export function apiKeyRole(keys: InstanceKeys, key: string): "anon" | "service_role" | null {
  if (keys.mode !== "asymmetric") return null;
  if (key === keys.publishableKey) return "anon";
  if (key === keys.secretKey) return "service_role";
  return null;
}

export async function signingPrivateKey(keys: AsymmetricKeys) {
  return importJWK(keys.signingKey.privateJwk, "ES256");
}

export async function signingPublicKey(keys: AsymmetricKeys) {
  return importJWK(keys.signingKey.publicJwk, "ES256");
}

// The gateway serves one instance: its stand-ins read that instance's keys from here.
let activeInstanceKeys: InstanceKeys = legacyKeys;

export function useInstanceKeys(keys: InstanceKeys): void {
  activeInstanceKeys = keys;
}

export function activeKeys(): InstanceKeys {
  return activeInstanceKeys;
}

export function requireKeysMode(value: string | undefined): KeysMode | undefined {
  if (value === undefined) return undefined;
  if (!isKeysMode(value)) throw new StackError(`unknown key system "${value}"; use --keys legacy or --keys asymmetric`);
  return value;
}
