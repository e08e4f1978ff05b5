import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { adminDbUrl, apiUrl, cliDbUrl, dbUrl, egressAllowList, repoRoot, type StackInstance } from "./instances.ts";
import { instanceKeys, serviceKeyOf } from "./instance-keys.ts";
import { firstMeaningfulLine, runCommand } from "./run-command.ts";
import { StackError } from "./stack-error.ts";

const bootstrapDir = join(repoRoot, "scripts/stack/bootstrap");
const supabaseCli = join(repoRoot, "node_modules/.bin/supabase");

/**
 * Who a statement runs as: `postgres`, the project owner's role that migrations, seed and tests
 * use (not a superuser, as on Supabase), or `supabase_admin`, the platform's superuser, for the
 * bootstrap and what Supabase itself does on a project (installing extensions, tests' pgTAP).
 */
export type DatabaseRole = "postgres" | "supabase_admin";

function urlFor(instance: StackInstance, role: DatabaseRole): string {
  return role === "supabase_admin" ? adminDbUrl(instance) : dbUrl(instance);
}

/** Runs one SQL file through psql in a single transaction that stops at the first error. */
export async function runSqlFile(instance: StackInstance, file: string, role: DatabaseRole = "postgres"): Promise<void> {
  const result = await runCommand("psql", [urlFor(instance, role), "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-f", file], {
    env: { ...process.env, PGOPTIONS: "--client-min-messages=warning" },
  });
  if (result.code !== 0) throw new StackError(`${file} failed: ${firstMeaningfulLine(result.stderr)}`);
}

export async function runSql(instance: StackInstance, sql: string, role: DatabaseRole = "postgres"): Promise<string> {
  const result = await runCommand("psql", [urlFor(instance, role), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql]);
  if (result.code !== 0) throw new StackError(`SQL failed: ${firstMeaningfulLine(result.stderr)}`);
  return result.stdout.trim();
}

/**
 * Gives the plain cluster what a Supabase database has before any migration: roles, the auth,
 * realtime, vault and net schemas, the realtime publication and Supabase's default grants.
 * Every file is idempotent, so this runs on each start and picks up bootstrap changes. It runs as
 * supabase_admin, as Supabase's own setup does; the project's migrations then run as `postgres`.
 */
export async function applyPlatformBootstrap(instance: StackInstance): Promise<void> {
  const files = readdirSync(bootstrapDir).filter((file) => file.endsWith(".sql")).sort();
  for (const file of files) await runSqlFile(instance, join(bootstrapDir, file), "supabase_admin");
}

/** Applies pending migrations with the real Supabase CLI, into the same history table as production. */
export async function applyMigrations(instance: StackInstance, workdir = repoRoot): Promise<void> {
  const result = await runCommand(supabaseCli, ["migration", "up", `--remote=${cliDbUrl(instance)}`, "--workdir", workdir, "--agent", "no", "--yes"], {
    cwd: workdir,
    env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
  });
  if (result.code !== 0) {
    const output = `${result.stderr}\n${result.stdout}`;
    throw new StackError(
      `a migration failed, the database stays at the previous version: ${firstMeaningfulLine(output)} — fix the migration and run the command again`,
    );
  }
}

export async function applySeed(instance: StackInstance): Promise<void> {
  const seedFile = join(repoRoot, "supabase/seed.sql");
  if (existsSync(seedFile)) await runSqlFile(instance, seedFile);
}

/**
 * What a project owner stores once in Vault on Supabase so the database can call its functions
 * (pg_cron + pg_net): the functions URL and a service key (the legacy service_role JWT, or an
 * `sb_secret_…` key on asymmetric keys; the name stays). The local stack stores its own.
 */
export async function applyLocalProjectSecrets(instance: StackInstance): Promise<void> {
  const secrets: Record<string, string> = {
    renum_functions_url: `${apiUrl(instance)}/functions/v1`,
    renum_service_role_key: serviceKeyOf(instanceKeys(instance)),
    // The stack's fakes on 127.0.0.1, which agents and companies may name (outbound_urls.sql).
    renum_egress_allow_private: egressAllowList(instance),
  };
  const statements = Object.entries(secrets).map(
    ([name, value]) => `
      do $secret$ begin
        if exists (select 1 from vault.secrets where name = '${name}') then
          perform vault.update_secret((select id from vault.secrets where name = '${name}'), '${value}');
        else
          perform vault.create_secret('${value}', '${name}');
        end if;
      end $secret$;`,
  );
  await runSql(instance, statements.join("\n"));
}
