import { join } from "node:path";
import { cliDbUrl, repoRoot, type StackInstance } from "./instances.ts";
import { firstMeaningfulLine, runCommand } from "./run-command.ts";
import { StackError } from "./stack-error.ts";

/** Checked in; imported by the functions and the web app. `npm test` fails when it is stale. */
export const databaseTypesFile = join(repoRoot, "supabase/functions/_shared/database.types.ts");

export async function generateDatabaseTypes(instance: StackInstance): Promise<string> {
  const result = await runCommand(
    join(repoRoot, "node_modules/.bin/supabase"),
    ["gen", "types", "typescript", `--remote=${cliDbUrl(instance)}`, "--schema", "public", "--agent", "no"],
    { cwd: repoRoot, env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" } },
  );
  if (result.code !== 0) throw new StackError(`supabase gen types failed: ${firstMeaningfulLine(result.stderr)}`);
  return result.stdout;
}
