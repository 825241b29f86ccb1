import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { globFiles, matchSegments, parseGlob } from "./glob.js";

const m = (pattern: string, path: string) => matchSegments(pattern.split("/"), path.split("/"));

describe("matchSegments", () => {
  it("matches * and ? within one segment", () => {
    expect(m("*.csv", "a.csv")).toBe(true);
    expect(m("*.csv", ".csv")).toBe(false);
    expect(m("*.csv", "a.csv.tmp")).toBe(false);
    expect(m("*.csv", "x/a.csv")).toBe(false);
    expect(m("part-?.csv", "part-1.csv")).toBe(true);
    expect(m("part-?.csv", "part-10.csv")).toBe(false);
    expect(m("a+b(1).csv", "a+b(1).csv")).toBe(true);
    expect(m("a.csv", "abcsv")).toBe(false);
  });

  it("matches ** across any number of segments, including none", () => {
    expect(m("**/*.csv", "a.csv")).toBe(true);
    expect(m("**/*.csv", "x/y/a.csv")).toBe(true);
    expect(m("x/**/a.csv", "x/a.csv")).toBe(true);
    expect(m("x/**/a.csv", "x/1/2/a.csv")).toBe(true);
    expect(m("x/**/a.csv", "y/1/a.csv")).toBe(false);
    expect(m("x/**", "x/1/2")).toBe(true);
  });

  it("keeps wildcards away from hidden names", () => {
    expect(m("**/*.csv", ".git/a.csv")).toBe(false);
    expect(m(".*", ".env")).toBe(true);
    expect(m("?env", ".env")).toBe(false);
  });

  it("tells whether a folder may hold matches", () => {
    expect(matchSegments(["2026-*", "*.csv"], ["2026-01"], true)).toBe(true);
    expect(matchSegments(["2026-*", "*.csv"], ["2025-01"], true)).toBe(false);
    expect(matchSegments(["*.csv"], ["sub"], true)).toBe(false);
    expect(matchSegments(["**", "*.csv"], ["a", "b"], true)).toBe(true);
  });
});

describe("parseGlob", () => {
  it("walks from the folder before the first wildcard", () => {
    expect(parseGlob("/data/landing/*.csv")).toEqual({ base: "/data/landing", segments: ["*.csv"] });
    expect(parseGlob("/data/**/x/*.csv")).toEqual({ base: "/data", segments: ["**", "x", "*.csv"] });
    expect(parseGlob("/*.csv")).toEqual({ base: "/", segments: ["*.csv"] });
    expect(parseGlob("/data/done.flag")).toEqual({ base: "/data", segments: ["done.flag"] });
    expect(parseGlob("in/*.csv", "/work")).toEqual({ base: "/work/in", segments: ["*.csv"] });
  });
});

describe("globFiles", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "baton-glob-"));
    for (const f of ["a.csv", "b.txt", "sub/c.csv", "sub/deep/d.csv", ".hidden/e.csv", "sub/.f.csv"]) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), "x");
    }
    mkdirSync(join(dir, "dir.csv"));
    symlinkSync(dir, join(dir, "sub", "loop"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists matching regular files, sorted, without following links or entering hidden folders", async () => {
    expect(await globFiles(join(dir, "*.csv"))).toEqual([join(dir, "a.csv")]);
    expect(await globFiles(join(dir, "**/*.csv"))).toEqual(["a.csv", "sub/c.csv", "sub/deep/d.csv"].map((f) => join(dir, f)));
    expect(await globFiles(join(dir, "sub/*/?.csv"))).toEqual([join(dir, "sub/deep/d.csv")]);
    expect(await globFiles(join(dir, "b.txt"))).toEqual([join(dir, "b.txt")]);
    expect(await globFiles("*.csv", dir)).toEqual([join(dir, "a.csv")]);
  });

  it("finds nothing under a missing folder", async () => {
    expect(await globFiles(join(dir, "missing/**/*.csv"))).toEqual([]);
    expect(await globFiles(join(dir, "a.csv/*"))).toEqual([]);
  });
});
