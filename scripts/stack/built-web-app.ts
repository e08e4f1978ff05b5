// The web app as production runs it: `vite build` into the stack's own folder (so parallel stacks in
// one checkout never overwrite each other's build), then adapter-node's server on the stack's web
// port with the stack's URLs and keys. The browser suite (scripts/test/run-all.ts) and the web
// benchmark (scripts/bench/web-app.ts) both use it.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, type StackInstance, statusVariables } from "./instances.ts";
import { portIsTaken, waitFor } from "./port-check.ts";
import { runCommand } from "./run-command.ts";
import { StackError } from "./stack-error.ts";

/** Where a stack's build lives: `<dir>/build` (the server) and `<dir>/.svelte-kit` (vite's output, with its manifest). */
export function webBuildDir(instance: StackInstance): string {
  return join(instance.stateDir, "web");
}

/** Refuses early (before a build of a minute) when something else already listens on the stack's web port. */
export async function requireFreeWebPort(instance: StackInstance): Promise<void> {
  if (await portIsTaken(instance.webPort)) {
    throw new StackError(`port ${instance.webPort} (the ${instance.name} stack's web app) is taken by another process; stop it first`);
  }
}

/** `vite build` of web/ into webBuildDir(instance); on failure prints vite's output and throws. */
export async function buildWebApp(instance: StackInstance): Promise<string> {
  const buildDir = webBuildDir(instance);
  const build = await runCommand(join(repoRoot, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"], {
    cwd: join(repoRoot, "web"),
    env: { ...process.env, RENUM_WEB_BUILD_DIR: buildDir, NO_COLOR: "1" },
  });
  if (build.code !== 0) {
    process.stdout.write(build.stdout);
    process.stderr.write(build.stderr);
    throw new StackError("vite build of the web app failed: see the output above");
  }
  return buildDir;
}

export interface ServedWebApp {
  url: string;
  stop(): Promise<void>;
}

/** Starts the built app on the stack's web port (log in .stack/<name>/log/web.log); answers once /login answers. */
export async function serveWebApp(instance: StackInstance, buildDir = webBuildDir(instance)): Promise<ServedWebApp> {
  const variables = statusVariables(instance);
  mkdirSync(instance.logDir, { recursive: true });
  const log = createWriteStream(join(instance.logDir, "web.log"));
  const server = spawn(process.execPath, [join(buildDir, "build")], {
    cwd: repoRoot,
    env: { ...process.env, ...variables, PORT: String(instance.webPort), HOST: "127.0.0.1", ORIGIN: variables.WEB_URL },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  let exited = false;
  server.on("exit", () => (exited = true));

  const stop = async () => {
    if (!exited) {
      server.kill("SIGTERM");
      await waitFor(async () => exited, 5_000);
      if (!exited) server.kill("SIGKILL");
    }
    log.end();
  };

  const answering = await waitFor(async () => {
    if (exited) return true;
    return fetch(`${variables.WEB_URL}/login`).then((response) => response.ok, () => false);
  }, 30_000, 200);
  if (exited || !answering) {
    await stop();
    throw new StackError(`the built web app did not answer on ${variables.WEB_URL}; see .stack/${instance.name}/log/web.log`);
  }
  return { url: variables.WEB_URL, stop };
}
