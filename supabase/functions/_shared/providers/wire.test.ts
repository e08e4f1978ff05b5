// The wire-level pieces every provider relies on: the SSE parser, Retry-After, and redaction.
import { describe, expect, it } from "vitest";
import { retryAfterMs, safeQuote } from "./http.ts";
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

describe("safeQuote", () => {
  it("removes the key and anything shaped like one, and keeps messages short", () => {
    const key = "my-custom-key-123456";
    expect(safeQuote(`bad key ${key} sent`, key)).toBe("bad key [redacted] sent");
    expect(safeQuote("Incorrect API key provided: sk-proj-abc123def456. Go away")).toBe(
      "Incorrect API key provided: [redacted] Go away",
    );
    expect(safeQuote("header was Bearer eyJhbGciOi.abc.def")).toBe("header was Bearer [redacted]");
    expect(safeQuote("x".repeat(1000)).length).toBe(300);
  });
});
