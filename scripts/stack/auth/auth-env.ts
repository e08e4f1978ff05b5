// The Hono environment of the Auth app: the gateway's node request and response, and the request
// body as read once by the body-size gate.
import type { HttpBindings } from "@hono/node-server";

export type AuthEnv = { Bindings: HttpBindings; Variables: { body: string } };
