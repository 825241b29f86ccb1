import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson } from "../../test/e2e/baton-cli.js";

// The examples of docs/operators.md must load as written with the real binary (needs `npm run build`);
// fragments using `d` are wrapped in a dag() callback. Signature blocks are not code.
const DOC = readFileSync(new URL("../../docs/operators.md", import.meta.url), "utf8");
const blocks = [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => !b.includes("): TaskRef<"));

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-ops-docs-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("docs/operators.md examples", () => {
  it("load as DAGs without errors", async () => {
    expect(blocks.length).toBeGreaterThan(5);
    const dags = join(root, "dags");
    mkdirSync(dags);
    blocks.forEach((code, i) => {
      const source = code.includes("export default dag(")
        ? code
        : `import { dag } from "baton";\nimport { httpRequest, sqlCheck, sqlQuery } from "baton/operators";\n` +
          `export default dag({ id: "doc_${i}" }, (d) => {\n${/\(d, "extract"/.test(code) ? "" : 'd.task("extract", () => 1);\n'}${code}\n});\n`;
      writeFileSync(join(dags, `doc_${i}.ts`), source);
    });
    const env = { BATON_HOME: join(root, "home") };
    const errors = batonJson<{ file: string; message: string }[]>(await baton(["dags", "errors", "--dags", dags, "--json"], env));
    expect(errors).toEqual([]);
    const list = batonJson<{ dagId: string }[]>(await baton(["dags", "list", "--dags", dags, "--json"], env));
    expect(list).toHaveLength(blocks.length);
  });
});
