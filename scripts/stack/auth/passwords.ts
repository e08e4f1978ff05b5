// GoTrue's checkPasswordStrength with `minimum_password_length` and `password_requirements`.
// (Leaked-password checks need HaveIBeenPwned, which a local stack cannot reach.)
import type { AuthConfig } from "./config.ts";
import { AuthError, badRequest } from "./errors.ts";

/** bcrypt reads at most 72 bytes; GoTrue refuses longer passwords instead of truncating them. */
export const maxPasswordLength = 72;

export interface WeakPassword {
  message: string;
  reasons: string[];
}

/** Why the password is weak under the current rules, or null when it is not. */
export function passwordWeakness(password: string, config: AuthConfig): WeakPassword | null {
  const messages: string[] = [];
  const reasons: string[] = [];
  if (Buffer.byteLength(password) < config.minimumPasswordLength) {
    reasons.push("length");
    messages.push(`Password should be at least ${config.minimumPasswordLength} characters.`);
  }
  const sets = config.requiredCharacterSets;
  if (sets.some((set) => ![...set].some((character) => password.includes(character)))) {
    reasons.push("characters");
    messages.push(`Password should contain at least one character of each: ${sets.join(", ")}.`);
  }
  return reasons.length > 0 ? { message: messages.join(" "), reasons } : null;
}

/** Throws GoTrue's 400 (too long) or 422 weak_password for a password that may not be set. */
export function checkPasswordStrength(password: string, config: AuthConfig): void {
  if (Buffer.byteLength(password) > maxPasswordLength) {
    throw badRequest("validation_failed", `Password cannot be longer than ${maxPasswordLength} characters`);
  }
  const weakness = passwordWeakness(password, config);
  if (weakness) throw new AuthError(422, "weak_password", weakness.message, weakness.reasons);
}
