import { describe, expect, it } from "vitest";
import { initials } from "./account";

describe("the initials of an avatar without a photo", () => {
  it("takes the first and last names' first letters", () => {
    expect(initials("Ana Maria de Souza", "ana@example.test")).toBe("AS");
    expect(initials("  élida   ramos ", "e@example.test")).toBe("ÉR");
  });

  it("takes one letter of a single name, else of the email", () => {
    expect(initials("Carla", "c@example.test")).toBe("C");
    expect(initials(null, "bruno@example.test")).toBe("B");
    expect(initials("   ", "zeca@example.test")).toBe("Z");
  });

  it("never answers an empty avatar", () => {
    expect(initials(null, "")).toBe("?");
    expect(initials("— ·", "")).toBe("?");
  });
});
