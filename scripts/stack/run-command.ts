import { spawn, type SpawnOptions } from "node:child_process";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, capturing its output; never throws on a non-zero exit. */
export function runCommand(program: string, args: string[], options: SpawnOptions = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** Postgres refuses to run as root, so as root its programs run as the `postgres` system user. */
export function asPostgresUser(program: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ["runuser", ["-u", "postgres", "--", program, ...args]];
  return [program, args];
}

/** The first line of a tool's error output that says something, for one-line failure reasons. */
export function firstMeaningfulLine(text: string): string {
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /error|fatal|failed/i.test(line)) ?? lines[0] ?? "(no output)";
}
