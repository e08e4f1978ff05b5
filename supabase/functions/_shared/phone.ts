import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";

/**
 * Phone numbers as Renum keeps them: E.164 (`+5511987654321`), one spelling per person, so the
 * same lead writing through Meta (which drops the ninth digit of some Brazilian mobiles), Z-API
 * (`5511987654321`) or Evolution (`5511987654321@s.whatsapp.net`) is one contact.
 *
 * The database has the same rules in `private.normalize_phone` (webhooks normalise there); the
 * cases in phone-cases.ts are run through both and must give the same answers.
 *
 * Brazil: DDD (two digits, 1-9 each) + subscriber. Mobiles have nine digits starting with 9; an
 * eight-digit subscriber starting 6-9 is a mobile written the old way and gains its 9; landlines
 * have eight digits starting 2-5. Anything else under +55 is refused. Other countries: what
 * libphonenumber calls a possible number (its length rules), since WhatsApp ids are real numbers.
 */

/** Thrown for text that is not a phone number; `code` is the API's and the database's code. */
export class InvalidPhoneError extends Error {
  override readonly name = "InvalidPhoneError";
  readonly code = "invalid_phone";
}

// WhatsApp ids as providers send them: `5511987654321@s.whatsapp.net` (Evolution, Baileys) and
// `5511987654321@c.us` (Z-API and whatsapp-web based ones). Groups (`@g.us`) are not people.
const whatsappSuffix = /@(?:s\.whatsapp\.net|c\.us)$/i;
// Digits and the punctuation people write numbers with; letters (an extension, "ramal") are refused
// rather than guessed around.
const phoneCharacters = /^\+?[0-9 ().\/-]+$/;

export function normalizePhone(raw: string, defaultCountry: string = "BR"): string {
  const written = raw.trim().replace(whatsappSuffix, "");
  if (!phoneCharacters.test(written) || !/[0-9]/.test(written)) throw invalid(raw);
  const parsed = parsePhoneNumberFromString(written, defaultCountry.toUpperCase() as CountryCode);
  if (!parsed) throw invalid(raw);
  if (parsed.countryCallingCode === "55") return `+55${brazilianNationalNumber(parsed.nationalNumber, raw)}`;
  if (!parsed.isPossible()) throw invalid(raw);
  return parsed.number;
}

/** True when `normalizePhone` accepts `raw`. */
export function isPhone(raw: string, defaultCountry: string = "BR"): boolean {
  try {
    normalizePhone(raw, defaultCountry);
    return true;
  } catch (error) {
    if (error instanceof InvalidPhoneError) return false;
    throw error;
  }
}

function brazilianNationalNumber(national: string, raw: string): string {
  const match = /^([1-9]{2})([0-9]{8,9})$/.exec(national);
  if (!match) throw invalid(raw);
  const [, ddd, subscriber] = match;
  if (subscriber.length === 9) {
    if (subscriber[0] !== "9") throw invalid(raw);
    return ddd + subscriber;
  }
  if ("6789".includes(subscriber[0])) return `${ddd}9${subscriber}`;
  if ("2345".includes(subscriber[0])) return ddd + subscriber;
  throw invalid(raw);
}

function invalid(raw: string): InvalidPhoneError {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return new InvalidPhoneError(`"${shown}" is not a phone number: write it with its area code, e.g. +55 11 98765-4321.`);
}
