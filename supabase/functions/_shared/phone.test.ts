// Every case of phone-cases.ts through _shared/phone.ts and through the database's
// private.normalize_phone: the two must agree, since webhooks normalise in SQL and the API in
// TypeScript.
import { afterAll, describe, expect, it } from "vitest";
import { testDatabase } from "../../../tests/fixtures/index.ts";
import { phoneCases } from "./phone-cases.ts";
import { InvalidPhoneError, normalizePhone } from "./phone.ts";

const sql = testDatabase(1);
afterAll(() => sql.end());

function tsAnswer(raw: string, defaultCountry = "BR"): string | null {
  try {
    return normalizePhone(raw, defaultCountry);
  } catch (error) {
    if (error instanceof InvalidPhoneError) return null;
    throw error;
  }
}

async function sqlAnswer(raw: string, defaultCountry = "BR"): Promise<string | null> {
  try {
    const [row] = await sql<{ phone: string }[]>`select private.normalize_phone(${raw}, ${defaultCountry}) as phone`;
    return row.phone;
  } catch (error) {
    const { code, constraint_name } = error as { code?: string; constraint_name?: string };
    if (code === "22023" && constraint_name === "invalid_phone") return null;
    throw error;
  }
}

describe("phone numbers", () => {
  it("has enough cases of each kind", () => {
    expect(phoneCases.length).toBeGreaterThanOrEqual(20);
    expect(phoneCases.filter((phoneCase) => phoneCase.expected === null).length).toBeGreaterThanOrEqual(5);
  });

  for (const phoneCase of phoneCases) {
    it(`phone.ts: ${JSON.stringify(phoneCase.raw)} (${phoneCase.why})`, () => {
      expect(tsAnswer(phoneCase.raw, phoneCase.defaultCountry)).toBe(phoneCase.expected);
    });
  }

  for (const phoneCase of phoneCases) {
    it(`private.normalize_phone: ${JSON.stringify(phoneCase.raw)} (${phoneCase.why})`, async () => {
      expect(await sqlAnswer(phoneCase.raw, phoneCase.defaultCountry)).toBe(phoneCase.expected);
    });
  }

  it("says what to write when it refuses", () => {
    expect(() => normalizePhone("abc")).toThrowError(/area code/);
  });
});
