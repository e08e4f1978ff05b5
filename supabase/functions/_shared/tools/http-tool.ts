// A company's HTTP tool: the model's arguments go to the tool's address through the egress rules
// (no internal address, bounded time and size), as the query string of a GET or the JSON body of any
// other method, with the tool's headers (secret ones included). The answer is the status and body.
import { egressFetch, isEgressError } from "../egress.ts";
import { type HttpToolDefinition, ToolFailure } from "./registry.ts";

/** The most of an answer's body the model reads. */
export const maxToolAnswerChars = 16_000;
const maxResponseBytes = 256 * 1024;

export async function callHttpTool(
  tool: HttpToolDefinition,
  args: Record<string, unknown>,
  options: { timeoutMs: number; signal: AbortSignal; fetch?: typeof fetch },
): Promise<string> {
  const url = new URL(tool.url);
  const init: RequestInit = {
    method: tool.method,
    headers: { accept: "application/json, text/plain;q=0.9, */*;q=0.1", ...tool.headers },
    signal: options.signal,
  };
  if (tool.method === "GET") {
    for (const [name, value] of Object.entries(args)) {
      url.searchParams.set(name, typeof value === "string" ? value : JSON.stringify(value));
    }
  } else {
    init.headers = { ...init.headers as Record<string, string>, "content-type": "application/json" };
    init.body = JSON.stringify(args);
  }
  const fetchImpl = options.fetch ?? egressFetch({ timeoutMs: options.timeoutMs, maxResponseBytes });
  let response: Response;
  let body: string;
  try {
    response = await fetchImpl(url, init);
    body = await response.text();
  } catch (error) {
    if (options.signal.aborted) throw error;
    if (isEgressError(error)) throw new ToolFailure(`the tool's address was refused: ${error.message}`);
    if (error instanceof Error && error.name === "TimeoutError") throw new ToolFailure(`the tool did not answer within ${options.timeoutMs} ms`);
    throw new ToolFailure(`the tool's address did not answer (${error instanceof Error ? error.name : "error"})`);
  }
  const text = body.length > maxToolAnswerChars ? `${body.slice(0, maxToolAnswerChars)}… (cut)` : body;
  if (!response.ok) throw new ToolFailure(`HTTP ${response.status}: ${text}`);
  return text;
}
