// `npm run functions:lock`: records in supabase/functions/<name>/deno.lock the npm packages each
// function imports, after a dependency was added to or changed in supabase/functions/_shared/import_map.json.
// `npm test` checks the functions against the committed lockfile and fails while it lacks one.
import { checkFunction, functionLockfile, functionNames } from "./function-imports.ts";

let failed = false;
for (const name of functionNames()) {
  const check = await checkFunction(name, { lock: "update" });
  console.log(check.ok ? `ok: ${functionLockfile(name)}` : `not ok: ${name}\n${check.output}`);
  failed ||= !check.ok;
}
if (failed) console.log("a lockfile may be incomplete: fix the errors above and run again");
process.exit(failed ? 1 : 0);
