// The one-time codes behind emailed links (GoTrue's crypto.GenerateOtp and GenerateTokenHash): a
// code of `otp_length` digits for people to type, and the hex SHA-224 of email + code, which is
// what auth.users keeps and what links carry as `token_hash`.
import { createHash, randomInt } from "node:crypto";
import { epochSeconds } from "./database.ts";

export function newOtp(length: number): string {
  return Array.from({ length }, () => String(randomInt(10))).join("");
}

export function tokenHash(email: string, otp: string): string {
  return createHash("sha224").update(email + otp).digest("hex");
}

/** GoTrue's isOtpExpired: `otp_expiry` seconds after the email went out; unsent means expired. */
export function isOtpExpired(sentAt: string | null, otpExpirySeconds: number, now = Date.now()): boolean {
  return sentAt === null || now / 1000 > epochSeconds(sentAt) + otpExpirySeconds;
}
