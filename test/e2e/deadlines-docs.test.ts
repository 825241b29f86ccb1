import { describe, expect, it } from "vitest";
import { docTsBlocks, loadWithBinary } from "../support/doc-examples.js";

// docs/deadlines.md: its examples load as written with the real binary (needs `npm run build`),
// and an invalid deadline is a load error with the file and the line of the dag() call.
describe("docs/deadlines.md", () => {
  it("examples load as DAGs without errors", async () => {
    const blocks = docTsBlocks("deadlines.md");
    expect(blocks.length).toBe(3);
    const { errors, dagIds } = await loadWithBinary(blocks);
    expect(errors).toEqual([]);
    expect(dagIds.sort()).toEqual(["daily_sales", "ml", "year_end"]);
  });

  it("a bad reference is reported with file and line, naming the valid ones", async () => {
    const source = `import { dag } from "baton";\n\nexport default dag({ id: "bad", deadline: { reference: "startDate", interval: "1h" } }, (d) => {\n  d.task("t", async () => 1);\n});\n`;
    const { errors, dagIds } = await loadWithBinary([source]);
    expect(dagIds).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: expect.stringMatching(/doc_0\.ts$/), line: 3 });
    expect(errors[0]!.message).toContain(
      'deadline.reference must be one of "logicalDate", "dataIntervalEnd", "queuedAt" or { fixed: "<ISO 8601 date-time>" }; got "startDate"',
    );
  });
});
