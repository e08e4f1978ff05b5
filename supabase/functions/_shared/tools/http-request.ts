// The built-in tool http_request: the model calls an address of its choice, GET or POST with a JSON
// body — but only on a host the company allows (public.tenants.http_request_hosts: a name,
// `*.domain`, or `host:port`), and through the same egress rules as a company's HTTP tool (no
// internal address even if allowed by name or reached by a redirect, bounded time and size). No
// headers of the company's are sent: secrets belong to the company's own HTTP tools.
import { callHttpTool } from "./http-tool.ts";
import type { BuiltinContext } from "./builtin-tools.ts";
import type { HttpToolDefinition } from "./registry.ts";
import { ToolFailure } from "./registry.ts";

/** Whether `url`'s host is one the company allows: exact name, name:port, or under *.domain. */
export function isAllowedHost(url: URL, allowed: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.port === "" ? hostname : `${hostname}:${url.port}`;
  return allowed.some((entry) => {
    if (entry.startsWith("*.")) {
      const [domain, port] = entry.slice(2).split(":");
      return hostname.endsWith(`.${domain}`) && (port === undefined || port === url.port);
    }
    return entry.includes(":") ? entry === host : entry === hostname && url.port === "";
  });
}

export async function httpRequest(args: Record<string, unknown>, context: BuiltinContext): Promise<string> {
  if (!context.step || !context.signal) throw new ToolFailure("http_request works only in a run");
  let url: URL;
  try {
    url = new URL(String(args.url));
  } catch {
    throw new ToolFailure("url must be a full address such as https://api.example.com/orders");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ToolFailure("only http and https addresses are called");
  if (url.username !== "" || url.password !== "") throw new ToolFailure("addresses with a user or password are not called");
  const allowed = await context.step.httpRequestHosts();
  if (!isAllowedHost(url, allowed)) {
    throw new ToolFailure(allowed.length === 0
      ? "the company allows no host for http_request yet (an owner or admin adds them in the company's settings)"
      : `${url.host} is not among the hosts the company allows for http_request: ${allowed.join(", ")}`);
  }
  const method = args.method === "POST" ? "POST" : "GET";
  const request: HttpToolDefinition = {
    kind: "http",
    name: "http_request",
    description: "",
    parameters: {},
    url: url.toString(),
    method,
    headers: {},
    timeout_ms: context.timeoutMs ?? 10_000,
  };
  const body = method === "POST" && args.body && typeof args.body === "object" ? args.body as Record<string, unknown> : {};
  return await callHttpTool(request, body, { timeoutMs: request.timeout_ms, signal: context.signal, fetch: context.fetch });
}
