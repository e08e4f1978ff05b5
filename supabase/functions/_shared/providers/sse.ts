// Server-sent events as the WHATWG spec parses them (https://html.spec.whatwg.org/#event-stream-interpretation):
// lines ending in CR, LF or CRLF; `field: value`; comments start with a colon; an event is dispatched
// at a blank line, its data lines joined with LF; an unfinished event at the end is dropped.

export interface ServerSentEvent {
  /** `message` when the event names none. */
  event: string;
  data: string;
  id?: string;
}

/**
 * The events of a response body, as they arrive. Leaving the loop early cancels the body (the
 * connection closes); a body that fails midway (socket cut, abort) throws from the loop.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  let settled = false;

  function* take(lines: string[]): Generator<ServerSentEvent> {
    for (const line of lines) {
      if (line === "") {
        if (data.length > 0) {
          yield { event: event || "message", data: data.join("\n"), ...(id === undefined ? {} : { id }) };
        }
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
      else if (field === "id" && !value.includes("\0")) id = value;
    }
  }

  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) {
        settled = true;
        buffer += decoder.decode();
        // What is left has no blank line after it: an unfinished event, dropped as the spec says.
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      // A CR at the end may be the first half of a CRLF: keep it for the next chunk.
      const held = buffer.endsWith("\r") ? "\r" : "";
      const ready = held ? buffer.slice(0, -1) : buffer;
      const lines = ready.split(/\r\n|\r|\n/);
      buffer = lines.pop()! + held;
      yield* take(lines);
    }
  } catch (error) {
    settled = true;
    throw error;
  } finally {
    if (!settled) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
