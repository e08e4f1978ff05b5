// Validation at the edge, through a small app built the way every API app is (createFunctionApp).
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { createFunctionApp } from "./function-app.ts";
import { jsonObject } from "./schemas/common.ts";
import { maxRequestDepth, parseJsonBody, parseParams, parseQuery, text, uuid } from "./validation.ts";

const app = createFunctionApp({ basePath: "/test", webOrigins: [], logSink: () => {} });

const createAgent = z.strictObject({
  name: text(20),
  temperature: z.number().min(0).max(2),
  tags: z.array(text(10)).max(3).optional(),
  settings: z.strictObject({ model: text(40) }).optional(),
});
app.post("/agents", async (c) => c.json(await parseJsonBody(c, createAgent), 201));

const agentPath = z.strictObject({ id: uuid() });
const agentQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
});
app.get("/agents/:id", (c) => c.json({ ...parseParams(c, agentPath), ...parseQuery(c, agentQuery) }));

function post(body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }) {
  return app.request("/test/agents", { method: "POST", headers, body });
}

async function errorOf(answer: Response) {
  return (await answer.json()).error as {
    code: string;
    message: string;
    details?: { path: string; message: string }[];
  };
}

describe("JSON bodies", () => {
  it("accepts a body that fits, trimmed", async () => {
    const answer = await post(JSON.stringify({ name: "  Ana  ", temperature: 0.7, tags: ["sdr"] }));
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ name: "Ana", temperature: 0.7, tags: ["sdr"] });
  });

  it("answers malformed JSON with 400 invalid_json", async () => {
    const answer = await post('{"name": "Ana", ');
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: { code: "invalid_json", message: "The request body is not valid JSON." },
    });
  });

  it("answers an empty body with 400 invalid_json", async () => {
    const answer = await post("");
    expect(answer.status).toBe(400);
    expect((await errorOf(answer)).code).toBe("invalid_json");
  });

  it("answers a body not sent as JSON with 415", async () => {
    const answer = await post("name=Ana", { "content-type": "application/x-www-form-urlencoded" });
    expect(answer.status).toBe(415);
    expect((await errorOf(answer)).code).toBe("unsupported_media_type");
  });

  it("accepts JSON with a charset and a +json media type", async () => {
    const body = JSON.stringify({ name: "Ana", temperature: 1 });
    expect((await post(body, { "content-type": "application/json; charset=utf-8" })).status).toBe(201);
    expect((await post(body, { "content-type": "application/merge-patch+json" })).status).toBe(201);
  });

  it("refuses unknown fields with 422, naming each of them, nested ones too", async () => {
    const answer = await post(
      JSON.stringify({ name: "Ana", temperature: 1, colour: "red", admin: true, settings: { model: "x", debug: 1 } }),
    );
    expect(answer.status).toBe(422);
    const error = await errorOf(answer);
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual(
      expect.arrayContaining([
        { path: "colour", message: "Unknown field." },
        { path: "admin", message: "Unknown field." },
        { path: "settings.debug", message: "Unknown field." },
      ]),
    );
    expect(error.message).toContain("colour");
    expect(error.message).toContain("admin");
  });

  it("refuses wrong types and missing fields, one detail per field", async () => {
    const answer = await post(JSON.stringify({ name: 42, tags: "sdr" }));
    expect(answer.status).toBe(422);
    const error = await errorOf(answer);
    expect(error.details?.map((detail) => detail.path).sort()).toEqual(["name", "tags", "temperature"]);
    expect(error.details?.find((detail) => detail.path === "name")?.message).toMatch(/expected string/);
  });

  it("refuses a body that is not an object", async () => {
    const answer = await post(JSON.stringify(["Ana", 1]));
    expect(answer.status).toBe(422);
    expect((await errorOf(answer)).details).toEqual([{ path: "", message: expect.stringMatching(/expected object/) }]);
  });

  it("enforces string length limits, after trimming, with the limit in the message", async () => {
    const answer = await post(
      JSON.stringify({ name: "x".repeat(21), temperature: 1, tags: ["ok", "far-too-long-tag", "   "] }),
    );
    expect(answer.status).toBe(422);
    const error = await errorOf(answer);
    expect(error.details).toEqual([
      { path: "name", message: "Must have at most 20 characters." },
      { path: "tags.1", message: "Must have at most 10 characters." },
      { path: "tags.2", message: "Must not be empty." },
    ]);
    expect(error.message).toContain("name: Must have at most 20 characters.");
  });

  it("refuses a body over 1 MB that says its size, with 413", async () => {
    const answer = await post("{}", { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({
      error: {
        code: "payload_too_large",
        message: "The request body is larger than 1 MB.",
        details: { max_bytes: 1048576 },
      },
    });
  });

  it("refuses a streamed body once it passes 1 MB, and lets one just under through to validation", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    const stream = (chunks: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let index = 0; index < chunks; index++) controller.enqueue(chunk);
          controller.close();
        },
      });
    const streamed = (chunks: number) =>
      app.request("/test/agents", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: stream(chunks),
        duplex: "half",
      } as RequestInit);
    const over = await streamed(17);
    expect(over.status).toBe(413);
    const under = await streamed(15);
    expect(under.status).toBe(400); // read in full, then found not to be JSON
  });
});

describe("query strings and path parameters", () => {
  const id = "3f0e5a8e-6c1b-4a7e-9d2f-0b1c2d3e4f50";

  it("parses and coerces them", async () => {
    const answer = await app.request(`/test/agents/${id}?limit=5&tag=a&tag=b`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ id, limit: 5, tag: ["a", "b"] });
    expect(await (await app.request(`/test/agents/${id}`)).json()).toEqual({ id, limit: 20 });
  });

  it("refuses a path parameter that is not a uuid with 422", async () => {
    const answer = await app.request("/test/agents/not-a-uuid");
    expect(answer.status).toBe(422);
    const error = await errorOf(answer);
    expect(error).toEqual({
      code: "validation_failed",
      message: "The path is invalid: id: Must be a uuid.",
      details: [{ path: "id", message: "Must be a uuid." }],
    });
  });

  it("refuses bad and unknown query parameters with 422, naming them", async () => {
    const answer = await app.request(`/test/agents/${id}?limit=500&sort=name`);
    expect(answer.status).toBe(422);
    const error = await errorOf(answer);
    expect(error.message).toMatch(/^The query string is invalid: /);
    expect(error.details?.map((detail) => detail.path).sort()).toEqual(["limit", "sort"]);
  });
});

describe("input bounds: depth, size, numbers and text the database cannot store", () => {
  const withConfig = z.strictObject({
    name: text(20),
    config: jsonObject({ maxDepth: 3, maxBytes: 200, maxKeys: 4, maxKeyLength: 10 }),
  });
  app.post("/bounded", async (c) => c.json(await parseJsonBody(c, withConfig), 201));
  const send = (body: string) =>
    app.request("/test/bounded", { method: "POST", headers: { "content-type": "application/json" }, body });
  const paths = async (answer: Response) => (await errorOf(answer)).details?.map((detail) => detail.path);

  it("accepts a config within every bound", async () => {
    const answer = await send(JSON.stringify({ name: "ok", config: { a: { b: [1, "two"] } } }));
    expect(answer.status).toBe(201);
  });

  it("names the first container past the depth bound, and stops there", async () => {
    const answer = await send(JSON.stringify({ name: "ok", config: { a: { b: [[1]] } } }));
    expect(answer.status).toBe(422);
    expect(await paths(answer)).toEqual(["config.a.b.0"]);
  });

  it("refuses a body nested 400,000 levels deep (under the 1 MB limit) before any schema walks it", async () => {
    const answer = await send('{"name":"ok","config":{"a":' + "[".repeat(400_000) + "]".repeat(400_000) + "}}");
    expect(answer.status).toBe(422);
    const error = await errorOf(answer);
    expect(error.code).toBe("validation_failed");
    expect(error.message).toContain(`Must not nest more than ${maxRequestDepth} levels deep.`);
  });

  it("refuses a config larger than its byte bound, counting UTF-8 bytes", async () => {
    const answer = await send(JSON.stringify({ name: "ok", config: { a: "ç".repeat(100) } }));
    expect(answer.status).toBe(422);
    expect((await errorOf(answer)).details).toEqual([
      { path: "config", message: "Must be at most 200 bytes as JSON (it is 208)." },
    ]);
  });

  it("refuses numbers beyond ±1e15 anywhere in a config", async () => {
    const answer = await send('{"name":"ok","config":{"a":[1e18],"b":-1e300}}');
    expect(answer.status).toBe(422);
    expect((await paths(answer))?.sort()).toEqual(["config.a.0", "config.b"]);
  });

  it("refuses NUL and unpaired surrogates in any string or key, naming where", async () => {
    for (
      const [body, path] of [
        ['{"name":"a\\u0000b","config":{}}', "name"],
        ['{"name":"ok","config":{"stop":["fine","\\ud800"]}}', "config.stop.1"],
        ['{"name":"ok","config":{"x":{"y":"\\udc00 low"}}}', "config.x.y"],
        ['{"name":"ok","config":{"k\\u0000":1}}', "config.k\u0000"],
      ]
    ) {
      const answer = await send(body);
      expect(answer.status, body).toBe(422);
      const error = await errorOf(answer);
      expect(error.details?.[0].path).toBe(path);
      expect(error.details?.[0].message).toContain("NUL characters or unpaired UTF-16 surrogates");
    }
  });

  it("keeps surrogate pairs (emoji) and other characters as they are", async () => {
    const answer = await send(JSON.stringify({ name: "ok 😀", config: { reply: "olá 😀" } }));
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ name: "ok 😀", config: { reply: "olá 😀" } });
  });

  it("refuses NUL in a query string too", async () => {
    const answer = await app.request(`/test/agents/${crypto.randomUUID()}?tag=a%00b`);
    expect(answer.status).toBe(422);
    expect(await paths(answer)).toEqual(["tag"]);
  });
});
