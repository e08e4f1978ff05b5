import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { repoRoot } from "../instances.ts";

const configPath = join(repoRoot, "supabase/config.toml");
let cached: { mtimeMs: number; verifyJwt: Map<string, boolean> } | null = null;

/**
 * Whether the gateway must see a valid JWT before a function runs: `[functions.<name>] verify_jwt`
 * in supabase/config.toml, true by default, exactly as the Supabase CLI and platform read it.
 * Re-read when the file changes, so flipping the flag needs no restart.
 */
export function functionVerifiesJwt(name: string): boolean {
  const mtimeMs = statSync(configPath).mtimeMs;
  if (!cached || cached.mtimeMs !== mtimeMs) {
    const config = parse(readFileSync(configPath, "utf8")) as { functions?: Record<string, { verify_jwt?: boolean }> };
    const verifyJwt = new Map<string, boolean>();
    for (const [functionName, settings] of Object.entries(config.functions ?? {})) {
      if (typeof settings?.verify_jwt === "boolean") verifyJwt.set(functionName, settings.verify_jwt);
    }
    cached = { mtimeMs, verifyJwt };
  }
  return cached.verifyJwt.get(name) ?? true;
}
