import { describe, expect, it } from "vitest";
import { globIsRecursive, globMatcher } from "./glob.js";

describe("globMatcher", () => {
  it("matches * and ? within one name, ** across folders, {a,b} alternatives", () => {
    const csv = globMatcher("*.csv");
    expect(csv("sales.csv")).toBe(true);
    expect(csv("2026/sales.csv")).toBe(false);
    expect(csv("sales.csv.part")).toBe(false);
    expect(globMatcher("day-??.txt")("day-01.txt")).toBe(true);
    const deep = globMatcher("**/*.{csv,tsv}");
    expect(deep("a.tsv")).toBe(true);
    expect(deep("2026/01/a.csv")).toBe(true);
    expect(deep("2026/01/a.json")).toBe(false);
    expect(globMatcher("in/*.json")("in/x.json")).toBe(true);
    expect(globMatcher("a+b(1).csv")("a+b(1).csv")).toBe(true);
  });

  it("leaves out hidden and temporary names unless the pattern names them", () => {
    expect(globMatcher("*")(".sales.csv.tmp")).toBe(false);
    expect(globMatcher("**/*")("x/.hidden/a.csv")).toBe(false);
    expect(globMatcher(".*")(".env")).toBe(true);
  });

  it("says whether sub-folders are needed, and refuses an unclosed brace", () => {
    expect(globIsRecursive("*.csv")).toBe(false);
    expect(globIsRecursive("**/*.csv")).toBe(true);
    expect(() => globMatcher("*.{csv")).toThrow(/unclosed "\{"/);
  });
});
