import { describe, expect, it } from "vitest";
import { docTsBlocks, loadWithBinary } from "../../../test/support/doc-examples.js";

// The complete DAGs of docs/messaging.md must load as written with the real binary (needs `npm run build`).
describe("docs/messaging.md examples", () => {
  it("load as DAGs without errors", async () => {
    const dagBlocks = docTsBlocks("messaging.md").filter((b) => b.includes("export default dag("));
    expect(dagBlocks.length).toBe(4);
    const { errors, dagIds } = await loadWithBinary(dagBlocks);
    expect(errors).toEqual([]);
    expect(dagIds.sort()).toEqual(["events_to_table", "orders_relay", "sales_mail", "stream_roundtrip"]);
  });
});
