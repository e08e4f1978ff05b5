// Functions resolve their imports as `supabase functions deploy` does: from the configuration the
// CLI uploads for each one, never from the repository's package.json, deno.json or node_modules.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkFunction, functionImportMap, functionNames, functionsDir } from "../function-imports.ts";
import { repoRoot } from "../instances.ts";

// Inside the repository on purpose: its package.json and node_modules (which hold hono and zod)
// are ancestors of the probe, as they are of the real functions.
const probeRoot = join(repoRoot, ".stack", `function-imports-probe-${process.pid}`);
const probeFunctions = join(probeRoot, "supabase/functions");

function writeFile(path: string, text: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

function writeProbeFunction(sharedImports: Record<string, string>): void {
  writeFile(join(probeFunctions, "_shared/import_map.json"), JSON.stringify({ imports: sharedImports }));
  writeFile(join(probeFunctions, "probe/deno.json"), JSON.stringify({ importMap: "../_shared/import_map.json" }));
  writeFile(
    join(probeFunctions, "probe/index.ts"),
    `import { Hono } from "hono";\nimport { z } from "zod";\nDeno.serve(new Hono().get("/", (c) => c.text(z.string().parse("ok"))).fetch);\n`,
  );
}

afterEach(() => rmSync(probeRoot, { recursive: true, force: true }));

describe("each function's import configuration", () => {
  it("is the deno.json beside its entrypoint, for every function in supabase/functions", () => {
    expect(functionNames()).toEqual(expect.arrayContaining(["api", "executor", "health"]));
    for (const name of functionNames()) expect(functionImportMap(name)).toBe(join(functionsDir, name, "deno.json"));
  });

  it("is found in the Supabase CLI's order: config.toml, deno.json, deno.jsonc, import_map.json, the fallback map", () => {
    const probe = join(probeFunctions, "probe");
    writeFile(join(probe, "index.ts"), "");
    expect(functionImportMap("probe", probeFunctions)).toBeNull();
    writeFile(join(probeFunctions, "import_map.json"), "{}");
    expect(functionImportMap("probe", probeFunctions)).toBe(join(probeFunctions, "import_map.json"));
    writeFile(join(probe, "import_map.json"), "{}");
    expect(functionImportMap("probe", probeFunctions)).toBe(join(probe, "import_map.json"));
    writeFile(join(probe, "deno.jsonc"), "{}");
    expect(functionImportMap("probe", probeFunctions)).toBe(join(probe, "deno.jsonc"));
    writeFile(join(probe, "deno.json"), "{}");
    expect(functionImportMap("probe", probeFunctions)).toBe(join(probe, "deno.json"));
    writeFile(join(probeRoot, "supabase/config.toml"), `[functions.probe]\nimport_map = "./elsewhere/map.json"\n`);
    expect(functionImportMap("probe", probeFunctions)).toBe(join(probeRoot, "supabase/elsewhere/map.json"));
  });

  it("pins in the shared import map the versions package-lock.json installs for the tests run under Node", () => {
    const importMap = JSON.parse(readFileSync(join(functionsDir, "_shared/import_map.json"), "utf8")) as { imports: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
    const pinned = Object.values(importMap.imports).map((target) => /^npm:\/?((?:@[^/]+\/)?[^@/]+)@([^/]+)/.exec(target));
    expect(pinned.every(Boolean)).toBe(true);
    for (const [, name, version] of pinned as RegExpExecArray[]) {
      expect(version, `${name} in _shared/import_map.json`).toMatch(/^\d+\.\d+\.\d+$/);
      const installed = lock.packages[`node_modules/${name}`]?.version;
      if (installed) expect(version, `${name}: import map and package-lock.json disagree`).toBe(installed);
    }
  });
});

describe("deno check as deploy resolves a function", () => {
  it("fails on a bare import missing from the function's configuration, though node_modules has the package", async () => {
    writeProbeFunction({ hono: "npm:hono@4.13.19" });

    const check = await checkFunction("probe", { dir: probeFunctions, lock: "update" });

    expect(check.ok).toBe(false);
    expect(check.output).toContain('Import "zod" not a dependency and not in import map');
  });

  it("passes once the shared import map the function's deno.json references has the package", async () => {
    writeProbeFunction({ hono: "npm:hono@4.13.19", zod: "npm:zod@4.6.7" });

    const check = await checkFunction("probe", { dir: probeFunctions, lock: "update" });

    expect(check.output).toBe("");
    expect(check.ok).toBe(true);
  });

  it("refuses, as npm test does, a function without a lockfile or whose lockfile lacks a package it imports", async () => {
    writeProbeFunction({ hono: "npm:hono@4.13.19" });
    writeFile(join(probeFunctions, "probe/index.ts"), `import { Hono } from "hono";\nDeno.serve(new Hono().fetch);\n`);
    const unlocked = await checkFunction("probe", { dir: probeFunctions });
    expect(unlocked.ok).toBe(false);
    expect(unlocked.output).toContain("npm run functions:lock");
    expect((await checkFunction("probe", { dir: probeFunctions, lock: "update" })).ok).toBe(true);
    expect((await checkFunction("probe", { dir: probeFunctions })).ok).toBe(true);
    writeProbeFunction({ hono: "npm:hono@4.13.19", zod: "npm:zod@4.6.7" });

    const stale = await checkFunction("probe", { dir: probeFunctions });

    expect(stale.ok).toBe(false);
    expect(stale.output).toMatch(/lockfile is out of date/i);
    expect(stale.output).toContain("npm run functions:lock");
  });
});
