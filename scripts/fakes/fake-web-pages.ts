// A fake web site for URL ingestion: answers each path it was given with its body and content
// type (404 otherwise), on 127.0.0.1 in the stack's fake port range so the functions may reach it.
import { createServer } from "node:http";
import { listenForFunctions } from "./fake-ports.ts";

export interface FakePage {
  contentType: string;
  body: string;
  status?: number;
}

export interface FakeWebSite {
  url: string;
  /** The paths requested, in order. */
  requested: string[];
  close(): Promise<void>;
}

export async function startFakeWebSite(pages: Record<string, FakePage>): Promise<FakeWebSite> {
  const requested: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://fake").pathname;
    requested.push(path);
    const page = pages[path];
    if (!page) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(page.status ?? 200, { "content-type": page.contentType }).end(page.body);
  });
  const port = await listenForFunctions(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requested,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
