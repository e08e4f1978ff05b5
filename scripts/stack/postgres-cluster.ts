import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, appendFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import type { StackInstance } from "./instances.ts";
import { asPostgresUser, firstMeaningfulLine, runCommand } from "./run-command.ts";
import { StackError } from "./stack-error.ts";

export const pgBin = "/usr/lib/postgresql/15/bin";

// As on Supabase, the cluster's superuser is supabase_admin and `postgres` is a privileged
// non-superuser (scripts/stack/bootstrap/010-roles.sql). Clusters made before carry no marker.
const superuserMarker = "bootstrap superuser: supabase_admin";

// A Supabase database has pg_cron preloaded and logical decoding on (Realtime needs it).
function serverSettings(instance: StackInstance): string {
  const settings = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${instance.dbPort}`,
    `unix_socket_directories = '${instance.runDir}'`,
    `shared_preload_libraries = 'pg_cron'`,
    `cron.database_name = 'postgres'`,
    // Background workers instead of libpq connections: no password needed for cron jobs.
    `cron.use_background_workers = on`,
    // Background workers lower pg_cron 1.4's default to 5 jobs at once, fewer than the minute's jobs
    // (the heartbeat, the webhook drain, the sweeps); a queued job then waits for the scheduler to
    // wake. Hosted Supabase allows 32.
    `cron.max_running_jobs = 16`,
    `max_worker_processes = 32`,
    `wal_level = logical`,
    `max_replication_slots = 10`,
    `max_wal_senders = 10`,
    `max_connections = 300`,
    `timezone = 'UTC'`,
    `log_timezone = 'UTC'`,
    `password_encryption = 'scram-sha-256'`,
  ];
  if (!instance.durable) settings.push(`fsync = off`, `synchronous_commit = off`, `full_page_writes = off`);
  return `\n# Renum local stack (scripts/stack/postgres-cluster.ts)\n# ${superuserMarker}\n${settings.join("\n")}\n`;
}

function postgresUserIds(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    return { uid, gid };
  } catch {
    throw new StackError("the `postgres` system user does not exist; run `bash scripts/install.sh` to install PostgreSQL 15");
  }
}

function ownByPostgres(path: string): void {
  const ids = postgresUserIds();
  if (ids) chownSync(path, ids.uid, ids.gid);
}

// The postgres user must be able to walk down to the data folder. A clone in a `mktemp -d` folder
// is mode 700, so grant traverse (not read) on the ancestors that lack it.
function letPostgresReach(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const ancestors: string[] = [];
  for (let current = dir; current !== "/"; current = dirname(current)) ancestors.unshift(current);
  for (const ancestor of ancestors) {
    if (!existsSync(ancestor)) continue;
    const mode = statSync(ancestor).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(ancestor, mode | 0o001);
      console.log(`stack: granted traverse on ${ancestor} so the postgres user can reach its data`);
    }
  }
}

/** Creates the cluster when absent; refuses, with a way out, a data folder that is half made. */
export async function ensureCluster(instance: StackInstance): Promise<{ created: boolean }> {
  if (!existsSync(join(pgBin, "initdb"))) {
    throw new StackError(`PostgreSQL 15 is not installed (${pgBin}/initdb missing); run \`bash scripts/install.sh\``);
  }
  const dataDir = instance.pgDataDir;
  if (existsSync(dataDir)) {
    const complete = ["PG_VERSION", "postgresql.conf", "global/pg_control", "vault_root_key"].every((file) => existsSync(join(dataDir, file)));
    const configured = complete && readFileSync(join(dataDir, "postgresql.conf"), "utf8").includes("Renum local stack");
    if (!configured) {
      throw new StackError(
        `the data folder ${dataDir} is half-initialised (an earlier start was interrupted); remove it with \`rm -rf ${instance.stateDir}\` and start again`,
      );
    }
    if (!readFileSync(join(dataDir, "postgresql.conf"), "utf8").includes(superuserMarker)) {
      throw new StackError(
        `the database in ${dataDir} was made when \`postgres\` was its superuser, which it is not on Supabase; ` +
          `recreate it with \`npx tsx scripts/stack/cli.ts reset --instance ${instance.name}\` (its data is lost)`,
      );
    }
    // Settings added after a cluster was made reach it at its next start.
    if (!readFileSync(join(dataDir, "postgresql.conf"), "utf8").includes("cron.max_running_jobs")) {
      appendFileSync(join(dataDir, "postgresql.conf"), "cron.max_running_jobs = 16\n");
    }
    return { created: false };
  }

  for (const dir of [instance.stateDir, instance.runDir, instance.logDir]) {
    mkdirSync(dir, { recursive: true });
    ownByPostgres(dir);
  }
  letPostgresReach(instance.stateDir);

  const passwordFile = join(instance.runDir, "initdb-password");
  writeFileSync(passwordFile, "postgres\n", { mode: 0o600 });
  ownByPostgres(passwordFile);
  const [program, args] = asPostgresUser(join(pgBin, "initdb"), [
    "-D", dataDir, "-U", "supabase_admin", `--pwfile=${passwordFile}`,
    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
  ]);
  const result = await runCommand(program, args);
  rmSync(passwordFile, { force: true });
  if (result.code !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new StackError(`initdb failed: ${firstMeaningfulLine(result.stderr)}`);
  }
  appendFileSync(join(dataDir, "postgresql.conf"), serverSettings(instance));

  // Vault's root key lives in the data folder, outside every table, so a pg_dump never contains it.
  const keyFile = join(dataDir, "vault_root_key");
  writeFileSync(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
  ownByPostgres(keyFile);
  return { created: true };
}

export async function postgresIsRunning(instance: StackInstance): Promise<boolean> {
  if (!existsSync(join(instance.pgDataDir, "postmaster.pid"))) return false;
  const [program, args] = asPostgresUser(join(pgBin, "pg_ctl"), ["-D", instance.pgDataDir, "status"]);
  return (await runCommand(program, args)).code === 0;
}

/** Starts a stopped cluster; stackUp has already checked it is not running and its port is free. */
export async function startPostgres(instance: StackInstance): Promise<void> {
  const logFile = join(instance.logDir, "postgres.log");
  accessSync(instance.logDir, constants.W_OK);
  const [program, args] = asPostgresUser(join(pgBin, "pg_ctl"), ["-D", instance.pgDataDir, "-l", logFile, "-w", "-t", "60", "start"]);
  const result = await runCommand(program, args);
  if (result.code !== 0) {
    const serverLog = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n") : "";
    throw new StackError(`Postgres did not start: ${firstMeaningfulLine(serverLog || result.stderr)} (log: ${logFile})`);
  }
}

export async function stopPostgres(instance: StackInstance): Promise<void> {
  if (!(await postgresIsRunning(instance))) return;
  const [program, args] = asPostgresUser(join(pgBin, "pg_ctl"), ["-D", instance.pgDataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
  const result = await runCommand(program, args);
  if (result.code !== 0) throw new StackError(`Postgres did not stop: ${firstMeaningfulLine(result.stderr)}`);
}
