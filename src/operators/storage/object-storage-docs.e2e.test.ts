import { describe, expect, it } from "vitest";
import { asDagFile, docTsBlocks, loadWithBinary } from "../../../test/support/doc-examples.js";

// The examples of docs/object-storage.md must load as written with the real binary (needs
// `npm run build`); fragments using `d` are wrapped in a dag() callback.
describe("docs/object-storage.md examples", () => {
  it("load as DAGs without errors, connecting to nothing", async () => {
    const blocks = docTsBlocks("object-storage.md");
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const imports = `import { copyObjects, deleteObjects, listObjects, moveObjects, objectSensor } from "baton/operators";`;
    const { errors, dagIds } = await loadWithBinary(blocks.map((code, i) => asDagFile(code, `doc_${i}`, imports)));
    expect(errors).toEqual([]);
    expect(dagIds).toHaveLength(blocks.length);
  });
});
