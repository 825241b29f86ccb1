import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors.js";
import { formatObjectUrl, parseObjectUrl } from "./object-url.js";
import { planSelection } from "./select-objects.js";

describe("parseObjectUrl", () => {
  it.each([
    ["s3://raw/incoming/a.csv", { scheme: "s3", container: "raw", key: "incoming/a.csv" }],
    ["az://backup/2026/", { scheme: "az", container: "backup", key: "2026/" }],
    ["gs://lake", { scheme: "gs", container: "lake", key: "" }],
    ["GS://lake/", { scheme: "gs", container: "lake", key: "" }],
    ["file:///data/in/a.csv", { scheme: "file", container: "", key: "data/in/a.csv" }],
    ["file://localhost/tmp/x/", { scheme: "file", container: "", key: "tmp/x/" }],
  ])("%s", (url, expected) => {
    expect(parseObjectUrl(url, "t")).toEqual(expected);
    if (!url.includes("localhost") && !url.startsWith("GS")) expect(formatObjectUrl(parseObjectUrl(url, "t"))).toBe(url.replace(/^gs:\/\/lake$/, "gs://lake/"));
  });

  it.each([
    ["http://x/y", /unknown scheme "http" \(valid: s3, az, gs, file\)/],
    ["s3:///key", /s3:\/\/ needs a bucket name/],
    ["az:///blob", /needs a container name/],
    ["file://host/tmp/a", /file URL has no host/],
    ["file:///", /needs a path/],
    ["file:///data/../etc/passwd", /may not contain/],
    ["raw/incoming", /not a URL/],
  ])("rejects %s naming the option and the valid forms", (url, message) => {
    const e = (() => {
      try {
        parseObjectUrl(url, 'copyObjects("x"): source');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(String(e)).toMatch(message);
    expect(String(e)).toContain('copyObjects("x"): source');
    expect(String(e)).toContain("expected s3://bucket/key, az://container/blob, gs://bucket/key or file:///absolute/path");
  });
});

describe("planSelection", () => {
  const u = (url: string) => parseObjectUrl(url, "t");
  it("a URL ending in / is a prefix, with glob or keys", () => {
    expect(planSelection(u("s3://b/in/"), {}, "t")).toEqual({ kind: "prefix", prefix: "in/", glob: null, keys: null });
    expect(planSelection(u("s3://b/in/"), { glob: "**/*.csv" }, "t")).toEqual({ kind: "prefix", prefix: "in/", glob: ["**", "*.csv"], keys: null });
    expect(planSelection(u("s3://b"), { keys: ["a.csv"] }, "t")).toEqual({ kind: "prefix", prefix: "", glob: null, keys: ["a.csv"] });
  });
  it("wildcards in the URL start the glob at the first wildcard segment", () => {
    expect(planSelection(u("gs://b/in/2026-*/part-?.csv"), {}, "t")).toEqual({ kind: "prefix", prefix: "in/", glob: ["2026-*", "part-?.csv"], keys: null });
  });
  it("anything else is one object", () => {
    expect(planSelection(u("az://c/in/a.csv"), {}, "t")).toEqual({ kind: "single", key: "in/a.csv" });
  });
  it.each([
    [{ glob: "*", keys: ["a"] }, "s3://b/in/", /glob or keys, not both/],
    [{ glob: "*.csv" }, "s3://b/in/a.csv", /need a prefix URL ending with "\/"/],
    [{ glob: "*.csv" }, "s3://b/in/*.csv", /already holds a glob/],
    [{ keys: ["/abs"] }, "s3://b/in/", /keys must be an array of non-empty keys relative/],
  ])("rejects %j with %s", (selection, url, message) => {
    expect(() => planSelection(u(url), selection, "t")).toThrow(message);
  });
});
