// Finds the Deno process the gateway started for one edge function of one stack instance (of this
// checkout), so a test or a benchmark can kill it as a crash would (kill -9).
import { execFileSync } from "node:child_process";
import { repoRoot } from "../instances.ts";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The pid of `functionName`'s worker process for `instance`, or null when none runs (the newest when several do). */
export function functionPid(functionName: string, instance: string): number | null {
  const pattern = `function-worker\\.ts ${escapeRegExp(`${repoRoot}/supabase/functions/${functionName}`)} ${escapeRegExp(`${repoRoot}/.stack/${instance}/`)}`;
  try {
    const output = execFileSync("pgrep", ["-f", pattern], { encoding: "utf8" });
    const pids = output.split("\n").map((line) => Number(line.trim())).filter((pid) => pid > 0 && pid !== process.pid);
    return pids.length === 1 ? pids[0] : pids.length === 0 ? null : Math.max(...pids);
  } catch {
    return null;
  }
}
