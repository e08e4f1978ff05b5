// The stack's commands stop with one line saying what to do, never a hang or a bare stack trace.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackEnv } from "../../test/stack-env.ts";
import { applyMigrations } from "../database-setup.ts";
import { isInstanceName, repoRoot, stackInstance, type InstanceName } from "../instances.ts";
import { runCommand } from "../run-command.ts";
import { StackError } from "../stack-error.ts";

const scratch = stackInstance("scratch");

function testStackName(): InstanceName {
  const name = process.env.RENUM_STACK ?? "test";
  if (!isInstanceName(name)) throw new Error(`unknown stack ${name}`);
  return name;
}
const tsx = join(repoRoot, "node_modules/.bin/tsx");

function stackCommand(...args: string[]) {
  return runCommand(tsx, [join(repoRoot, "scripts/stack/cli.ts"), ...args, "--instance", "scratch"], { cwd: repoRoot });
}

function expectOneLineReason(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.trim() && !line.includes("Unknown user config"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toMatch(/^\s+at /);
  return lines[0];
}

// The scratch stack may have been left up by someone trying a migration on it: start from nothing.
beforeAll(async () => {
  await stackCommand("down");
  rmSync(scratch.stateDir, { recursive: true, force: true });
});

afterAll(async () => {
  await stackCommand("down");
  rmSync(scratch.stateDir, { recursive: true, force: true });
});

describe("stack faults", () => {
  it("stops with a one-line reason when the database port is taken", async () => {
    // Whatever connects to the squatter is cut at once, so closing it never waits on a client.
    const squatter: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      squatter.once("error", (error) => reject(new Error(`the scratch database port ${scratch.dbPort} is already in use by another program: ${error.message}`)));
      squatter.listen(scratch.dbPort, "127.0.0.1", resolve);
    });
    try {
      const result = await stackCommand("up");
      expect(result.code).toBe(1);
      expect(expectOneLineReason(result.stderr)).toMatch(new RegExp(`port ${scratch.dbPort} \\(Postgres\\) is already taken.*stop whatever listens there`));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("stops with a one-line reason and a way out when the data folder is half-initialised", async () => {
    rmSync(scratch.stateDir, { recursive: true, force: true });
    mkdirSync(scratch.pgDataDir, { recursive: true });
    writeFileSync(join(scratch.pgDataDir, "PG_VERSION"), "15\n");
    const result = await stackCommand("up");
    expect(result.code).toBe(1);
    expect(expectOneLineReason(result.stderr)).toContain(`the data folder ${scratch.pgDataDir} is half-initialised`);
    expect(result.stderr).toContain(`rm -rf ${scratch.stateDir}`);
    rmSync(scratch.stateDir, { recursive: true, force: true });
  });

  it("leaves the database at the previous version when a migration fails, and says which", async () => {
    const workdir = mkdtempSync(join(tmpdir(), "renum-broken-migration-"));
    cpSync(join(repoRoot, "supabase/config.toml"), join(workdir, "supabase/config.toml"));
    cpSync(join(repoRoot, "supabase/migrations"), join(workdir, "supabase/migrations"), { recursive: true });
    // config.toml names the email templates; the CLI refuses to start without them.
    cpSync(join(repoRoot, "supabase/templates"), join(workdir, "supabase/templates"), { recursive: true });
    writeFileSync(
      join(workdir, "supabase/migrations/29990101000000_broken.sql"),
      "create table public.half_written (id int);\ninsert into public.half_written values (1);\nselect 1 / 0;\n",
    );
    const sql = postgres(stackEnv.dbUrl, { max: 1, onnotice: () => {} });
    try {
      const error = await applyMigrations(stackInstance(testStackName()), workdir).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(StackError);
      const message = (error as StackError).message;
      expect(message.split("\n")).toHaveLength(1);
      expect(message).toContain("division by zero");
      expect(message).toContain("stays at the previous version");

      const [table] = await sql`select to_regclass('public.half_written') as found`;
      expect(table.found).toBeNull();
      const versions = await sql`select version from supabase_migrations.schema_migrations where version = '29990101000000'`;
      expect(versions).toHaveLength(0);
    } finally {
      await sql.end();
      rmSync(workdir, { recursive: true, force: true });
    }
  });
});
