// Where a fake server listens. The stack's function workers reach 127.0.0.1 only on the stack's
// fake port range (EGRESS_ALLOW_PRIVATE, scripts/stack/instances.ts fakePortRange), so a fake that
// a function must call listens there: the first free port of the range of the stack named by
// RENUM_STACK (set by scripts/test/run-all.ts for every suite). Without a stack, any free port.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fakePortRange, isInstanceName, notificationFakePort, stackInstance, whatsAppFakePort } from "../stack/instances.ts";

export async function listenForFunctions(server: Server, stackName = process.env.RENUM_STACK): Promise<number> {
  if (!stackName || !isInstanceName(stackName)) return await listen(server, 0);
  const { first, last } = fakePortRange(stackInstance(stackName));
  // The last two ports are kept for the fakes at the stack's provider addresses (listenAtStackWhatsAppAddress,
  // listenAtStackNotificationAddress).
  for (let port = first; port < last - 1; port++) {
    try {
      return await listen(server, port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
  throw new Error(`every fake port of the ${stackName} stack (${first}-${last}) is in use: close the fakes of earlier tests`);
}

/**
 * The port the stack's functions send WhatsApp's Graph API and Z-API requests to
 * (scripts/stack/instances.ts whatsAppFakePort). One fake at a time holds it: suites run one file
 * at a time; a fake left open by an earlier file makes this fail loudly.
 */
export async function listenAtStackWhatsAppAddress(server: Server, stackName = process.env.RENUM_STACK): Promise<number> {
  if (!stackName || !isInstanceName(stackName)) throw new Error("RENUM_STACK names no stack: there is no stack WhatsApp address to listen at");
  return await listen(server, whatsAppFakePort(stackInstance(stackName)));
}

/** The port the stack's functions send Twilio's and Resend's requests to (notifications). One fake at a time holds it. */
export async function listenAtStackNotificationAddress(server: Server, stackName = process.env.RENUM_STACK): Promise<number> {
  if (!stackName || !isInstanceName(stackName)) throw new Error("RENUM_STACK names no stack: there is no stack notification address to listen at");
  return await listen(server, notificationFakePort(stackInstance(stackName)));
}

/** A free port outside the stack's fake range: what no function may reach (a capture server). */
export async function listenOutsideFakeRange(server: Server, stackName = process.env.RENUM_STACK): Promise<number> {
  const range = stackName && isInstanceName(stackName) ? fakePortRange(stackInstance(stackName)) : null;
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listen(server, 0);
    if (!range || port < range.first || port > range.last) return port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  throw new Error("no free port outside the fake range");
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
