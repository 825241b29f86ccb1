import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadDagFiles } from "./load-dag-files.js";
import { tempProject } from "./temp-project.js";

// The DAG examples of docs/authoring.md must load as written. (This loads them; it does not
// type-check them.)
const DOC = readFileSync(new URL("../../docs/authoring.md", import.meta.url), "utf8");
const EXAMPLES = [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes("export default dag("));

describe("docs/authoring.md examples", () => {
  it("load without errors", async () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(3);
    const p = tempProject();
    const files = EXAMPLES.map((code, i) => p.write(`example-${i}.ts`, code));
    const results = await loadDagFiles(files, { bundleDir: p.bundleDir });
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.flatMap((r) => r.dags.map((d) => d.dagId))).toEqual(["sales_etl", "branching", "fan_out_files", "early_exit"]);
  });
});
