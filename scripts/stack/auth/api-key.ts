// What the API gateway (Kong's key-auth in front of Supabase Auth) demands before a request
// reaches Auth: a project key in the `apikey` header or query parameter — the anon or service_role
// JWT, or on asymmetric keys the `sb_publishable_…` / `sb_secret_…` key — or, failing that, a token
// signed with the project's signing key in `Authorization: Bearer`. Kong answers for itself, so
// these bodies are Kong's `{"message": ...}`, not Auth's error shape.
import type { MiddlewareHandler } from "hono";
import { activeKeys, apiKeyRole } from "../instance-keys.ts";
import { verifiedClaims } from "./access-tokens.ts";

const projectKeyRoles = new Set(["anon", "service_role"]);

export const requireApiKey: MiddlewareHandler = async (c, next) => {
  const apikey = c.req.header("apikey") ?? c.req.query("apikey");
  const bearer = /^bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (!apikey && !bearer) return c.json({ message: "No API key found in request" }, 401);
  if (apikey && apiKeyRole(activeKeys(), apikey)) return next();

  const claims = await verifiedClaims(apikey ?? bearer ?? "").catch(() => null);
  const accepted = claims !== null && (apikey === undefined || projectKeyRoles.has(String(claims.role)));
  if (!accepted) return c.json({ message: "Invalid authentication credentials" }, 401);
  return next();
};
