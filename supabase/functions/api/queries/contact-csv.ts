import { ApiError } from "../../_shared/errors.ts";
import { CsvSyntaxError, parseCsv } from "../../_shared/csv.ts";
import { InvalidPhoneError, normalizePhone } from "../../_shared/phone.ts";
import type { CsvRowError } from "../../_shared/schemas/projects.ts";

/** A contact a CSV row names: its phone in E.164, and the name and e-mail when given. */
export interface CsvContact {
  row: number;
  phone: string;
  name: string | null;
  email: string | null;
}

export interface ContactCsv {
  /** Data rows (the header is not one). */
  rows: number;
  contacts: CsvContact[];
  rowErrors: CsvRowError[];
}

const knownColumns = ["phone", "name", "email"] as const;
const columnSpellings: Record<string, (typeof knownColumns)[number]> = {
  phone: "phone", telefone: "phone", celular: "phone", whatsapp: "phone",
  name: "name", nome: "name",
  email: "email", "e-mail": "email",
};
export const maxCsvRows = 10_000;
const emailFormat = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The contacts of an uploaded CSV whose header names a phone column (phone, telefone, celular or
 * whatsapp) and optionally name/nome and email/e-mail. A header with any other column, without a
 * phone column, or more than 10,000 rows refuses the whole file (422, nothing written); a row with
 * a bad phone, a phone an earlier row had, a bad e-mail, a name over 200 characters or the wrong
 * number of fields is reported with its row number and left out.
 */
export function readContactCsv(text: string): ContactCsv {
  let table;
  try {
    table = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ApiError(422, "csv_invalid", error.message, { details: { line: error.line } });
    throw error;
  }
  const [header, ...rows] = table;
  if (!header) throw new ApiError(422, "csv_invalid", "The file is empty: send a header line (phone,name,email) and one line per contact.");
  const columns = header.fields.map((field) => columnSpellings[field.trim().toLowerCase()] ?? null);
  const unknown = header.fields.filter((_, index) => columns[index] === null).map((field) => field.trim());
  if (unknown.length > 0) {
    throw new ApiError(422, "csv_unknown_column", `The file has columns Renum does not read: ${unknown.join(", ")}. Use phone, name and email.`, {
      details: { unknown_columns: unknown, known_columns: knownColumns },
    });
  }
  const phoneColumn = columns.indexOf("phone");
  if (phoneColumn < 0) throw new ApiError(422, "csv_phone_column_missing", "The file needs a phone column (phone, telefone, celular or whatsapp).");
  if (rows.length > maxCsvRows) {
    throw new ApiError(422, "csv_too_many_rows", `A file takes at most ${maxCsvRows} contacts; this one has ${rows.length}.`, {
      details: { limit: maxCsvRows, rows: rows.length },
    });
  }
  const nameColumn = columns.indexOf("name");
  const emailColumn = columns.indexOf("email");
  const firstRowOfPhone = new Map<string, number>();
  const contacts: CsvContact[] = [];
  const rowErrors: CsvRowError[] = [];
  for (const { line, fields } of rows) {
    const written = fields[phoneColumn]?.trim() ?? null;
    const refuse = (code: CsvRowError["code"], message: string) => rowErrors.push({ row: line, phone: written, code, message });
    if (fields.length !== columns.length) {
      refuse("wrong_column_count", `This row has ${fields.length} fields; the header has ${columns.length}.`);
      continue;
    }
    let phone: string;
    try {
      phone = normalizePhone(written ?? "");
    } catch (error) {
      if (!(error instanceof InvalidPhoneError)) throw error;
      refuse("invalid_phone", "Not a phone number (write it with its area code, +55 11 98765-4321).");
      continue;
    }
    const earlier = firstRowOfPhone.get(phone);
    if (earlier !== undefined) {
      refuse("duplicate_phone", `Row ${earlier} has this phone already.`);
      continue;
    }
    const name = nameColumn < 0 ? null : fields[nameColumn].trim() || null;
    const email = emailColumn < 0 ? null : fields[emailColumn].trim().toLowerCase() || null;
    if (name !== null && name.length > 200) {
      refuse("name_too_long", "A name has at most 200 characters.");
      continue;
    }
    if (email !== null && (!emailFormat.test(email) || email.length > 320)) {
      refuse("invalid_email", "Not an e-mail address.");
      continue;
    }
    firstRowOfPhone.set(phone, line);
    contacts.push({ row: line, phone, name, email });
  }
  return { rows: rows.length, contacts, rowErrors };
}
