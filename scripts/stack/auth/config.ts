// The `[auth]` settings of supabase/config.toml that the Auth stand-in honours, with the Supabase
// CLI's defaults for anything left out. Re-read when the file changes, so flipping a setting needs
// no gateway restart.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { repoRoot } from "../instances.ts";
import type { EmailKind } from "./email-templates.ts";
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
  /** `site_url`: where emails point by default, and an allowed redirect (with any port on loopback). */
  siteUrl: string;
  /** `additional_redirect_urls`: further allowed redirects, as GoTrue's glob patterns. */
  additionalRedirectUrls: string[];
  /** `enable_manual_linking`: whether /user/identities answers at all. */
  manualLinking: boolean;
  /** `[auth.rate_limit]`, as GoTrue applies them per client IP (requests per 5 minutes). */
  rateLimit: { tokenRefresh: number; signInSignUps: number; tokenVerifications: number };
  email: {
    enabled: boolean;
    autoconfirm: boolean;
    securePasswordChange: boolean;
    /** `double_confirm_changes` (GoTrue's secure email change): the old address confirms a change too. */
    doubleConfirmChanges: boolean;
    /** `max_frequency` in milliseconds: how soon another recovery email may go to the same user. */
    maxFrequency: number;
    /** `otp_expiry` in seconds: how long an emailed link or code stays good. */
    otpExpiry: number;
    /** `otp_length`: digits of the emailed code. */
    otpLength: number;
    /** `[auth.email.template.recovery]`, when configured. */
    recoveryTemplate: EmailTemplate | null;
    /** `[auth.email.template.<kind>]` for every kind, null where not configured. */
    templates: Record<EmailKind, EmailTemplate | null>;
  };
  phone: { enabled: boolean; autoconfirm: boolean };
  /** `[auth.sessions]` timebox and inactivity_timeout in milliseconds; null when unset. */
  sessionTimebox: number | null;
  sessionInactivityTimeout: number | null;
}

export interface EmailTemplate {
  subject: string | null;
  /** `content_path`, resolved against the project root as the Supabase CLI does. */
  contentPath: string | null;
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

function stringList(section: Table, key: string): string[] {
  const value = section[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "") : [];
}

function emailTemplate(email: Table, name: string): EmailTemplate | null {
  const template = table(table(email.template)[name]);
  const subject = setting(template, "subject", "") || null;
  const contentPath = setting(template, "content_path", "") || null;
  return subject || contentPath ? { subject, contentPath: contentPath && join(repoRoot, contentPath) } : null;
}

export function readAuthConfig(text: string): AuthConfig {
  const auth = table(table(parse(text)).auth);
  const email = table(auth.email);
  const sms = table(auth.sms);
  const sessions = table(auth.sessions);
  const rateLimit = table(auth.rate_limit);
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
    siteUrl: setting(auth, "site_url", "http://127.0.0.1:3000"),
    additionalRedirectUrls: stringList(auth, "additional_redirect_urls"),
    manualLinking: setting(auth, "enable_manual_linking", false),
    rateLimit: {
      tokenRefresh: setting(rateLimit, "token_refresh", 150),
      signInSignUps: setting(rateLimit, "sign_in_sign_ups", 30),
      tokenVerifications: setting(rateLimit, "token_verifications", 30),
    },
    email: {
      enabled: setting(email, "enabled", true),
      autoconfirm: !setting(email, "enable_confirmations", false),
      securePasswordChange: setting(email, "secure_password_change", false),
      doubleConfirmChanges: setting(email, "double_confirm_changes", true),
      maxFrequency: duration(email, "max_frequency") ?? 1_000,
      otpExpiry: setting(email, "otp_expiry", 3600),
      otpLength: setting(email, "otp_length", 6),
      recoveryTemplate: emailTemplate(email, "recovery"),
      templates: {
        invite: emailTemplate(email, "invite"),
        confirmation: emailTemplate(email, "confirmation"),
        recovery: emailTemplate(email, "recovery"),
        magic_link: emailTemplate(email, "magic_link"),
        email_change: emailTemplate(email, "email_change"),
        reauthentication: emailTemplate(email, "reauthentication"),
      },
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
