// Tool-calling overhead per round, in process: the executor's tool loop (executor/tool-loop.ts)
// against a zero-latency fake OpenAI server that asks for `current_time` for --rounds rounds, then
// answers. What a round costs beyond its provider call is the loop's own work: building the next
// request with every earlier round, checking the arguments against the schema, running the tool,
// recording the call (here a no-op, as the database write is the engine's and measured by
// engine-overhead.ts). Baseline in the same process: the same number of bare provider calls with the
// same growing conversation, without the loop.
// Target: overhead per round p95 < 10 ms.
//   npx tsx scripts/bench/tool-loop-overhead.ts [--loops 100] [--rounds 5]
import { startFakeOpenAi } from "../fakes/fake-openai.ts";
import { callAgent, type ToolRound } from "../../supabase/functions/_shared/providers/index.ts";
import { agentCall } from "../../supabase/functions/_shared/providers/test-helpers.ts";
import { runToolLoop } from "../../supabase/functions/executor/tool-loop.ts";
import type { ToolDefinition } from "../../supabase/functions/_shared/tools/registry.ts";
import { line, machineLoad, option, say, summarize } from "./engine-bench-support.ts";

const loops = Number(option("--loops", "100"));
const rounds = Number(option("--rounds", "5"));
const warmUp = 10;
const targetP95Ms = 10;

const currentTime: ToolDefinition = {
  kind: "builtin",
  name: "current_time",
  description: "The current date and time",
  parameters: { type: "object", properties: { timezone: { type: "string", maxLength: 64 } }, additionalProperties: false },
};

say(machineLoad());
const fake = await startFakeOpenAi({ apiKey: "sk-bench" });
const script = Array.from({ length: rounds }, () => '@tool current_time {"timezone":"America/Sao_Paulo"}').join("\n");
const call = () => agentCall("openai-compatible", { model: "gpt-4o-mini", apiKey: "sk-bench", baseUrl: fake.url, input: `Bench\n${script}` });

async function withLoop(): Promise<number> {
  const started = performance.now();
  const reply = await runToolLoop(call(), { tools: [currentTime], deadline: Date.now() + 60_000, record: () => Promise.resolve(true) });
  if (!reply.text.includes("tool result:")) throw new Error("the loop did not reach the model's answer");
  return performance.now() - started;
}

/** The same provider calls, the conversation growing the same way, with canned tool results. */
async function bareCalls(): Promise<number> {
  const started = performance.now();
  const toolRounds: ToolRound[] = [];
  for (let round = 0; round <= rounds; round++) {
    const reply = await callAgent({ ...call(), tools: [currentTime], toolRounds });
    const asked = reply.toolCalls ?? [];
    if (asked.length === 0) break;
    toolRounds.push({ text: reply.text, calls: asked, results: asked.map((toolCall) => ({ callId: toolCall.id, content: "{}", isError: false })) });
  }
  return performance.now() - started;
}

try {
  for (let i = 0; i < warmUp; i++) await Promise.all([withLoop(), bareCalls()]);
  const loop: number[] = [];
  const bare: number[] = [];
  const perRound: number[] = [];
  for (let i = 0; i < loops; i++) {
    const loopMs = await withLoop();
    const bareMs = await bareCalls();
    loop.push(loopMs);
    bare.push(bareMs);
    perRound.push(Math.max(0, loopMs - bareMs) / rounds);
  }
  say(line(`tool loop, ${rounds} rounds + answer`, summarize(loop)));
  say(line(`baseline: ${rounds + 1} bare provider calls`, summarize(bare)));
  const overhead = summarize(perRound);
  say(line("overhead per round (loop − bare) / rounds", overhead));
  say(`target: overhead per round p95 < ${targetP95Ms} ms — ${overhead.p95 < targetP95Ms ? "met" : "NOT met"}`);
} finally {
  await fake.close();
  say(machineLoad());
}
