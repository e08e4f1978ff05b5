// `npm test`: a fresh test stack, then every suite — pgTAP through pg_prove, the database lint,
// the generated types' freshness, Deno's type check of the functions, tsc, svelte-check of the web
// app, vitest (the functions' own tests, the product's end-to-end tests in tests/e2e/ and the local
// stack's own in scripts/stack/tests/), the web app's vitest (components; loads and actions against
// the stack), and the browser flows (Chromium driving the built web app) — and one closing line
// `N passed, N failed` counting every test of every suite. Then a second stack on asymmetric
// signing keys (the `-asymmetric` partner of the test stack, instance-keys.ts) runs the suites'
// `*.asymmetric.test.ts` part, so both key systems are tested on every run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWebApp, requireFreeWebPort, serveWebApp, type ServedWebApp } from "../stack/built-web-app.ts";
import { databaseTypesFile, generateDatabaseTypes } from "../stack/database-types.ts";
import { checkFunction, denoBinary, denoEnvironment, functionImportMap, functionNames, type FunctionCheck } from "../stack/function-imports.ts";
import { runSql } from "../stack/database-setup.ts";
import {
  asymmetricPartner,
  cliDbUrl,
  dbUrl,
  isInstanceName,
  repoRoot,
  type StackInstance,
  stackInstance,
  statusVariables,
} from "../stack/instances.ts";
import { runCommand } from "../stack/run-command.ts";
import { stackDown, stackPurge, stackUp } from "../stack/stack.ts";
import { StackError } from "../stack/stack-error.ts";

interface SuiteResult {
  suite: string;
  passed: number;
  failed: number;
  failures: string[];
}

// RENUM_TEST_STACK lets several people run the suites at once on one machine (work1..work8).
const testStackName = process.env.RENUM_TEST_STACK ?? "test";
if (!isInstanceName(testStackName)) throw new StackError(`unknown stack "${testStackName}" in RENUM_TEST_STACK`);
const instance = stackInstance(testStackName);
const results: SuiteResult[] = [];
// While working on one part: RENUM_TEST_SUITES=webvitest,browser runs only those suites (pgtap,
// databaselint, databasetypes, denocheck, typescript, sveltecheck, vitest, webvitest, browser,
// asymmetrickeys), and
// RENUM_TEST_FILTER=executions (or several, space-separated) passes file filters to the vitest suites. `npm test` and CI set
// neither and run everything.
const onlySuites = (process.env.RENUM_TEST_SUITES ?? "").split(",").map((name) => name.trim().toLowerCase()).filter(Boolean);
const fileFilter = process.env.RENUM_TEST_FILTER?.trim();
const cliEnv = { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

function heading(text: string): void {
  console.log(`\n── ${text} ${"─".repeat(Math.max(0, 90 - text.length))}`);
}

async function pgTapSuite(): Promise<SuiteResult> {
  heading("pgTAP (pg_prove over supabase/tests/)");
  // `supabase test db` creates pgTAP as postgres, which Supabase's supautils allows; here the
  // platform's superuser stands in for that allowance.
  await runSql(instance, "create extension if not exists pgtap with schema extensions", "supabase_admin");
  const testsDir = join(repoRoot, "supabase/tests");
  const files = readdirSync(testsDir).filter((file) => file.endsWith(".sql")).sort().map((file) => join(testsDir, file));
  if (files.length === 0) return { suite: "pgTAP", passed: 0, failed: 1, failures: ["no pgTAP test files in supabase/tests/"] };
  const url = new URL(dbUrl(instance));
  const run = await runCommand(
    "pg_prove",
    ["--verbose", "--failures", "-h", url.hostname, "-p", url.port, "-U", url.username, "-d", url.pathname.slice(1), ...files],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password), PGOPTIONS: "--search_path=public,extensions" } },
  );
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  // As `supabase test db` does: pgTAP is a test tool, not part of the schema the lint and types see.
  await runSql(instance, "drop extension if exists pgtap", "supabase_admin");
  const lines = run.stdout.split("\n");
  const passed = lines.filter((line) => /^\s*ok \d+/.test(line)).length;
  const failedLines = lines.filter((line) => /^\s*not ok \d+/.test(line));
  const failures = failedLines.map((line) => line.trim());
  // A file that dies (a SQL error, a wrong plan) fails without a `not ok` line: count it too.
  if (run.code !== 0 && failedLines.length === 0) failures.push("pg_prove failed: see the output above");
  return { suite: "pgTAP", passed, failed: failures.length, failures };
}

async function databaseLintSuite(): Promise<SuiteResult> {
  heading("supabase db lint --fail-on error");
  const run = await runCommand(
    join(repoRoot, "node_modules/.bin/supabase"),
    ["db", "lint", `--remote=${cliDbUrl(instance)}`, "--fail-on", "error", "--agent", "no"],
    { cwd: repoRoot, env: cliEnv },
  );
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  return run.code === 0
    ? { suite: "db lint", passed: 1, failed: 0, failures: [] }
    : { suite: "db lint", passed: 0, failed: 1, failures: ["supabase db lint found errors"] };
}

async function databaseTypesSuite(): Promise<SuiteResult> {
  heading("database.types.ts is current");
  const generated = await generateDatabaseTypes(instance);
  const checkedIn = existsSync(databaseTypesFile) ? readFileSync(databaseTypesFile, "utf8") : "";
  if (generated === checkedIn) {
    console.log("ok: supabase/functions/_shared/database.types.ts matches the schema");
    return { suite: "database types", passed: 1, failed: 0, failures: [] };
  }
  const message = "supabase/functions/_shared/database.types.ts is stale; run `npm run db:types` and commit it";
  console.log(`not ok: ${message}`);
  return { suite: "database types", passed: 0, failed: 1, failures: [message] };
}

/**
 * Each function checked as `supabase functions deploy` resolves it: its own deno.json or import map
 * and nothing else (no root config, no package.json, no node_modules), against the committed
 * lockfile; then the local function worker, which needs no configuration.
 */
async function denoCheckSuite(): Promise<SuiteResult> {
  heading("deno check (every edge function as deploy resolves it, and the local function worker)");
  const result: SuiteResult = { suite: "deno check", passed: 0, failed: 0, failures: [] };
  const record = (name: string, check: FunctionCheck) => {
    if (check.ok) {
      result.passed += 1;
      console.log(`ok: ${name}`);
    } else {
      result.failed += 1;
      result.failures.push(`deno check ${name}`);
      console.log(`not ok: ${name}\n${check.output}`);
    }
  };
  for (const name of functionNames()) {
    const importMap = functionImportMap(name);
    const label = `supabase/functions/${name} (${importMap ? importMap.slice(repoRoot.length + 1) : "no import map"})`;
    record(label, await checkFunction(name));
  }
  const worker = await runCommand(denoBinary, ["check", "--quiet", "--no-config", join(repoRoot, "scripts/stack/functions/function-worker.ts")], {
    cwd: repoRoot,
    env: { ...process.env, ...denoEnvironment() },
  });
  record("scripts/stack/functions/function-worker.ts", { ok: worker.code === 0, output: `${worker.stderr}${worker.stdout}` });
  return result;
}

async function typescriptSuite(): Promise<SuiteResult> {
  heading("tsc (Node-side TypeScript: scripts; the web app has svelte-check)");
  const run = await runCommand(join(repoRoot, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: repoRoot });
  process.stdout.write(run.stdout || "ok: no type errors\n");
  return run.code === 0
    ? { suite: "tsc", passed: 1, failed: 0, failures: [] }
    : { suite: "tsc", passed: 0, failed: 1, failures: ["tsc found type errors"] };
}

async function svelteCheckSuite(): Promise<SuiteResult> {
  heading("svelte-check (the web app, with its own tsconfig)");
  const web = join(repoRoot, "web");
  const sync = await runCommand(join(repoRoot, "node_modules/.bin/svelte-kit"), ["sync"], { cwd: web });
  const run = sync.code === 0
    ? await runCommand(join(repoRoot, "node_modules/.bin/svelte-check"), ["--tsconfig", "./tsconfig.json", "--fail-on-warnings"], {
      cwd: web,
      env: { ...process.env, NO_COLOR: "1" },
    })
    : sync;
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  return run.code === 0
    ? { suite: "svelte-check", passed: 1, failed: 0, failures: [] }
    : { suite: "svelte-check", passed: 0, failed: 1, failures: ["svelte-check found errors or warnings in web/"] };
}

/** One vitest invocation with a JSON report, counted test by test, against `stack` (the test stack unless said). */
async function vitestRun(
  suite: string,
  cwd: string,
  config: string,
  env: Record<string, string> = {},
  stack: StackInstance = instance,
  files: string[] = fileFilter ? fileFilter.split(/\s+/) : [],
): Promise<SuiteResult> {
  const reportFile = join(stack.stateDir, `${suite.replace(/\W+/g, "-")}-report.json`);
  const run = await runCommand(
    join(repoRoot, "node_modules/.bin/vitest"),
    ["run", "--config", config, "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`, ...files],
    { cwd, env: { ...process.env, ...statusVariables(stack), RENUM_STACK: stack.name, NO_COLOR: "1", ...env } },
  );
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  if (!existsSync(reportFile)) return { suite, passed: 0, failed: 1, failures: [`vitest wrote no report: see the output above`] };
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numFailedTestSuites: number;
    testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
  };
  const failures = report.testResults.flatMap((file) => [
    ...file.assertionResults.filter((test) => test.status === "failed").map((test) => test.fullName),
    ...(file.status === "failed" && file.assertionResults.length === 0 ? [`${file.name}: ${file.message ?? "failed to load"}`] : []),
  ]);
  const failed = Math.max(report.numFailedTests, failures.length) || (run.code !== 0 ? 1 : 0);
  return { suite, passed: report.numPassedTests, failed, failures };
}

async function vitestSuite(): Promise<SuiteResult> {
  heading("vitest");
  return vitestRun("vitest", repoRoot, "scripts/test/vitest.config.ts");
}

async function webVitestSuite(): Promise<SuiteResult> {
  heading("vitest (web: components in jsdom; loads and actions against the test stack)");
  return vitestRun("web vitest", join(repoRoot, "web"), "vitest.config.ts");
}

/**
 * The browser flows: the web app built into the stack's own folder and served with adapter-node on
 * the stack's web port (scripts/stack/built-web-app.ts), then web/tests/browser/*.test.ts drive
 * Debian's Chromium against it.
 */
async function browserSuite(): Promise<SuiteResult> {
  heading("browser (Chromium driving the built web app)");
  const failed = (reason: string): SuiteResult => ({ suite: "browser", passed: 0, failed: 1, failures: [reason] });
  if (!existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium")) {
    return failed("no Chromium at /usr/bin/chromium: scripts/install.sh installs Debian's `chromium` package");
  }
  let web: ServedWebApp;
  let buildDir: string;
  try {
    await requireFreeWebPort(instance);
    buildDir = await buildWebApp(instance);
    console.log(`ok: built the web app into ${buildDir.slice(repoRoot.length + 1)}/build`);
    web = await serveWebApp(instance, buildDir);
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
  try {
    console.log(`ok: serving it on ${web.url}`);
    return await vitestRun("browser", repoRoot, "web/tests/browser/vitest.config.ts", {
      WEB_URL: web.url,
      SCREENSHOT_DIR: join(buildDir, "screenshots"),
    });
  } finally {
    await web.stop();
  }
}

// The web app's server tests that also run on signing keys, as `npm start -- --keys asymmetric`
// serves it: people signed up and in through the app with the publishable key, runs started and
// read, a run followed live.
const webTestsOnSigningKeys = [
  "src/routes/(app)/executions/executions.server.test.ts",
  "src/lib/executions/follow.server.test.ts",
];

/**
 * The part of the suites that needs the stack on asymmetric signing keys (`*.asymmetric.test.ts`:
 * sign-in, api, a run through the executor woken by pg_net, a private Realtime join; and the web
 * app's sign-in, runs and live monitor), on a second, fresh stack beside the test stack, brought
 * down after.
 */
async function asymmetricKeysSuite(): Promise<SuiteResult> {
  heading("asymmetric signing keys (a second stack: ES256 tokens, publishable and secret keys)");
  const partner = stackInstance(asymmetricPartner(instance.name));
  await stackPurge(partner);
  try {
    await stackUp(partner, (line) => console.log(`stack: ${line}`), "asymmetric");
    console.log(`stack: ${partner.name} up (API ${statusVariables(partner).API_URL})`);
    const suites = await vitestRun("asymmetric keys", repoRoot, "scripts/test/vitest.asymmetric.config.ts", {}, partner);
    const web = fileFilter ? null : await vitestRun("asymmetric keys (web)", join(repoRoot, "web"), "vitest.config.ts", {}, partner, webTestsOnSigningKeys);
    if (!web) return suites;
    return {
      suite: suites.suite,
      passed: suites.passed + web.passed,
      failed: suites.failed + web.failed,
      failures: [...suites.failures, ...web.failures.map((failure) => `web: ${failure}`)],
    };
  } finally {
    await stackDown(partner);
  }
}

/** A suite's name as RENUM_TEST_SUITES takes it: `browserSuite` → `browser`, `webVitestSuite` → `webvitest`. */
function suiteName(suite: () => Promise<SuiteResult>): string {
  return suite.name.replace(/Suite$/, "").toLowerCase();
}

async function main(): Promise<number> {
  const started = performance.now();
  heading("fresh test stack");
  await stackPurge(instance);
  await stackUp(instance, (line) => console.log(`stack: ${line}`));
  console.log(`stack: test stack up in ${((performance.now() - started) / 1000).toFixed(1)} s (API ${statusVariables(instance).API_URL})`);

  try {
    const suites = [
      databaseLintSuite,
      databaseTypesSuite,
      pgTapSuite,
      denoCheckSuite,
      typescriptSuite,
      svelteCheckSuite,
      vitestSuite,
      webVitestSuite,
      browserSuite,
      asymmetricKeysSuite,
    ];
    for (const suite of suites) {
      if (onlySuites.length > 0 && !onlySuites.includes(suiteName(suite))) continue;
      try {
        results.push(await suite());
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        results.push({ suite: suite.name, passed: 0, failed: 1, failures: [`the suite could not run: ${reason}`] });
      }
    }
  } finally {
    await stackDown(instance);
  }

  heading("summary");
  for (const result of results) {
    console.log(`${result.suite.padEnd(16)} ${String(result.passed).padStart(4)} passed, ${String(result.failed).padStart(3)} failed`);
    for (const failure of result.failures) console.log(`    ✗ ${failure}`);
  }
  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main()
  .then((code) => process.exit(code))
  .catch(async (error) => {
    const reason = error instanceof StackError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`test: ${reason}`);
    await stackDown(instance).catch(() => undefined);
    console.log("0 passed, 1 failed");
    process.exit(1);
  });
