// The runs pages' path to one run in the API; anything but an id is the same 404 as a run the
// user may not see.
import { error } from "@sveltejs/kit";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function executionPath(id: string): string {
  if (!uuidPattern.test(id)) error(404, { message: "Execution not found.", code: "not_found" });
  return `/executions/${id.toLowerCase()}`;
}
