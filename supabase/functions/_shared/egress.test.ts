// The egress rules against real HTTP servers on 127.0.0.1: which addresses are refused in every
// notation, names that resolve inward, redirects re-checked hop by hop, the allow-list, and the
// bounds. A "capture" server counts what reaches it: where a request must be refused, it gets nothing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { internalRange, parseAllowList } from "./egress-addresses.ts";
import { checkDestination, checkUrl, EgressError, egressFetch, type HostResolver } from "./egress.ts";

interface TestServer {
  url: string;
  port: number;
  requests: { method: string; path: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  })));
});

async function startServer(handle: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => {
  response.writeHead(200, { "content-type": "text/plain" });
  response.end("captured");
}): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body });
      handle(request, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, requests, close: async () => {} };
}

const allow = (...ports: number[]) => parseAllowList(ports.map((port) => `127.0.0.1:${port}`).join(","));

async function refusal(promise: Promise<unknown>): Promise<EgressError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EgressError);
    return error as EgressError;
  }
  throw new Error("expected the request to be refused, and it went through");
}

function syncRefusal(work: () => unknown): EgressError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(EgressError);
    return error as EgressError;
  }
  throw new Error("expected the URL to be refused, and it passed");
}

describe("egress: internal addresses in every notation", () => {
  // Each is an internal address; several are normalised by WHATWG URL parsing into dotted IPv4.
  const internalUrls = [
    "http://127.0.0.1/", "http://127.255.255.254/", "http://2130706433/", "http://0x7f000001/", "http://0x7f.1/",
    "http://017700000001/", "http://0177.0.0.1/", "http://127.1/", "http://%31%32%37.0.0.1/", "http://１２７.0.0.1/",
    "http://0/", "http://0.0.0.0/", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://2852039166/", "http://0xa9.0xfe.0xa9.0xfe/",
    "http://100.64.0.1/", "http://100.100.100.200/", "http://192.0.0.8/", "http://192.0.2.1/",
    "http://198.18.0.1/", "http://198.51.100.7/", "http://203.0.113.9/", "http://224.0.0.1/",
    "http://239.255.255.250/", "http://240.0.0.1/", "http://255.255.255.255/",
    "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:0:7f00:1]/",
    "http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::1]/",
    "http://[2002:7f00:1::]/", "http://[2002:a9fe:a9fe::1]/", "http://[fe80::1]/", "http://[fc00::1]/",
    "http://[fd00:ec2::254]/", "http://[ff02::1]/", "http://[fec0::1]/", "http://[2001:db8::1]/", "http://[2001::1]/",
    "http://[100::1]/",
    "https://127.0.0.1:8443/v1", "http://127.0.0.1:5432/",
  ];
  for (const raw of internalUrls) {
    it(`refuses ${raw}`, () => {
      expect(syncRefusal(() => checkUrl(raw, [])).code).toBe("address_not_allowed");
    });
  }

  it("passes public unicast addresses, IPv4 and IPv6, and IPv4 carried in IPv6 when it is public", () => {
    for (const raw of ["http://93.184.216.34/", "https://8.8.8.8/", "https://[2606:4700:4700::1111]/", "http://[::ffff:8.8.8.8]/", "http://[64:ff9b::808:808]/"]) {
      expect(checkUrl(raw, []).href).toBe(new URL(raw).href);
    }
    expect(internalRange("1.1.1.1")).toBeNull();
    expect(internalRange("not an address")).toBe("invalid");
  });

  const internalNames = [
    "http://localhost/", "http://LOCALHOST./", "http://api.localhost/", "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/", "http://instance-data/", "http://ip-10-0-0-1.ec2.internal/", "http://printer.local/", "http://intranet/",
  ];
  for (const raw of internalNames) {
    it(`refuses the internal name ${raw}`, () => {
      expect(syncRefusal(() => checkUrl(raw, [])).code).toBe("address_not_allowed");
    });
  }

  it("refuses schemes other than http(s), credentials in the URL, and what is not a URL", () => {
    for (const raw of ["ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "data:text/plain,hi", "gopher://example.com/", "ws://example.com/"]) {
      expect(syncRefusal(() => checkUrl(raw, [])).code).toBe("scheme_not_allowed");
    }
    for (const raw of ["http://user:pw@example.com/", "http://127.0.0.1:80@example.com/", "https://token@example.com/"]) {
      expect(syncRefusal(() => checkUrl(raw, [])).code).toBe("credentials_in_url");
    }
    expect(syncRefusal(() => checkUrl("not a url", [])).code).toBe("invalid_url");
  });
});

describe("egress: names that resolve to internal addresses", () => {
  const resolver = (records: Record<string, string[]>): HostResolver => (hostname) =>
    Promise.resolve((records[hostname] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));

  it("refuses a name when any of its A or AAAA records is internal", async () => {
    const resolve = resolver({
      "loopback.example.com": ["127.0.0.1"],
      "mixed.example.com": ["93.184.216.34", "10.1.2.3"],
      "v6.example.com": ["2606:4700::1", "::1"],
      "mapped.example.com": ["::ffff:169.254.169.254"],
      "metadata.example.com": ["169.254.169.254"],
    });
    for (const host of ["loopback", "mixed", "v6", "mapped", "metadata"]) {
      const error = await refusal(checkDestination(new URL(`https://${host}.example.com/`), [], resolve));
      expect(error.code).toBe("address_not_allowed");
    }
    expect(await checkDestination(new URL("https://public.example.com/"), [], resolver({ "public.example.com": ["93.184.216.34"] })))
      .toEqual({ address: "93.184.216.34", family: 4 });
  });

  it("refuses a name that does not resolve", async () => {
    expect((await refusal(checkDestination(new URL("https://nowhere.example.com/"), [], resolver({})))).code).toBe("host_not_found");
  });

  it("connects to the address it checked, whatever the name resolves to later", async () => {
    const server = await startServer();
    let lookups = 0;
    // The check's answer is pinned for the connection: a second lookup would answer a refused address.
    const resolve: HostResolver = () => Promise.resolve([{ address: lookups++ === 0 ? "127.0.0.1" : "10.9.9.9", family: 4 }]);
    const response = await egressFetch({ allowList: allow(server.port), resolve })(`http://pinned.example.com:${server.port}/x`);
    expect(await response.text()).toBe("captured");
    expect(lookups).toBe(1);
    expect(server.requests[0].headers.host).toBe(`pinned.example.com:${server.port}`);
  });
});

describe("egress: the allow-list", () => {
  it("lets through exactly the listed address and ports, and nothing else on loopback", async () => {
    const listed = await startServer();
    const capture = await startServer();
    const fetchListed = egressFetch({ allowList: allow(listed.port) });
    expect((await fetchListed(`${listed.url}/ok`)).status).toBe(200);
    expect((await refusal(fetchListed(`${capture.url}/steal`))).code).toBe("address_not_allowed");
    expect((await refusal(egressFetch({ allowList: [] })(`${listed.url}/ok`))).code).toBe("address_not_allowed");
    expect(capture.requests).toHaveLength(0);
    expect(listed.requests).toHaveLength(1);
  });

  it("reads EGRESS_ALLOW_PRIVATE when no list is given, and refuses malformed entries", async () => {
    const server = await startServer();
    const previous = process.env.EGRESS_ALLOW_PRIVATE;
    try {
      process.env.EGRESS_ALLOW_PRIVATE = `127.0.0.1:${server.port}-${server.port}`;
      expect((await egressFetch()(server.url)).status).toBe(200);
      delete process.env.EGRESS_ALLOW_PRIVATE;
      expect((await refusal(egressFetch()(server.url))).code).toBe("address_not_allowed");
    } finally {
      if (previous === undefined) delete process.env.EGRESS_ALLOW_PRIVATE;
      else process.env.EGRESS_ALLOW_PRIVATE = previous;
    }
    for (const bad of ["localhost:80", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:90-80", "10.0.0.0/8:80", "*:80"]) {
      expect(() => parseAllowList(bad)).toThrow(/EGRESS_ALLOW_PRIVATE/);
    }
    expect(parseAllowList("127.0.0.1:57230-57269, [::1]:8080")).toEqual([
      { address: "127.0.0.1", firstPort: 57230, lastPort: 57269 },
      { address: "0:0:0:0:0:0:0:1", firstPort: 8080, lastPort: 8080 },
    ]);
  });
});

describe("egress: redirects", () => {
  it("re-checks every hop: a listed server redirecting to an unlisted loopback port or to metadata is refused", async () => {
    const capture = await startServer();
    for (const target of [`${capture.url}/steal`, "http://169.254.169.254/latest/meta-data/", "http://[::ffff:7f00:1]/", "http://localhost/"]) {
      const redirector = await startServer((_, response) => {
        response.writeHead(302, { location: target });
        response.end();
      });
      const error = await refusal(egressFetch({ allowList: allow(redirector.port) })(`${redirector.url}/start`, {
        headers: { authorization: "Bearer secret" },
      }));
      expect(error.code).toBe("address_not_allowed");
      expect(redirector.requests).toHaveLength(1);
    }
    expect(capture.requests).toHaveLength(0);
  });

  it("refuses a redirect to another scheme or to credentials in the URL", async () => {
    for (const [target, code] of [["file:///etc/passwd", "scheme_not_allowed"], ["http://u:p@example.com/", "credentials_in_url"]]) {
      const redirector = await startServer((_, response) => {
        response.writeHead(301, { location: target });
        response.end();
      });
      expect((await refusal(egressFetch({ allowList: allow(redirector.port) })(redirector.url))).code).toBe(code);
    }
  });

  it("follows a bounded number of hops", async () => {
    const loop = await startServer((request, response) => {
      response.writeHead(307, { location: `/again${request.url}` });
      response.end();
    });
    const error = await refusal(egressFetch({ allowList: allow(loop.port), maxRedirects: 3 })(loop.url));
    expect(error.code).toBe("too_many_redirects");
    expect(loop.requests).toHaveLength(4);
  });

  it("keeps credentials within the origin and drops them when a hop leaves it", async () => {
    const target = await startServer();
    const redirector = await startServer((request, response) => {
      response.writeHead(307, { location: request.url === "/same" ? "/landed" : `${target.url}/landed` });
      response.end();
    });
    const fetchBoth = egressFetch({ allowList: allow(redirector.port, target.port) });
    const headers = { authorization: "Bearer sk-secret", "x-api-key": "secret", apikey: "secret", "x-trace": "kept" };

    await fetchBoth(`${redirector.url}/same`, { method: "POST", headers, body: "{}" });
    expect(redirector.requests[1]).toMatchObject({ path: "/landed", method: "POST", body: "{}" });
    expect(redirector.requests[1].headers.authorization).toBe("Bearer sk-secret");

    await fetchBoth(`${redirector.url}/away`, { method: "POST", headers, body: "{}" });
    const landed = target.requests[0];
    expect(landed).toMatchObject({ path: "/landed", method: "POST", body: "{}" });
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers["x-api-key"]).toBeUndefined();
    expect(landed.headers.apikey).toBeUndefined();
    expect(landed.headers["x-trace"]).toBe("kept");
  });

  it("turns a POST into a GET without a body after a 303, and answers the 3xx itself with redirect: manual", async () => {
    const server = await startServer((request, response) => {
      if (request.url === "/post") {
        response.writeHead(303, { location: "/result" });
        return response.end();
      }
      response.end("result");
    });
    const fetchIt = egressFetch({ allowList: allow(server.port) });
    expect(await (await fetchIt(`${server.url}/post`, { method: "POST", body: "data" })).text()).toBe("result");
    expect(server.requests[1]).toMatchObject({ method: "GET", path: "/result", body: "" });

    const manual = await fetchIt(`${server.url}/post`, { method: "POST", body: "data", redirect: "manual" });
    expect(manual.status).toBe(303);
    expect(server.requests).toHaveLength(3);
  });
});

describe("egress: bounds", () => {
  it("cuts an answer larger than maxResponseBytes", async () => {
    const server = await startServer((_, response) => response.end("x".repeat(64 * 1024)));
    const response = await egressFetch({ allowList: allow(server.port), maxResponseBytes: 1024 })(server.url);
    const error = await refusal(response.text());
    expect(error.code).toBe("response_too_large");
  });

  it("gives up on a server that never answers, and honours the caller's signal", async () => {
    const silent = await startServer(() => {});
    await expect(egressFetch({ allowList: allow(silent.port), timeoutMs: 200 })(silent.url)).rejects.toMatchObject({
      name: expect.stringMatching(/TimeoutError|AbortError/),
    });
    const controller = new AbortController();
    const pending = egressFetch({ allowList: allow(silent.port) })(silent.url, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeDefined();
  });

  it("sends FormData and JSON bodies as fetch would", async () => {
    const server = await startServer();
    const form = new FormData();
    form.set("prompt", "hello");
    await egressFetch({ allowList: allow(server.port) })(server.url, { method: "POST", body: form });
    expect(server.requests[0].headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(server.requests[0].body).toContain('name="prompt"');
  });
});
