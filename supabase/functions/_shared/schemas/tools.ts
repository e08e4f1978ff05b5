// The platform's tools registry: /tools.
import { z } from "zod";
import { list, timestamp } from "./common.ts";

export const tool = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** The JSON schema of the tool's parameters. */
  parameters: z.record(z.string(), z.unknown()),
  created_at: timestamp(),
});
export type Tool = z.infer<typeof tool>;

export const toolList = list(tool);
export type ToolList = z.infer<typeof toolList>;
