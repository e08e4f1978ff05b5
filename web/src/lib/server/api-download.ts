// A file the API writes (a CSV or PDF export), passed on to the browser as a download: the API's
// refusal becomes the page's error (another company's id is the same 404), its type and file name
// are kept, and nothing is cached.
import { error, type RequestEvent } from "@sveltejs/kit";
import { ApiFailure, createApi } from "$lib/server/api";

export async function apiDownload(
  event: RequestEvent,
  path: string,
  type: string,
  fallbackName: string,
  query?: Record<string, string>,
): Promise<Response> {
  let answer: Response;
  try {
    answer = await createApi(event).download(path, type, query);
  } catch (cause) {
    if (cause instanceof ApiFailure) error(cause.status as Parameters<typeof error>[0], { message: cause.message, code: cause.code });
    throw cause;
  }
  return new Response(answer.body, {
    headers: {
      "content-type": answer.headers.get("content-type") ?? type,
      "content-disposition": answer.headers.get("content-disposition") ?? `attachment; filename="${fallbackName}"`,
      "cache-control": "no-store",
    },
  });
}
