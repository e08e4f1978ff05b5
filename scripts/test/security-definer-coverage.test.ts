// The list in supabase/tests/088-security-definer-coverage.test.sql says, for every security-definer
// function, which pgTAP file exercises it and what in that file does. pgTAP checks the list against
// the catalog; this checks the list against the files, so a claim of coverage cannot outlive the
// test it points to.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../stack/instances.ts";

const testsDir = join(repoRoot, "supabase/tests");
const listFile = join(testsDir, "088-security-definer-coverage.test.sql");

interface Claim {
  functionName: string;
  testFile: string;
  exercisedBy: string;
}

/** The rows of the list: `('private.f', 'nnn-file.test.sql', 'what exercises it')`. */
function claims(): Claim[] {
  const sql = readFileSync(listFile, "utf8");
  const unquote = (text: string) => text.replaceAll("''", "'");
  return [...sql.matchAll(/^\s*\('((?:public|private)\.\w+)',\s*'([^']+)',\s*'((?:[^']|'')*)'\)/gm)].map(([, functionName, testFile, exercisedBy]) => ({
    functionName,
    testFile,
    exercisedBy: unquote(exercisedBy),
  }));
}

describe("the security-definer coverage list", () => {
  it("has an entry per line of the list, so no row escapes this check", () => {
    const rows = readFileSync(listFile, "utf8").split("\n").filter((line) => /^\s*\('(public|private)\./.test(line));
    expect(claims().length).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(0);
  });

  it("names files that exist and contain what it says exercises each function", () => {
    const wrong = claims().filter((claim) => {
      const file = join(testsDir, claim.testFile);
      return !existsSync(file) || !readFileSync(file, "utf8").includes(claim.exercisedBy);
    });
    expect(wrong.map((claim) => `${claim.functionName} → ${claim.testFile}: "${claim.exercisedBy}"`)).toEqual([]);
  });
});
