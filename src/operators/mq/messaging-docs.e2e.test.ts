import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson } from "../../../test/e2e/baton-cli.js";

// The complete DAGs of docs/messaging.md must load as written with the real binary (needs `npm run build`).
const DOC = readFileSync(new URL("../../../docs/messaging.md", import.meta.url), "utf8");
const dagBlocks = [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes("export default dag("));

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-messaging-docs-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("docs/messaging.md examples", () => {
  it("load as DAGs without errors", async () => {
    expect(dagBlocks.length).toBe(3);
    const dags = join(root, "dags");
    mkdirSync(dags);
    dagBlocks.forEach((code, i) => writeFileSync(join(dags, `doc_${i}.ts`), code));
    const env = { BATON_HOME: join(root, "home") };
    const errors = batonJson<{ file: string; message: string }[]>(await baton(["dags", "errors", "--dags", dags, "--json"], env));
    expect(errors).toEqual([]);
    const list = batonJson<{ dagId: string }[]>(await baton(["dags", "list", "--dags", dags, "--json"], env));
    expect(list.map((d) => d.dagId).sort()).toEqual(["orders_relay", "sales_mail", "stream_roundtrip"]);
  });
});
