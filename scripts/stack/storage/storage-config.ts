// The `[storage]` settings of supabase/config.toml the Storage stand-in honours. The Supabase CLI
// reads `file_size_limit` with docker/go-units' RAMInBytes (binary units: "50MiB", "50MB" and
// "50M" are all 50 × 1024² bytes) and hands Storage the byte count (FILE_SIZE_LIMIT), which caps
// every upload, below any bucket's own limit. Re-read when the file changes, as the Auth config is.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { repoRoot } from "../instances.ts";

export interface StorageConfig {
  /** The largest object any upload may store, in bytes. */
  fileSizeLimit: number;
}

// The CLI's default (`file_size_limit = "50MiB"` in a new config.toml).
const defaultFileSizeLimit = 50 * 1024 * 1024;
const unitPowers: Record<string, number> = { "": 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

/** go-units' RAMInBytes: a number, an optional unit letter, an optional `i`, an optional `b`. */
export function ramInBytes(text: string): number | null {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text.trim());
  if (!match) return null;
  return Math.floor(Number(match[1]) * 1024 ** unitPowers[(match[2] ?? "").toLowerCase()]);
}

export function readStorageConfig(text: string): StorageConfig {
  const root = parse(text) as Record<string, unknown>;
  const storage = (root.storage ?? {}) as Record<string, unknown>;
  const limit = storage.file_size_limit;
  const bytes = typeof limit === "string" ? ramInBytes(limit) : typeof limit === "number" ? limit : null;
  return { fileSizeLimit: bytes ?? defaultFileSizeLimit };
}

const configPath = join(repoRoot, "supabase/config.toml");
let cached: { mtimeMs: number; config: StorageConfig } | null = null;

export function storageConfig(): StorageConfig {
  const mtimeMs = statSync(configPath).mtimeMs;
  if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, config: readStorageConfig(readFileSync(configPath, "utf8")) };
  return cached.config;
}
