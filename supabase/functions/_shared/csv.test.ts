// CSV written by the API (exports) read back by the API's own reader: quoting round-trips, and
// text a spreadsheet would run as a formula comes back as text with a leading quote.
import { describe, expect, it } from "vitest";
import { csvField, csvLines, parseCsv } from "./csv.ts";

describe("csvField", () => {
  it("quotes separators, quotes and line breaks, and nothing else", () => {
    expect(csvField("Ana")).toBe("Ana");
    expect(csvField("Silva, Ana")).toBe('"Silva, Ana"');
    expect(csvField("a;b")).toBe('"a;b"');
    expect(csvField('diz "oi"')).toBe('"diz ""oi"""');
    expect(csvField("linha 1\nlinha 2")).toBe('"linha 1\nlinha 2"');
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
  });

  it("keeps formulas from running: text starting with = + - @ tab or CR gets a leading quote", () => {
    expect(csvField("=HYPERLINK(\"http://x\")")).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField("+5511999990000")).toBe("'+5511999990000");
    expect(csvField("-1+1")).toBe("'-1+1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tcmd")).toBe("'\tcmd");
    expect(csvField("a=b")).toBe("a=b");
  });

  it("writes numbers and booleans as they are", () => {
    expect(csvField(-3)).toBe("-3");
    expect(csvField(4.5)).toBe("4.5");
    expect(csvField(true)).toBe("true");
    expect(csvField(Number.NaN)).toBe("");
  });
});

describe("csvLines", () => {
  it("reads back field for field through parseCsv", () => {
    const rows = [["name", "note"], ["Silva, Ana", 'diz "oi"\ne tchau'], ["Bruno", ""]];
    const text = csvLines(rows);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parseCsv(text).map((row) => row.fields)).toEqual(rows);
  });
});
