import { describe, expect, it } from "vitest";
import { findDagFiles } from "./find-dag-files.js";
import { tempProject } from "./temp-project.js";

describe("findDagFiles", () => {
  it("finds DAG modules recursively and skips helpers, tests, declarations and node_modules", () => {
    const p = tempProject();
    for (const name of [
      "a.ts",
      "b.mts",
      "c.js",
      "d.mjs",
      "sub/e.ts",
      "_helper.ts",
      ".hidden.ts",
      "x.test.ts",
      "types.d.ts",
      "notes.md",
      "node_modules/pkg/index.js",
      ".git/f.ts",
      "_lib/g.ts",
    ]) {
      p.write(name, "");
    }
    expect(findDagFiles(p.dagsDir).map((f) => f.slice(p.dagsDir.length + 1))).toEqual(["a.ts", "b.mts", "c.js", "d.mjs", "sub/e.ts"]);
  });

  it("returns nothing for a missing folder", () => {
    expect(findDagFiles("/nonexistent/baton/dags")).toEqual([]);
  });
});
