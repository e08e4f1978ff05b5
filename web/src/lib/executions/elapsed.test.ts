import { describe, expect, it } from "vitest";
import { formatElapsed, formatStepTime } from "./elapsed";

describe("how long a step took", () => {
  it("says < 1 s for a finished step under a second, not a stopwatch's 0:00", () => {
    expect(formatStepTime(0, true)).toBe("< 1 s");
    expect(formatStepTime(999, true)).toBe("< 1 s");
    expect(formatStepTime(1000, true)).toBe("0:01");
    expect(formatStepTime(125_000, true)).toBe("2:05");
  });

  it("ticks from 0:00 while the step runs", () => {
    expect(formatStepTime(300, false)).toBe("0:00");
    expect(formatElapsed(3_725_000)).toBe("1:02:05");
  });
});
