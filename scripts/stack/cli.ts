// The stack's commands, behind the npm scripts:
//   up | down | status [-o json|env] | start | reset | types   [--instance dev|test] [--keys legacy|asymmetric]
// `--keys asymmetric`: Auth signs ES256 and publishes its JWKS, publishable/secret keys replace the
// JWT keys (instance-keys.ts); recorded with the instance, so later commands keep it.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { databaseTypesFile, generateDatabaseTypes } from "./database-types.ts";
import { instanceKeys, type KeysMode, requireKeysMode } from "./instance-keys.ts";
import { isInstanceName, repoRoot, stackInstance, statusVariables, type StackInstance } from "./instances.ts";
import { postgresIsRunning } from "./postgres-cluster.ts";
import { gatewayIsUp, stackDown, stackPurge, stackUp } from "./stack.ts";
import { StackError } from "./stack-error.ts";

const demoSignIn = { email: "demo@renum.dev", password: "renum-demo" };

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function say(line: string): void {
  console.log(`stack: ${line}`);
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  say(`${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function printStatus(instance: StackInstance, format: string | undefined): void {
  const variables = statusVariables(instance);
  if (format === "json") {
    console.log(JSON.stringify(variables, null, 2));
  } else if (format === "env") {
    for (const [key, value] of Object.entries(variables)) console.log(`${key}="${value}"`);
  } else {
    const width = Math.max(...Object.keys(variables).map((key) => key.length));
    for (const [key, value] of Object.entries(variables)) if (value) console.log(`${key.padEnd(width)}  ${value}`);
  }
}

async function status(instance: StackInstance): Promise<void> {
  const running = (await postgresIsRunning(instance)) && (await gatewayIsUp(instance));
  if (!running) throw new StackError(`the ${instance.name} stack is not running; start it with \`npm run stack:up\``);
  printStatus(instance, option("-o") ?? option("--output"));
}

/** `npm start`: the stack plus the web app, in the foreground until Ctrl-C. */
async function start(instance: StackInstance, keysMode: KeysMode | undefined): Promise<void> {
  const outcome = await timed("stack ready", () => stackUp(instance, say, keysMode));
  const web: ChildProcess = spawn("npm", ["run", "dev", "--workspace", "web", "--silent"], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, ...statusVariables(instance), PORT: String(instance.webPort) },
  });

  console.log("\nRenum is running (Ctrl-C stops what this command started):\n");
  printStatus(instance, undefined);
  console.log(`\nDemo sign-in      ${demoSignIn.email} / ${demoSignIn.password}`);
  console.log(`Health            curl ${statusVariables(instance).FUNCTIONS_URL}/health\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say("stopping");
    web.kill("SIGTERM");
    // Leave running what was already running before this command.
    if (outcome.startedGateway && outcome.startedPostgres) await stackDown(instance);
    else if (outcome.startedGateway) await (await import("./stack.ts")).stopGateway(instance);
    say("stopped");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  web.on("exit", (code) => {
    if (!stopping) {
      say(`the web app exited (${code}); stopping`);
      void stop();
    }
  });
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? "status";
  const instanceName = option("--instance") ?? process.env.RENUM_STACK ?? "dev";
  if (!isInstanceName(instanceName)) throw new StackError(`unknown stack "${instanceName}"; use dev, test, scratch, bench, work1..work8, or one of them with -asymmetric`);
  const instance = stackInstance(instanceName);
  const keysMode = requireKeysMode(option("--keys"));
  switch (command) {
    case "up":
      await timed("stack ready", () => stackUp(instance, say, keysMode));
      printStatus(instance, undefined);
      return;
    case "down":
      await stackDown(instance);
      say(`${instance.name} stack stopped`);
      return;
    case "status":
      return status(instance);
    case "start":
      return start(instance, keysMode);
    case "reset": {
      // A reset keeps the instance's key system unless told otherwise (its key material is renewed).
      const mode = keysMode ?? instanceKeys(instance).mode;
      await stackPurge(instance);
      await timed("database reset", () => stackUp(instance, say, mode));
      return;
    }
    case "types": {
      await stackUp(instance, say);
      writeFileSync(databaseTypesFile, await generateDatabaseTypes(instance));
      say(`wrote ${join("supabase/functions/_shared", "database.types.ts")}`);
      return;
    }
    default:
      throw new StackError(`unknown command "${command}"; use up, down, status, start, reset or types`);
  }
}

main().catch((error) => {
  if (error instanceof StackError) {
    console.error(`stack: ${error.message}`);
  } else {
    console.error(`stack: unexpected failure: ${error instanceof Error ? error.stack : String(error)}`);
  }
  process.exit(1);
});
