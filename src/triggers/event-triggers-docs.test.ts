import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadDagFiles } from "../dag-processor/load-dag-files.js";
import { tempProject } from "../dag-processor/temp-project.js";

// The DAG examples of docs/event-triggers.md load as written, and their triggers are in the spec.
const DOC = readFileSync(new URL("../../docs/event-triggers.md", import.meta.url), "utf8");
const EXAMPLES = [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes("export default dag("));

describe("docs/event-triggers.md examples", () => {
  it("load without errors", async () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(1);
    const p = tempProject();
    const files = EXAMPLES.map((code, i) => p.write(`example-${i}.ts`, code));
    const results = await loadDagFiles(files, { bundleDir: p.bundleDir });
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    const specs = results.flatMap((r) => r.dags.map((d) => d.spec));
    expect(specs.map((s) => [s.dagId, s.triggers?.map((t) => t.id)])).toEqual([["ingest_orders", ["files", "nats"]]]);
  });
});
