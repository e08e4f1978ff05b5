// The machinery the fake provider servers share: a real HTTP server on 127.0.0.1, every request
// recorded (with whether the client hung up before the answer was complete), behaviours scripted
// per request, SSE writing, and the deterministic replies and token counts of every fake.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenForFunctions } from "./fake-ports.ts";

/** An error answer: the status, and the provider's own error body for it unless `body` is given. */
export interface StatusBehaviour {
  status: number;
  /** Retry-After in seconds (a number) or as given (an HTTP date). */
  retryAfter?: number | string;
  /** OpenAI's retry-after-ms header. */
  retryAfterMs?: number;
  /** The exact body to send instead (any JSON); with status 200 it replaces the success answer. */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * How the fake answers one request:
 * - `ok`: the provider's success answer (streamed when the request asks for a stream);
 * - `slow`: takes the request and never answers, until the client goes away;
 * - `cut-stream`: starts the answer (status, headers, part of the stream or body) and then destroys the socket;
 * - `malformed`: 200 with a body (or a stream event) that is not JSON;
 * - a StatusBehaviour: that status with the provider's error body (or the given body).
 */
export type Behaviour = "ok" | "slow" | "cut-stream" | "malformed" | StatusBehaviour;

export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  rawBody: string;
  /** The parsed JSON body, or the fields of a multipart/urlencoded form; undefined otherwise. */
  body: unknown;
  /** How the fake chose to answer (for the requests that take a scripted behaviour). */
  behaviour?: Behaviour;
  /** The client hung up before the whole answer was sent (an abort, a timeout). */
  clientClosedEarly: boolean;
  /** Resolves when the connection of this request is done with, answered or not. */
  closed: Promise<void>;
}

export interface FakeOptions {
  /** Wait this long before answering `ok` (0, the default, for benchmarks). */
  latencyMs?: number;
  /** Between the events of a streamed answer (default 0). */
  chunkDelayMs?: number;
  /** When set, requests carrying another key get the provider's 401. */
  apiKey?: string;
  /** Answers nothing until this settles: a test that must be watching before the first word. */
  answerAfter?: Promise<unknown>;
}

export interface FakeServer<B = Behaviour> {
  /** The base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queues behaviours for the next requests that take one; when the queue is empty: `ok`. */
  script(...behaviours: B[]): void;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

/** One request being answered. */
export class Exchange {
  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly record: RecordedRequest,
    private readonly options: FakeOptions,
  ) {}

  get gone(): boolean {
    return this.record.clientClosedEarly || this.response.destroyed;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.gone) return;
    this.response.writeHead(status, { "content-type": "application/json", ...headers });
    this.response.end(JSON.stringify(body));
  }

  /** Waits the configured latency; false when the client left meanwhile. */
  async latency(): Promise<boolean> {
    await this.wait(this.options.latencyMs ?? 0);
    return !this.gone;
  }

  /** Resolves after `ms`, or as soon as the client hangs up. */
  async wait(ms: number): Promise<void> {
    if (ms <= 0 || this.gone) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void this.record.closed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Never answers: resolves when the client hangs up (or the server closes). */
  async hold(): Promise<void> {
    await this.record.closed;
  }

  /** Opens a text/event-stream answer. */
  openStream(headers: Record<string, string> = {}): void {
    if (this.gone) return;
    this.response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      ...headers,
    });
    this.response.flushHeaders();
  }

  /** Writes raw SSE text and waits for it to leave, then the chunk delay. */
  async write(text: string): Promise<void> {
    if (this.gone) return;
    await new Promise<void>((resolve) => this.response.write(text, () => resolve()));
    await this.wait(this.options.chunkDelayMs ?? 0);
  }

  end(): void {
    if (!this.gone) this.response.end();
  }

  /** Destroys the socket after what was written has been flushed: the client sees a cut connection. */
  async cut(): Promise<void> {
    if (this.gone) return;
    await new Promise<void>((resolve) => this.response.write("", () => resolve()));
    this.response.socket?.destroy();
  }
}

/** Starts a fake: `route` answers every request; `next()` takes the next scripted behaviour. */
export async function startFakeServer<B extends object | string = Behaviour>(
  route: (exchange: Exchange, next: () => B) => Promise<unknown> | unknown,
  options: FakeOptions = {},
): Promise<FakeServer<B>> {
  const requests: RecordedRequest[] = [];
  const queue: B[] = [];
  const next = () => queue.shift() ?? ("ok" as B);

  const server = createServer((request, response) => {
    // Listened to before anything else: a client may hang up while its body is still arriving.
    let clientClosedEarly = false;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    let record: RecordedRequest | undefined;
    response.on("close", () => {
      if (!response.writableFinished) {
        clientClosedEarly = true;
        if (record) record.clientClosedEarly = true;
      }
      markClosed();
    });
    void (async () => {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of request) chunks.push(chunk as Buffer);
      } catch {
        return;
      }
      const raw = Buffer.concat(chunks);
      const url = new URL(request.url ?? "/", "http://fake");
      const recorded: RecordedRequest = {
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        rawBody: raw.toString("utf8"),
        body: await parseBody(raw, request.headers["content-type"]),
        clientClosedEarly,
        closed,
      };
      record = recorded;
      requests.push(recorded);
      try {
        await options.answerAfter;
        await route(new Exchange(request, response, recorded, options), () => {
          const behaviour = next();
          recorded.behaviour = behaviour as Behaviour;
          return behaviour;
        });
      } catch (error) {
        if (!response.headersSent) {
          response.writeHead(500, { "content-type": "text/plain" });
          response.end(`fake server error: ${String(error)}`);
        } else {
          response.destroy();
        }
      }
    })();
  });
  // Fetch keeps connections alive; a held request must not be cut by Node's own timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  const port = await listenForFunctions(server);

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...behaviours: B[]) => {
      queue.push(...behaviours);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function parseBody(raw: Buffer, contentType: string | undefined): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const type = contentType ?? "";
  if (type.includes("application/json")) {
    try {
      return JSON.parse(raw.toString("utf8"));
    } catch {
      return undefined;
    }
  }
  if (type.includes("multipart/form-data") || type.includes("application/x-www-form-urlencoded")) {
    try {
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
      const fields: Record<string, string> = {};
      form.forEach((value, key) => {
        fields[key] = typeof value === "string" ? value : `[file ${value.name}]`;
      });
      return fields;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

// ─── what every fake answers with ─────────────────────────────────────────────────────────────

/** The first 8 hex digits of the SHA-256 of `text`. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/**
 * The reply every fake gives to a prompt (the last user turn; `context` is what else the model was
 * given: system prompt and earlier turns): deterministic, and it quotes the prompt so a pipeline's
 * steps can be followed through. Export it to compute what a test expects.
 */
export function fakeReply(label: string, prompt: string, context = ""): string {
  const quoted = prompt.length > 120 ? `${prompt.slice(0, 119)}…` : prompt;
  return `${label} reply ${shortHash(`${context}\n${prompt}`)}: ${quoted}`;
}

/** The fakes' token count: one per four characters, rounded up. */
export function fakeTokens(text: string): number {
  return Math.ceil([...text].length / 4);
}

/** Splits a reply into the pieces a fake streams (words with their trailing space). */
export function streamPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export function retryHeaders(behaviour: StatusBehaviour): Record<string, string> {
  const headers: Record<string, string> = { ...behaviour.headers };
  if (behaviour.retryAfter !== undefined) headers["retry-after"] = String(behaviour.retryAfter);
  if (behaviour.retryAfterMs !== undefined) headers["retry-after-ms"] = String(behaviour.retryAfterMs);
  return headers;
}

/** The bearer token of a request, or its x-api-key. */
export function presentedKey(request: IncomingMessage): string {
  const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, "");
  const apiKey = request.headers["x-api-key"];
  return bearer ?? (typeof apiKey === "string" ? apiKey : "");
}

export function isStatusBehaviour(behaviour: unknown): behaviour is StatusBehaviour {
  return typeof behaviour === "object" && behaviour !== null && typeof (behaviour as StatusBehaviour).status === "number";
}
