import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { denoBinary, denoEnvironment, functionConfigFiles, functionResolutionFlags, functionsDir } from "../function-imports.ts";
import { apiUrl, dbUrl, egressAllowList, notificationFakeAddresses, repoRoot, type StackInstance, whatsAppFakeAddresses } from "../instances.ts";
import { activeKeys, type InstanceKeys, publishedKeySet } from "../instance-keys.ts";

export { functionsDir };
const workerScript = join(repoRoot, "scripts/stack/functions/function-worker.ts");
const functionNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

interface RunningWorker {
  process: ChildProcess;
  socketPath: string;
}

/**
 * One Deno process per edge function, started on first use, as Supabase's Edge Runtime gives each
 * function its own isolate. Its imports resolve from the configuration `supabase functions deploy`
 * uploads for it (scripts/stack/function-imports.ts), never the repository's package.json or
 * node_modules, so a function that would not bundle on deploy fails to boot here too. Deno's
 * --watch restarts a worker when its files, _shared or its configuration change, so an edit is
 * live without restarting the stack.
 */
export class FunctionWorkers {
  private readonly workers = new Map<string, RunningWorker>();
  private stopping = false;

  constructor(
    private readonly instance: StackInstance,
    private readonly log: (line: string) => void,
  ) {}

  /** True when supabase/functions/<name>/index.ts exists (folders starting with _ are shared code). */
  exists(name: string): boolean {
    return functionNamePattern.test(name) && existsSync(join(functionsDir, name, "index.ts"));
  }

  /** The socket of a running worker for the function, starting it and waiting until it accepts. */
  async socketFor(name: string, timeoutMs = 20_000): Promise<string | null> {
    let worker = this.workers.get(name) ?? this.start(name);
    let restarts = 0;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await acceptsConnections(worker.socketPath)) return worker.socketPath;
      if (worker.process.exitCode !== null || worker.process.signalCode !== null) {
        if (this.workers.get(name) === worker) this.workers.delete(name);
        // A process that died (killed, crashed) gets one fresh start for this request, as the Edge
        // Runtime boots a new worker; one that dies again at boot is a broken function.
        if (restarts++ >= 1) return null;
        worker = this.start(name);
        continue;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return null;
  }

  startAll(): void {
    if (!existsSync(functionsDir)) return;
    for (const entry of readdirSync(functionsDir)) if (this.exists(entry)) this.workers.get(entry) ?? this.start(entry);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    const exits = [...this.workers.values()].map(
      ({ process }) =>
        new Promise<void>((resolveExit) => {
          if (process.exitCode !== null || process.signalCode !== null) return resolveExit();
          const forceKill = setTimeout(() => process.kill("SIGKILL"), 5_000);
          process.once("exit", () => {
            clearTimeout(forceKill);
            resolveExit();
          });
          process.kill("SIGTERM");
        }),
    );
    await Promise.all(exits);
    this.workers.clear();
  }

  private start(name: string): RunningWorker {
    const functionDir = join(functionsDir, name);
    const socketPath = join(this.instance.runDir, `function-${name}.sock`);
    const watched = [functionDir, join(functionsDir, "_shared"), ...functionConfigFiles(name)].filter(existsSync);
    const child = spawn(
      denoBinary,
      [
        "run", "--allow-all", "--no-prompt", "--no-clear-screen", `--watch=${watched.join(",")}`,
        ...functionResolutionFlags(name, "frozen"), workerScript, functionDir, socketPath,
      ],
      { cwd: functionDir, env: this.functionEnvironment(), stdio: ["ignore", "pipe", "pipe"] },
    );
    const worker = { process: child, socketPath };
    this.workers.set(name, worker);
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) this.log(`[function ${name}] ${stripAnsi(line)}`);
    };
    child.stdout?.on("data", forward);
    child.stderr?.on("data", forward);
    child.on("exit", (code, signal) => {
      if (this.workers.get(name) === worker) this.workers.delete(name);
      if (!this.stopping) this.log(`[function ${name}] exited (${signal ?? code}); it restarts on the next request`);
    });
    return worker;
  }

  // What Supabase's Edge Runtime hands a function, plus supabase/functions/.env when present.
  private functionEnvironment(): NodeJS.ProcessEnv {
    const envFile = join(functionsDir, ".env");
    const fromFile = existsSync(envFile) && statSync(envFile).isFile() ? parseEnv(readFileSync(envFile, "utf8")) : {};
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...denoEnvironment(),
      // WhatsApp's Graph API and Z-API at the stack's kept fake port (a .env may point elsewhere).
      ...whatsAppFakeAddresses(this.instance),
      // Twilio and Resend (notifications) at the stack's kept fake port, with local credentials.
      ...notificationFakeAddresses(this.instance),
      ...fromFile,
      SUPABASE_URL: apiUrl(this.instance),
      SUPABASE_DB_URL: dbUrl(this.instance),
      // Where the web app is served, for links in emails (production: `supabase secrets set WEB_URL=...`).
      WEB_URL: `http://127.0.0.1:${this.instance.webPort}`,
      ...projectKeyVariables(activeKeys()),
      // The one internal destination functions may call: the stack's fake providers on 127.0.0.1
      // (supabase/functions/_shared/egress.ts). Set last, so no .env can widen it; production has none.
      EGRESS_ALLOW_PRIVATE: egressAllowList(this.instance),
    };
  }
}

/**
 * The keys as the Edge Runtime hands them over in each key system. Legacy: the anon and
 * service_role JWTs, and the JWT secret that production sets with `supabase secrets set
 * JWT_SECRET=...`. Asymmetric: the named publishable and secret keys and the JWKS, as JSON, and
 * none of the legacy names (a project that disabled its legacy keys).
 */
function projectKeyVariables(keys: InstanceKeys): Record<string, string> {
  if (keys.mode === "legacy") {
    return { SUPABASE_ANON_KEY: keys.anonKey, SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey, JWT_SECRET: keys.jwtSecret };
  }
  return {
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    SUPABASE_JWKS: JSON.stringify(publishedKeySet(keys)),
  };
}

function acceptsConnections(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolveProbe) => {
    const socket = connect(socketPath);
    socket.once("connect", () => {
      socket.destroy();
      resolveProbe(true);
    });
    socket.once("error", () => resolveProbe(false));
  });
}

function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
