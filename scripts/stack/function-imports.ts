import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "smol-toml";
import { repoRoot } from "./instances.ts";
import { runCommand } from "./run-command.ts";

export const functionsDir = join(repoRoot, "supabase/functions");
export const denoBinary = join(repoRoot, "node_modules/.bin/deno");

/**
 * Each function's lockfile, beside its entrypoint: the integrity of each npm package Deno fetches
 * for it. `supabase functions deploy` does not upload it (hosted bundling resolves the exact
 * versions the import map pins); it makes local runs and CI fetch exactly what was reviewed. One
 * per function, because Deno rewrites a lockfile to the configuration that uses it.
 */
export function functionLockfile(name: string, dir = functionsDir): string {
  return join(dir, name, "deno.lock");
}

/**
 * Where Deno keeps the npm packages it downloads for the functions: inside the repository's
 * ignored `.stack/` (shared by every stack instance, kept across `npm test`'s purges), or where
 * DENO_DIR points when CI wants its own cache. The first run on a fresh machine fills it.
 */
export const denoCacheDir = process.env.DENO_DIR || join(repoRoot, ".stack/deno");

/**
 * The environment every Deno process of ours gets, besides what the caller adds:
 * DENO_NO_PACKAGE_JSON keeps Deno from reading the repository's package.json and node_modules,
 * which the CLI never uploads (its own bundler sets it too when a function has an import map,
 * pkg/function/bundle.go), so a bare import resolves only through the function's own config.
 */
export function denoEnvironment(): Record<string, string> {
  // Deno downloads the npm packages itself, so it must reach the registry the way npm does on this
  // machine: trusting the system's certificate store (a registry mirror or a TLS-inspecting proxy
  // signs with a CA only that store knows) and through the machine's proxy and extra CA, if any.
  // Without it a function worker started before anything filled the cache cannot boot.
  const reachRegistry = Object.fromEntries(
    ["DENO_CERT", "NODE_EXTRA_CA_CERTS", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"]
      .flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
  );
  return {
    DENO_DIR: denoCacheDir,
    DENO_NO_PACKAGE_JSON: "1",
    DENO_NO_UPDATE_CHECK: "1",
    NO_COLOR: "1",
    DENO_TLS_CA_STORE: process.env.DENO_TLS_CA_STORE ?? "system,mozilla",
    ...reachRegistry,
  };
}

/** The functions `supabase functions deploy` finds: folders with an index.ts whose name is a slug. */
export function functionNames(dir = functionsDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(name) && existsSync(join(dir, name, "index.ts"))).sort();
}

/**
 * The import map or deno.json that `supabase functions deploy` uploads for a function, in the CLI's
 * order (internal/functions/deploy/deploy.go, GetFunctionConfig): `[functions.<name>] import_map`
 * in supabase/config.toml (relative to supabase/), then `<name>/deno.json`, `<name>/deno.jsonc`,
 * `<name>/import_map.json`, then the fallback `supabase/functions/import_map.json`. Null when the
 * CLI would upload none, so only relative imports and full `npm:` specifiers resolve.
 */
export function functionImportMap(name: string, dir = functionsDir): string | null {
  const configured = configuredImportMap(name, dir);
  if (configured) return configured;
  const candidates = ["deno.json", "deno.jsonc", "import_map.json"].map((file) => join(dir, name, file));
  candidates.push(join(dir, "import_map.json"));
  return candidates.find((file) => existsSync(file)) ?? null;
}

function configuredImportMap(name: string, dir: string): string | null {
  const configFile = join(dir, "..", "config.toml");
  if (!existsSync(configFile)) return null;
  const config = parse(readFileSync(configFile, "utf8")) as { functions?: Record<string, { import_map?: string }> };
  const importMap = config.functions?.[name]?.import_map;
  return importMap ? resolve(join(dir, ".."), importMap) : null;
}

/**
 * Deno's flags that resolve a function's imports exactly as deploy does: the function's own
 * configuration (a deno.json as `--config`, a plain import map as `--import-map`) or none at all,
 * never the repository's. `lock`: "frozen" checks against the function's lockfile and refuses what
 * it lacks (the local runner and `npm test`; a function without one runs unlocked, since writing a
 * lockfile inside a watched folder would restart its worker), "update" records what it lacks
 * (`npm run functions:lock`).
 */
export function functionResolutionFlags(name: string, lock: "frozen" | "update", dir = functionsDir): string[] {
  const importMap = functionImportMap(name, dir);
  const config = !importMap
    ? ["--no-config"]
    : /deno\.jsonc?$/.test(importMap)
      ? ["--config", importMap]
      : ["--no-config", "--import-map", importMap];
  const lockfile = functionLockfile(name, dir);
  if (lock === "update") return [...config, `--lock=${lockfile}`];
  return [...config, ...(existsSync(lockfile) ? [`--lock=${lockfile}`, "--frozen"] : ["--no-lock"])];
}

/** Files whose change must restart a function's worker: its configuration and what it references. */
export function functionConfigFiles(name: string, dir = functionsDir): string[] {
  const importMap = functionImportMap(name, dir);
  if (!importMap) return [];
  const referenced = (parseJsonc(readFileSync(importMap, "utf8")) as { importMap?: string }).importMap;
  return referenced ? [importMap, resolve(join(importMap, ".."), referenced)] : [importMap];
}

function parseJsonc(text: string): unknown {
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ""));
}

export interface FunctionCheck {
  ok: boolean;
  output: string;
}

/**
 * `deno check` of one function's entrypoint as deploy resolves it. `frozen` (CI) refuses a function
 * without a lockfile or whose lockfile lacks what it imports; `update` writes what is missing
 * (`npm run functions:lock`).
 */
export async function checkFunction(name: string, options: { dir?: string; lock?: "frozen" | "update" } = {}): Promise<FunctionCheck> {
  const dir = options.dir ?? functionsDir;
  const lock = options.lock ?? "frozen";
  if (lock === "frozen" && !existsSync(functionLockfile(name, dir))) {
    return { ok: false, output: `${functionLockfile(name, dir)} is missing: run \`npm run functions:lock\` and commit it\n` };
  }
  const run = await runCommand(
    denoBinary,
    ["check", "--quiet", ...functionResolutionFlags(name, lock, dir), join(dir, name, "index.ts")],
    { cwd: join(dir, name), env: { ...process.env, ...denoEnvironment() } },
  );
  const output = `${run.stderr}${run.stdout}`;
  const hint = /lockfile is out of date/i.test(output) ? "run `npm run functions:lock` and commit the lockfile\n" : "";
  return { ok: run.code === 0, output: output + hint };
}
