import { createServer } from "node:net";
import { StackError } from "./stack-error.ts";

/** True when something already listens on 127.0.0.1:port. */
export function portIsTaken(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const probe = createServer();
    probe.once("error", () => resolvePromise(true));
    probe.listen({ host: "127.0.0.1", port, exclusive: true }, () => probe.close(() => resolvePromise(false)));
  });
}

export async function requireFreePort(port: number, what: string, howToFree: string): Promise<void> {
  if (await portIsTaken(port)) {
    throw new StackError(`port ${port} (${what}) is already taken by another process; ${howToFree}`);
  }
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return condition();
}
