// Runs one edge function the way Supabase's Edge Runtime does, inside a plain Deno process:
//   deno run --watch=<functions dir> function-worker.ts <function dir> <unix socket path>
// The function's own index.ts calls Deno.serve(...) as it would in production; we keep its handler
// and serve it on the socket the gateway forwards to. EdgeRuntime.waitUntil keeps background work
// alive after the response, and delays a graceful exit until that work settles.

const [functionDir, socketPath] = Deno.args;
if (!functionDir || !socketPath) {
  console.error("usage: function-worker.ts <function dir> <unix socket path>");
  Deno.exit(2);
}

type Handler = (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;
type ServeArguments = [Handler] | [Deno.ServeOptions, Handler] | [Deno.ServeOptions & { handler: Handler }];

const pendingBackgroundWork = new Set<Promise<unknown>>();

const edgeRuntime = {
  waitUntil(promise: Promise<unknown>): Promise<unknown> {
    const tracked = Promise.resolve(promise)
      .catch((error) => console.error("EdgeRuntime.waitUntil task failed:", error))
      .finally(() => pendingBackgroundWork.delete(tracked));
    pendingBackgroundWork.add(tracked);
    return promise;
  },
};
Object.defineProperty(globalThis, "EdgeRuntime", { value: edgeRuntime, writable: false, configurable: false });

function handlerFrom(args: ServeArguments): Handler {
  if (typeof args[0] === "function") return args[0];
  if (typeof args[1] === "function") return args[1];
  const options = args[0] as { handler?: Handler };
  if (typeof options.handler === "function") return options.handler;
  throw new TypeError("Deno.serve was called without a handler");
}

let served = false;
const realServe = Deno.serve.bind(Deno);
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: ServeArguments) => {
  if (served) throw new Error("an edge function may call Deno.serve only once");
  served = true;
  const handler = handlerFrom(args);
  try {
    Deno.removeSync(socketPath);
  } catch {
    // no stale socket from an earlier run
  }
  return realServe({ path: socketPath, onListen: () => console.log(`serving ${functionDir}`) }, handler);
};

async function finishBackgroundWorkThenExit(): Promise<void> {
  await Promise.allSettled([...pendingBackgroundWork]);
  // Under --watch, Deno.exit only ends this run and the watcher waits for the next file change;
  // the stack is stopping, so end the whole process.
  Deno.kill(Deno.pid, "SIGKILL");
}
// An uncaught error ends the worker, as it ends the isolate on Supabase's Edge Runtime, and the
// gateway starts a fresh one on the next request; under --watch the process would otherwise wait
// for a file change and serve nothing.
globalThis.addEventListener("error", (event) => {
  console.error(`uncaught error, the worker ends: ${event.error instanceof Error ? (event.error.stack ?? event.error.message) : event.message}`);
  Deno.kill(Deno.pid, "SIGKILL");
});
globalThis.addEventListener("unhandledrejection", (event) => {
  console.error(`unhandled rejection, the worker ends: ${event.reason instanceof Error ? (event.reason.stack ?? event.reason.message) : String(event.reason)}`);
  Deno.kill(Deno.pid, "SIGKILL");
});
Deno.addSignalListener("SIGTERM", finishBackgroundWorkThenExit);
Deno.addSignalListener("SIGINT", finishBackgroundWorkThenExit);

try {
  await import(new URL(`file://${functionDir}/index.ts`).href);
} catch (error) {
  // A function that cannot load (an import its configuration does not resolve, a throw at the top
  // level) is a boot error, as on the Edge Runtime: end the whole process, so the gateway answers
  // 503 at once and the next request boots a fresh worker, rather than --watch waiting for an edit.
  console.error(`${functionDir}/index.ts failed to load:`, error);
  Deno.kill(Deno.pid, "SIGKILL");
}
if (!served) {
  console.error(`${functionDir}/index.ts did not call Deno.serve; an edge function must serve a handler`);
}
