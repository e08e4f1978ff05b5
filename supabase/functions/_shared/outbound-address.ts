// The API's check of an address a user gives Renum to call (an agent's config.base_url, the
// company's agents_endpoint_url, a key test's base_url): the egress rules, with the host name
// resolved, answered as 422 `address_not_allowed` naming the field. The database refuses literal
// internal addresses on its own (private.outbound_url_refusal), for callers that skip the API;
// resolving a name is what only the API can add. A name that does not resolve now is let through:
// DNS may be down, and every request is checked again when it is made.
import { checkDestination, checkUrl, EgressError } from "./egress.ts";
import { ApiError } from "./errors.ts";

export async function requirePublicAddress(url: string, path: string): Promise<void> {
  try {
    await checkDestination(checkUrl(url));
  } catch (error) {
    if (error instanceof EgressError && error.code === "host_not_found") return;
    throw addressNotAllowed(error, path);
  }
}

/** The 422 for an EgressError about the field at `path`; anything else is rethrown. */
export function addressNotAllowed(error: unknown, path: string): ApiError {
  if (!(error instanceof EgressError)) throw error;
  return new ApiError(422, "address_not_allowed", `${path}: ${error.message}`, {
    details: [{ path, message: error.message, reason: error.code }],
  });
}
