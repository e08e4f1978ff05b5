// The tools a step may call, as private.step_tools hands them to the executor (the mcp function
// calls company tools the same way), and what running one answers. Built-ins are implemented here
// by name; a company's HTTP tool is an address to call.
import type { ToolSpec } from "../providers/index.ts";

export interface BuiltinToolDefinition extends ToolSpec {
  kind: "builtin";
}

export interface HttpToolDefinition extends ToolSpec {
  kind: "http";
  url: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Plain and secret headers together; never logged, never in an event. */
  headers: Record<string, string>;
  timeout_ms: number;
}

export type ToolDefinition = BuiltinToolDefinition | HttpToolDefinition;

/** What a tool answered: text for the model, or an error it can read and act on. */
export type ToolOutcome = { ok: true; content: string } | { ok: false; error: string };

/** A failure the model should see as the tool's answer (bad arguments, a refused address, a 500). */
export class ToolFailure extends Error {
  override readonly name = "ToolFailure";
}
