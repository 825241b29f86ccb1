import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson } from "./baton-cli.js";

let root: string;
let env: Record<string, string>;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-"));
  mkdirSync(join(root, "dags"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags") };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const BAD_OPTION = `import { dag } from "baton";\nexport default dag({ id: "bad_option" }, (d) => {\n  d.task("a", { retries: -1 }, () => 1);\n});\n`;

/** Regression issue-8-11: `dags errors` printed "file:3: file:3: DAG ...", the location twice. */
describe("baton dags errors: each location once", () => {
  it("prints file:line once, and the stored message (--json) has no location prefix", async () => {
    const file = join(root, "dags", "bad-option.ts");
    writeFileSync(file, BAD_OPTION);
    const text = await baton(["dags", "errors"], env);
    expect(text.stdout.trim()).toBe(`${file}:3: DAG "bad_option", task "a": retries must be an integer >= 0, got -1`);
    const [err] = batonJson<{ file: string; line: number; message: string }[]>(await baton(["dags", "errors", "--json"], env));
    expect(err).toMatchObject({ file, line: 3, message: 'DAG "bad_option", task "a": retries must be an integer >= 0, got -1' });
  });
});
