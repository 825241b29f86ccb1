import { describe, expect, it } from "vitest";
import { asDagFile, docTsBlocks, loadWithBinary } from "../../test/support/doc-examples.js";

// The examples of docs/operators.md must load as written with the real binary (needs `npm run build`);
// fragments using `d` are wrapped in a dag() callback. Signature blocks are not code.
describe("docs/operators.md examples", () => {
  it("load as DAGs without errors", async () => {
    const blocks = docTsBlocks("operators.md").filter((b) => !b.includes("): TaskRef<"));
    expect(blocks.length).toBeGreaterThan(5);
    const imports = `import { httpRequest, sqlCheck, sqlQuery } from "baton/operators";`;
    const sources = blocks.map((code, i) => asDagFile(code, `doc_${i}`, imports, /\(d, "extract"/.test(code) ? "" : 'd.task("extract", () => 1);\n'));
    const { errors, dagIds } = await loadWithBinary(sources);
    expect(errors).toEqual([]);
    expect(dagIds).toHaveLength(blocks.length);
  });
});
