/**
 * Phone numbers as they arrive (typed by people, sent by Meta, Z-API and Evolution) and what Renum
 * keeps: E.164, or `null` when the text is refused (`invalid_phone`). The one list both
 * implementations answer to: `_shared/phone.ts` (phone.test.ts) and SQL `private.normalize_phone`
 * (the same test runs each case through the database, and pgTAP holds a copy as a table).
 * `defaultCountry` is the country assumed for a number written without one (BR when absent).
 */
export interface PhoneCase {
  raw: string;
  defaultCountry?: string;
  expected: string | null;
  why: string;
}

export const phoneCases: readonly PhoneCase[] = [
  // Brazilian mobiles, every way they are written
  { raw: "+55 11 98765-4321", expected: "+5511987654321", why: "international, formatted" },
  { raw: "5511987654321", expected: "+5511987654321", why: "Meta wa_id / Z-API phone: digits with the country code" },
  { raw: "5511987654321@s.whatsapp.net", expected: "+5511987654321", why: "Evolution remoteJid" },
  { raw: "5511987654321@c.us", expected: "+5511987654321", why: "whatsapp-web style chat id" },
  { raw: "(11) 98765-4321", expected: "+5511987654321", why: "national, as people type it" },
  { raw: "11987654321", expected: "+5511987654321", why: "national digits" },
  { raw: "021 98765-4321", expected: "+5521987654321", why: "national with the trunk 0" },
  { raw: "  +55.11.98765.4321  ", expected: "+5511987654321", why: "dots and surrounding spaces" },
  // the ninth digit
  { raw: "+55 11 8765-4321", expected: "+5511987654321", why: "old mobile (8 digits starting 8) gains its 9" },
  { raw: "551187654321", expected: "+5511987654321", why: "Meta sends some mobiles without the 9" },
  { raw: "(21) 7654-3210", expected: "+5521976543210", why: "8 digits starting 7 gains its 9" },
  { raw: "+55 31 6543-2109", expected: "+5531965432109", why: "8 digits starting 6 gains its 9" },
  { raw: "558199887766@s.whatsapp.net", expected: "+5581999887766", why: "Evolution jid without the 9" },
  // landlines stay eight digits
  { raw: "+55 11 3333-4444", expected: "+551133334444", why: "São Paulo landline" },
  { raw: "554133334444", expected: "+554133334444", why: "landline as a wa_id" },
  { raw: "(51) 2345-6789", expected: "+555123456789", why: "landline starting 2" },
  { raw: "+55 (61) 5432-1098", expected: "+556154321098", why: "landline starting 5" },
  // other countries
  { raw: "+1 (415) 555-2671", expected: "+14155552671", why: "United States" },
  { raw: "+44 20 7946 0958", expected: "+442079460958", why: "United Kingdom" },
  { raw: "+351 912 345 678", expected: "+351912345678", why: "Portugal mobile" },
  { raw: "+54 9 11 2345-6789", expected: "+5491123456789", why: "Argentina: its own mobile 9 is not Brazil's" },
  { raw: "(415) 555-2671", defaultCountry: "US", expected: "+14155552671", why: "national with another default country" },
  // refused
  { raw: "", expected: null, why: "empty" },
  { raw: "abc", expected: null, why: "no digits" },
  { raw: "123", expected: null, why: "too short" },
  { raw: "+55 11 98765-4321 ramal 12", expected: null, why: "letters (an extension) are not guessed around" },
  { raw: "+5511987654321999999", expected: null, why: "too long" },
  { raw: "+55 11 88765-4321", expected: null, why: "Brazilian 9-digit subscriber not starting with 9" },
  { raw: "+55 11 1234-5678", expected: null, why: "Brazilian 8-digit subscriber starting 1" },
  { raw: "120363025246125486@g.us", expected: null, why: "a WhatsApp group is not a phone" },
];
