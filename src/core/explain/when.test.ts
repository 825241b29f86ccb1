import { describe, expect, it } from "vitest";
import { humanSpan, listOf, when } from "./when.js";

describe("when", () => {
  it("words spans and lists", () => {
    expect(humanSpan(400)).toBe("now");
    expect(humanSpan(40_000)).toBe("40 s");
    expect(humanSpan(12_000_000)).toBe("3 h 20 min");
    expect(humanSpan(2 * 86_400_000 + 4 * 3_600_000)).toBe("2 d 4 h");
    expect(when(0, 300_000)).toBe("1970-01-01T00:00:00.000Z (5 min ago)");
    expect(listOf(["a"])).toBe("a");
    expect(listOf(["a", "b", "c"])).toBe("a, b and c");
    expect(listOf(["1", "2", "3", "4"], 2)).toBe("1, 2 and 2 more");
  });
});
