import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyLocalProjectSecrets, applyMigrations, applyPlatformBootstrap, applySeed } from "./database-setup.ts";
import { type KeysMode, prepareInstanceKeys } from "./instance-keys.ts";
import { apiUrl, repoRoot, type StackInstance } from "./instances.ts";
import { requireFreePort, waitFor } from "./port-check.ts";
import { ensureCluster, postgresIsRunning, startPostgres, stopPostgres } from "./postgres-cluster.ts";
import { StackError } from "./stack-error.ts";

const tsxBinary = join(repoRoot, "node_modules/.bin/tsx");
const gatewayScript = join(repoRoot, "scripts/stack/gateway/gateway.ts");

export interface UpOutcome {
  startedPostgres: boolean;
  startedGateway: boolean;
  createdDatabase: boolean;
}

function gatewayPidFile(instance: StackInstance): string {
  return join(instance.runDir, "gateway.pid");
}

/** What the gateway of this instance says on its health route, or null when none answers. */
async function gatewayHealth(instance: StackInstance): Promise<{ pid: number } | null> {
  try {
    const answer = await fetch(`${apiUrl(instance)}/_stack/health`, { signal: AbortSignal.timeout(1_000) });
    const body = (await answer.json()) as { instance?: string; pid?: number };
    return answer.ok && body.instance === instance.name && typeof body.pid === "number" ? { pid: body.pid } : null;
  } catch {
    return null;
  }
}

export async function gatewayIsUp(instance: StackInstance): Promise<boolean> {
  return (await gatewayHealth(instance)) !== null;
}

/**
 * Brings the whole stack up in the background and returns once it answers, on the key system
 * `keysMode` (instance-keys.ts), else the one recorded for the instance, else legacy.
 */
export async function stackUp(instance: StackInstance, log: (line: string) => void, keysMode?: KeysMode): Promise<UpOutcome> {
  const postgresWasRunning = await postgresIsRunning(instance);
  if (!postgresWasRunning) {
    await requireFreePort(instance.dbPort, "Postgres", `stop whatever listens there (\`ss -ltnp | grep ${instance.dbPort}\`) and retry`);
  }
  const { created } = await ensureCluster(instance);
  if (created) log(`created a Postgres cluster in ${instance.pgDataDir}`);
  const keys = await prepareInstanceKeys(instance, keysMode);
  if (keys.changed) {
    log(`switched to ${keys.keys.mode} keys`);
    // The running gateway signs and verifies with the keys it started with.
    await stopGateway(instance);
  }
  if (!postgresWasRunning) await startPostgres(instance);
  await applyPlatformBootstrap(instance);
  await applyMigrations(instance);
  await applyLocalProjectSecrets(instance);
  if (created) await applySeed(instance);

  let startedGateway = false;
  if (!(await gatewayIsUp(instance))) {
    await requireFreePort(instance.apiPort, "API gateway", `stop whatever listens there (\`ss -ltnp | grep ${instance.apiPort}\`) and retry`);
    startGateway(instance);
    startedGateway = true;
    // Generous: on a machine shared by several stacks, Node alone can take seconds to load the gateway.
    if (!(await waitFor(() => gatewayIsUp(instance), 60_000))) {
      throw new StackError(`the API gateway did not answer within 60 s; see ${join(instance.logDir, "gateway.log")}`);
    }
  }
  return { startedPostgres: !postgresWasRunning, startedGateway, createdDatabase: created };
}

function startGateway(instance: StackInstance): void {
  mkdirSync(instance.logDir, { recursive: true });
  const logFile = openSync(join(instance.logDir, "gateway.log"), "a");
  const child = spawn(tsxBinary, [gatewayScript, instance.name], {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", logFile, logFile],
    env: { ...process.env, RENUM_STACK: instance.name },
  });
  writeFileSync(gatewayPidFile(instance), String(child.pid));
  child.unref();
}

export async function stopGateway(instance: StackInstance): Promise<void> {
  const pidFile = gatewayPidFile(instance);
  // Without its pid file (a data folder deleted under a running stack), the gateway still says
  // who it is on its health route.
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : (await gatewayHealth(instance))?.pid;
  rmSync(pidFile, { force: true });
  if (!pid || !processIsAlive(pid)) return;
  // The gateway runs detached in its own process group; signal the group so tsx's child goes too.
  signalGroup(pid, "SIGTERM");
  if (!(await waitFor(async () => !processIsAlive(pid), 10_000))) signalGroup(pid, "SIGKILL");
}

export async function stackDown(instance: StackInstance): Promise<void> {
  await stopGateway(instance);
  if (existsSync(instance.pgDataDir)) await stopPostgres(instance);
}

/** Stops the instance and deletes its data, so the next start begins from an empty database. */
export async function stackPurge(instance: StackInstance): Promise<void> {
  await stackDown(instance);
  rmSync(instance.stateDir, { recursive: true, force: true });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
