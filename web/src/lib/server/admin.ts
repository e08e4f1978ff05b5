// The platform admins' panel exists only for them: to everyone else /admin is a page that is not
// there (404), whatever the API's reason (it answers 403 to people who are not platform admins).
import { error } from "@sveltejs/kit";
import { ApiFailure, pageError } from "./api";

export function notFoundForOthers(): never {
  error(404, { message: "Not found.", code: "not_found" });
}

/** In an /admin load: the API's 403 becomes not-found; anything else as pageError. */
export function adminPageError(cause: unknown): never {
  if (cause instanceof ApiFailure && cause.status === 403) notFoundForOthers();
  pageError(cause);
}
