import { describe, expect, it } from "vitest";
import { asDagFile, docTsBlocks, loadWithBinary } from "../../../test/support/doc-examples.js";

// The examples of docs/sensors.md must load as written with the real binary (needs `npm run build`);
// fragments using `d` are wrapped in a dag() callback.
describe("docs/sensors.md examples", () => {
  it("load as DAGs without errors", async () => {
    const blocks = docTsBlocks("sensors.md").filter((b) => !b.includes("): TaskRef<")); // signatures are not code
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const imports = `import { dateTimeSensor, declareSensor, fileSensor, httpSensor, sqlSensor } from "baton/operators";`;
    const { errors, dagIds } = await loadWithBinary(blocks.map((code, i) => asDagFile(code, `sensor_doc_${i}`, imports)));
    expect(errors).toEqual([]);
    expect(dagIds).toHaveLength(blocks.length);
  });
});
