/**
 * CSV as spreadsheets export it (RFC 4180): fields separated by commas — or semicolons, which
 * spreadsheets in Brazil write because the comma is the decimal separator —, optionally quoted
 * with "…" where a doubled quote is a quote, rows ending in \n or \r\n. The separator is the one
 * of the header line outside quotes: `;` when it has any, else `,`. A BOM is dropped; blank lines
 * are skipped. Returns the rows (each with its 1-based line number), or throws CsvSyntaxError for a
 * quote left open.
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  override readonly name = "CsvSyntaxError";
  constructor(readonly line: number) {
    super(`A quoted field that starts on line ${line} is never closed.`);
  }
}

export function parseCsv(text: string): CsvRow[] {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const separator = headerSeparator(source);
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  for (let index = 0; index < source.length; index++) {
    const character = source[index];
    if (quoted) {
      if (character === '"' && source[index + 1] === '"') {
        field += '"';
        index++;
      } else if (character === '"') {
        quoted = false;
      } else {
        if (character === "\n") line++;
        field += character;
      }
    } else if (character === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (character === separator) {
      fields.push(field);
      field = "";
    } else if (character === "\n" || character === "\r") {
      if (character === "\r" && source[index + 1] === "\n") index++;
      fields.push(field);
      if (fields.length > 1 || fields[0].trim() !== "") rows.push({ line: rowLine, fields });
      fields = [];
      field = "";
      line++;
      rowLine = line;
    } else {
      field += character;
    }
  }
  if (quoted) throw new CsvSyntaxError(quoteLine);
  fields.push(field);
  if (fields.length > 1 || fields[0].trim() !== "") rows.push({ line: rowLine, fields });
  return rows;
}

function headerSeparator(source: string): "," | ";" {
  let quoted = false;
  for (const character of source) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && (character === "\n" || character === "\r")) break;
    else if (!quoted && character === ";") return ";";
  }
  return ",";
}

/**
 * One CSV field as spreadsheets read it back (RFC 4180): quoted when it holds the separator, a
 * quote or a line break, quotes doubled. Text that a spreadsheet would run as a formula — starting
 * with = + - @, a tab or a carriage return (OWASP's CSV injection list) — gets a leading `'`, so a
 * contact's name or answer is shown, never evaluated. Numbers and booleans are written as they
 * are: `-3` is a value, not a formula. null and undefined are an empty field.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of fields as CSV: `,` between fields, CRLF after each row (RFC 4180). */
export function csvLines(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return rows.map((row) => row.map(csvField).join(",") + "\r\n").join("");
}
