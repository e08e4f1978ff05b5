// The wire-level pieces every provider relies on: the SSE parser, Retry-After, and error messages.
import { describe, expect, it } from "vitest";
import { errorFromResponse, retryAfterMs } from "./http.ts";
import { readServerSentEvents, type ServerSentEvent } from "./sse.ts";

function bodyOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function events(chunks: string[]): Promise<ServerSentEvent[]> {
  const seen: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(bodyOf(chunks))) seen.push(event);
  return seen;
}

describe("server-sent events", () => {
  it("parses events split anywhere, CRLF split across chunks included", async () => {
    const stream =
      'event: message_start\r\ndata: {"a":1}\r\n\r\n: a comment\n\ndata: line one\ndata: line two\n\nid: 7\ndata:no space\r\rdata: [DONE]\n\n';
    const whole = await events([stream]);
    expect(whole).toEqual([
      { event: "message_start", data: '{"a":1}' },
      { event: "message", data: "line one\nline two" },
      { event: "message", data: "no space", id: "7" },
      { event: "message", data: "[DONE]", id: "7" },
    ]);
    // Every split point, one character at a time.
    expect(await events([...stream])).toEqual(whole);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(await events([stream.slice(0, cut), stream.slice(cut)])).toEqual(whole);
    }
  });

  it("drops an event the stream never finished", async () => {
    expect(await events(["data: complete\n\ndata: unfinish"])).toEqual([{ event: "message", data: "complete" }]);
  });

  it("cancels the body when the reader leaves early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: x\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _ of readServerSentEvents(body)) break;
    expect(cancelled).toBe(true);
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-11-22T12:00:00Z");
  it("reads seconds, an HTTP date, and OpenAI's retry-after-ms first", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2_000);
    expect(retryAfterMs(new Headers({ "retry-after": "0.5" }), now)).toBe(500);
    expect(retryAfterMs(new Headers({ "retry-after": "Sun, 22 Nov 2026 12:00:03 GMT" }), now)).toBe(3_000);
    expect(retryAfterMs(new Headers({ "retry-after": "Sun, 22 Nov 2026 11:00:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(new Headers({ "retry-after": "20", "retry-after-ms": "19500" }), now)).toBe(19_500);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe("errorFromResponse", () => {
  const context = { label: "the OpenAI-compatible API at example.com", provider: "openai-compatible" as const };
  const answer = (status: number, body: unknown) =>
    new Response(typeof body === "string" ? body : JSON.stringify(body), { status });

  it("says the status and the provider's short code in our words, never the provider's text", async () => {
    const key = "sk-proj-abc123def456ghi789";
    const cases: [number, unknown, string][] = [
      [401, { error: { message: `Incorrect API key provided: ${key}`, code: "invalid_api_key" } }, "invalid_api_key"],
      [404, { error: { message: "The model `gpt-9` does not exist", type: "invalid_request_error", code: "model_not_found" } }, "model_not_found"],
      [500, { detail: "redis://10.0.0.5:6379 refused the connection: internal stack trace" }, ""],
      [400, "root:x:0:0:root:/root:/bin/bash", ""],
      [502, { type: "error", error: { type: "api_error", message: "upstream 169.254.169.254 said {\"Code\":\"Success\"}" } }, "api_error"],
    ];
    for (const [status, body, code] of cases) {
      const error = await errorFromResponse(answer(status, body), context);
      expect(error.message).toContain(`HTTP ${status}${code ? `, ${code}` : ""}`);
      for (const remote of [key, "gpt-9", "redis", "root:x", "169.254", "Success", "does not exist"]) {
        expect(error.message).not.toContain(remote);
      }
      expect(error.code).toBe(code || undefined);
    }
  });

  it("takes a code only when it is a plain identifier", async () => {
    const error = await errorFromResponse(answer(400, { error: { code: "not a code: <script>" } }), context);
    expect(error.code).toBeUndefined();
    expect(error.message).toBe("the OpenAI-compatible API at example.com rejected the request (HTTP 400)");
  });
});
