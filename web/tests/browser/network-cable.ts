// A network cable a test can pull out: an HTTP proxy on 127.0.0.1 that a browser context sends all
// its traffic through (plain requests forwarded, WebSockets tunnelled with CONNECT). `cut()` drops
// every open connection, as when the Wi-Fi goes away, and refuses new ones until `plugIn()`.
// Chromium's own offline emulation cannot stand in for this: it keeps an open WebSocket open and
// only holds its frames back until it is online again, so a Realtime client never sees a drop.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface NetworkCable {
  /** The proxy server for `browser.newContext({ proxy: { server } })`. */
  server: string;
  cut(): void;
  plugIn(): void;
  close(): Promise<void>;
}

const hopByHop = ["proxy-connection", "proxy-authorization", "connection", "keep-alive"];

export async function networkCable(): Promise<NetworkCable> {
  const open = new Set<net.Socket>();
  let connected = true;
  const track = (socket: net.Socket) => {
    // The upstream agent keeps sockets alive and hands the same one to many requests.
    if (open.has(socket)) return;
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  };

  const proxy = http.createServer((request, response) => {
    const target = new URL(request.url ?? "/");
    const headers = { ...request.headers };
    for (const name of hopByHop) delete headers[name];
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: request.method, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("socket", track);
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  proxy.on("connection", (socket: net.Socket) => {
    if (!connected) return socket.destroy();
    track(socket);
  });
  proxy.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host, port] = (request.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));

  return {
    server: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    cut() {
      connected = false;
      for (const socket of open) socket.destroy();
    },
    plugIn() {
      connected = true;
    },
    async close() {
      connected = false;
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
