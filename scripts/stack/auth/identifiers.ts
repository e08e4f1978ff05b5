// GoTrue's validateEmail and validatePhone: what counts as an email address or a phone number.
import { badRequest } from "./errors.ts";

// github.com/badoux/checkmail's format check, which GoTrue uses.
const emailFormat =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** The address lowercased, as GoTrue stores it, or its 400 validation_failed. */
export function validateEmail(email: string): string {
  if (email === "") throw badRequest("validation_failed", "An email address is required");
  if (email.length > 255) throw badRequest("validation_failed", "An email address is too long");
  if (!emailFormat.test(email)) throw badRequest("validation_failed", "Unable to validate email address: invalid format");
  return email.toLowerCase();
}

/** The number without "+" and spaces, as GoTrue stores it, or its 400 validation_failed. */
export function validatePhone(phone: string): string {
  const formatted = phone.replace(/^\+/, "").replaceAll(" ", "");
  if (!/^[1-9]\d{1,14}$/.test(formatted)) {
    throw badRequest("validation_failed", "Invalid phone number format (E.164 required)");
  }
  return formatted;
}
