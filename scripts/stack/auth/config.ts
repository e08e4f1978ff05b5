// The `[auth]` settings of supabase/config.toml that the Auth stand-in honours, with the Supabase
// CLI's defaults for anything left out. Re-read when the file changes, so flipping a setting needs
// no gateway restart.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { repoRoot } from "../instances.ts";
import { parseGoDuration } from "./go-duration.ts";

export interface AuthConfig {
  /** Access-token lifetime in seconds (`jwt_expiry`). */
  jwtExpiry: number;
  /** `jwt_issuer`; null means `<API_URL>/auth/v1`, the CLI's default. */
  jwtIssuer: string | null;
  enableSignup: boolean;
  anonymousSignIns: boolean;
  minimumPasswordLength: number;
  /** Character sets a password must each draw from (`password_requirements`, as GoTrue receives them). */
  requiredCharacterSets: string[];
  refreshTokenRotation: boolean;
  /** Seconds a revoked refresh token may still be exchanged (`refresh_token_reuse_interval`). */
  refreshTokenReuseInterval: number;
  email: { enabled: boolean; autoconfirm: boolean; securePasswordChange: boolean };
  phone: { enabled: boolean; autoconfirm: boolean };
  /** `[auth.sessions]` timebox and inactivity_timeout in milliseconds; null when unset. */
  sessionTimebox: number | null;
  sessionInactivityTimeout: number | null;
}

// `password_requirements` as the Supabase CLI hands them to GoTrue (GOTRUE_PASSWORD_REQUIRED_CHARACTERS):
// sets separated by ":", where "\:" is a literal colon.
const requiredCharactersByRequirement: Record<string, string> = {
  letters_digits: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789",
  lower_upper_letters_digits: "abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789",
  lower_upper_letters_digits_symbols:
    "abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXYZ:0123456789:!@#$%^&*()_+-=[]{};'\\\\:\"|<>?,./`~",
};

/** GoTrue's PasswordRequiredCharacters.Decode. */
function characterSets(encoded: string): string[] {
  const parts = encoded.split(":");
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i];
    if (part.endsWith("\\")) {
      parts[i] = `${part.slice(0, -1)}:${parts[i + 1]}`;
      parts[i + 1] = "";
    }
  }
  return parts.filter((part) => part !== "");
}

type Table = Record<string, unknown>;

function table(value: unknown): Table {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Table) : {};
}

function setting<T>(section: Table, key: string, fallback: T): T {
  const value = section[key];
  return typeof value === typeof fallback ? (value as T) : fallback;
}

function duration(section: Table, key: string): number | null {
  const value = section[key];
  if (typeof value !== "string" || value === "") return null;
  const milliseconds = parseGoDuration(value);
  return milliseconds && milliseconds > 0 ? milliseconds : null;
}

export function readAuthConfig(text: string): AuthConfig {
  const auth = table(table(parse(text)).auth);
  const email = table(auth.email);
  const sms = table(auth.sms);
  const sessions = table(auth.sessions);
  const requirement = setting(auth, "password_requirements", "");
  return {
    jwtExpiry: setting(auth, "jwt_expiry", 3600),
    jwtIssuer: setting(auth, "jwt_issuer", "") || null,
    enableSignup: setting(auth, "enable_signup", true),
    anonymousSignIns: setting(auth, "enable_anonymous_sign_ins", false),
    minimumPasswordLength: setting(auth, "minimum_password_length", 6),
    requiredCharacterSets: characterSets(requiredCharactersByRequirement[requirement] ?? ""),
    refreshTokenRotation: setting(auth, "enable_refresh_token_rotation", true),
    refreshTokenReuseInterval: setting(auth, "refresh_token_reuse_interval", 10),
    email: {
      enabled: setting(email, "enabled", true),
      autoconfirm: !setting(email, "enable_confirmations", false),
      securePasswordChange: setting(email, "secure_password_change", false),
    },
    phone: {
      enabled: setting(sms, "enabled", false),
      autoconfirm: !setting(sms, "enable_confirmations", false),
    },
    sessionTimebox: duration(sessions, "timebox"),
    sessionInactivityTimeout: duration(sessions, "inactivity_timeout"),
  };
}

const configPath = join(repoRoot, "supabase/config.toml");
let cached: { mtimeMs: number; config: AuthConfig } | null = null;

export function authConfig(): AuthConfig {
  const mtimeMs = statSync(configPath).mtimeMs;
  if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, config: readAuthConfig(readFileSync(configPath, "utf8")) };
  return cached.config;
}
