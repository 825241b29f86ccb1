import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson } from "../../../test/e2e/baton-cli.js";

// The examples of docs/sensors.md must load as written with the real binary (needs `npm run build`);
// fragments using `d` are wrapped in a dag() callback. Signature blocks are not code.
const DOC = readFileSync(new URL("../../../docs/sensors.md", import.meta.url), "utf8");
const blocks = [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => !b.includes("): TaskRef<"));

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-sensor-docs-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("docs/sensors.md examples", () => {
  it("load as DAGs without errors", async () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const dags = join(root, "dags");
    mkdirSync(dags);
    blocks.forEach((code, i) => {
      const source = code.includes("export default dag(")
        ? code
        : `import { dag } from "baton";\nimport { dateTimeSensor, declareSensor, fileSensor, httpSensor, sqlSensor } from "baton/operators";\n` +
          `export default dag({ id: "sensor_doc_${i}" }, (d) => {\n${code}\n});\n`;
      writeFileSync(join(dags, `sensor_doc_${i}.ts`), source);
    });
    const env = { BATON_HOME: join(root, "home") };
    const errors = batonJson<{ file: string; message: string }[]>(await baton(["dags", "errors", "--dags", dags, "--json"], env));
    expect(errors).toEqual([]);
    const list = batonJson<{ dagId: string }[]>(await baton(["dags", "list", "--dags", dags, "--json"], env));
    expect(list).toHaveLength(blocks.length);
  });
});
