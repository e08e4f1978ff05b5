// Following a run as the monitor does, against the running stack: real runs of demo agents, the
// run's private Realtime channel joined with the person's token (realtime-js over `ws`, as Node 20
// has no WebSocket), and the log read from the API. The log reads that fail stand for a lost
// network: the monitor must try again and still end with every event once, in order.
import { createClient, type SupabaseClient, type SupabaseClientOptions } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { executionLogPage, executionStarted, executionStatusResponse } from "$schemas/executions.ts";
import { agent as agentSchema } from "$schemas/agents.ts";
import { team as teamSchema } from "$schemas/teams.ts";
import { createApi } from "$lib/server/api";
import { expectRedirect, requestEvent, signUp, type Person } from "../../tests/stack";
import { actions as newTenant } from "../../routes/(app)/tenants/new/+page.server";
import { listenToExecution, type ChannelStatus } from "./execution-channel";
import { followExecution, type Connection } from "./follow";
import { applyEvents, fromBroadcast, hasGap, initialState, isFinished, type MonitorEvent, type MonitorState } from "./monitor-state";

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

let person: Person;
let supabase: SupabaseClient;
/** The monitor's Realtime client, as the browser's loader hands it (one loader, so its channels are shared). */
const realtime = async () => supabase.realtime;

async function api() {
  return createApi(await requestEvent(person.jar, { path: "/" }));
}

async function startRun(name: string, latencies: number[]): Promise<string> {
  const client = await api();
  const agents = [];
  for (const [index, latency] of latencies.entries()) {
    const created = await client.post("/agents", agentSchema, { name: `${name} ${index + 1}`, provider: "demo", model: "demo-small", status: "active", config: { latency_ms: latency } });
    agents.push({ agent_id: created.id, role: "member", execution_order: index + 1 });
  }
  const team = await client.post("/teams", teamSchema, { name, workflow_type: "sequential", config: { timeout_seconds: 120, max_parallel_agents: 5, continue_on_error: false }, agents });
  return (await client.post(`/teams/${team.id}/execute`, executionStarted, { initial_prompt: "Organize o estoque" })).execution_id;
}

async function statusOf(id: string) {
  return (await api()).get(`/executions/${id}/status`, executionStatusResponse);
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  person = await signUp("follow");
  const event = await requestEvent(person.jar, { path: "/tenants/new", method: "POST", form: { name: "Seguir", slug: `seguir-${Date.now()}` } });
  await expectRedirect(() => newTenant.default(event as never));
  supabase = createClient(process.env.API_URL!, process.env.PUBLISHABLE_KEY || process.env.ANON_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as unknown as RealtimeTransport },
  });
  const { data, error } = await supabase.auth.signInWithPassword({ email: person.email, password: person.password });
  if (error) throw error;

});

afterAll(async () => {
  await supabase?.removeAllChannels();
});

describe("following a run", () => {
  it("fills what passed before it joined from the log, retries reads that fail, and ends with every event once, in order", async () => {
    const id = await startRun("Equipe Seguida", [300, 300, 300]);
    // The page's snapshot from the start of the run; by the time the channel is joined, much has passed.
    const snapshot = await statusOf(id);
    const snapshotLog = await (await api()).get(`/executions/${id}/logs`, executionLogPage, { after_seq: 0, limit: 1000 });
    let state: MonitorState = initialState(snapshot, null, snapshotLog.items);
    await waitUntil("the first agent to finish", async () => (await statusOf(id)).agents[0].status === "succeeded");

    let failuresLeft = 2;
    const connections: Connection[] = [];
    const stop = followExecution({
      realtime,
      executionId: id,
      lastSeq: () => state.lastSeq,
      hasGap: () => hasGap(state),
      finished: () => isFinished(state),
      apply: (events) => (state = applyEvents(state, events)),
      onConnection: (connection) => connections.push(connection),
      readLog: async (afterSeq) => {
        if (failuresLeft-- > 0) throw new TypeError("Failed to fetch");
        return (await api()).get(`/executions/${id}/logs`, executionLogPage, { after_seq: afterSeq, limit: 1000 });
      },
      retryMs: 50,
    });
    try {
      await waitUntil("the run to finish in the monitor's state", () => isFinished(state));
    } finally {
      stop();
    }
    const final = await statusOf(id);
    expect(final.status).toBe("completed");
    expect(state.timeline.map((event) => event.seq)).toEqual(Array.from({ length: final.last_event_seq }, (_, index) => index + 1));
    expect(state.agents.map((agent) => agent.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(state.run.cost_usd).toBeCloseTo(final.cost_usd, 6);
    expect(state.run.input_tokens + state.run.output_tokens).toBe(final.input_tokens + final.output_tokens);
    expect(connections[0]).toBe("connecting");
    expect(connections).toContain("reconnecting");
    expect(connections.indexOf("live")).toBeLessThan(connections.indexOf("reconnecting"));
    expect(connections.at(-1)).toBe("live");
  });

  it("shares one channel of a run between two followers in the tab: each hears it, and one leaving does not deafen the other", async () => {
    const id = await startRun("Equipe Compartilhada", [400, 400, 400]);
    const heard: Record<"monitor" | "toast", MonitorEvent[]> = { monitor: [], toast: [] };
    const statuses: Record<"monitor" | "toast", ChannelStatus[]> = { monitor: [], toast: [] };
    const listener = (who: "monitor" | "toast") => ({
      onBroadcast(name: string, payload: Record<string, unknown>) {
        const event = fromBroadcast(name, payload);
        if (event) heard[who].push(event);
      },
      onStatus(status: ChannelStatus) {
        statuses[who].push(status);
      },
    });
    const stopToast = listenToExecution(realtime, id, listener("toast"));
    const stopMonitor = listenToExecution(realtime, id, listener("monitor"));
    await waitUntil("both to join", () => statuses.monitor.includes("SUBSCRIBED") && statuses.toast.includes("SUBSCRIBED"));
    await waitUntil("a broadcast for both", () => heard.monitor.length > 0 && heard.toast.length > 0);
    stopMonitor();
    // The monitor is opened again at once: it must join a live channel, not the one being left.
    const again: MonitorEvent[] = [];
    let rejoined = false;
    const stopAgain = listenToExecution(realtime, id, {
      onBroadcast: (name, payload) => void again.push(fromBroadcast(name, payload)!),
      onStatus: (status) => (rejoined ||= status === "SUBSCRIBED"),
    });
    await waitUntil("the run to finish for the one still listening", () => heard.toast.some((event) => event.event === "status_update" && event.payload.status === "completed"));
    await waitUntil("the reopened monitor to hear the finish", () => again.some((event) => event.event === "status_update" && event.payload.status === "completed"));
    stopToast();
    stopAgain();
    expect(rejoined).toBe(true);
    const seqs = heard.toast.map((event) => event.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
