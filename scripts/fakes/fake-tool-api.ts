// A company's own HTTP API as a tool would call it: every request is recorded and answered with
// JSON that echoes what arrived (method, path, query, body), so a test sees the model's arguments
// reach the tool and the tool's answer reach the model. `script(...)` takes the usual behaviours
// (`slow` never answers; `{ status, body, headers }` answers that, e.g. a redirect).
import { type Behaviour, type FakeServer, isStatusBehaviour, startFakeServer } from "./fake-http.ts";

/** What the fake answers to a request: the `order` it looked up from the arguments. */
export function fakeToolAnswer(method: string, path: string, query: URLSearchParams, body: unknown): Record<string, unknown> {
  return { ok: true, method, path, query: Object.fromEntries(query), body: body ?? null, order: "shipped" };
}

export async function startFakeToolApi(): Promise<FakeServer> {
  return await startFakeServer<Behaviour>(async (exchange, next) => {
    const behaviour = next();
    if (behaviour === "slow") return await exchange.hold();
    if (isStatusBehaviour(behaviour)) return exchange.json(behaviour.status, behaviour.body ?? { error: "fake failure" }, behaviour.headers);
    const { record } = exchange;
    return exchange.json(200, fakeToolAnswer(record.method, record.path, record.query, record.body));
  });
}
