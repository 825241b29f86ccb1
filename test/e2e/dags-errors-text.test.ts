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
    expect(text.code).toBe(1);
    expect(text.stdout.trim()).toBe(`${file}:3: DAG "bad_option", task "a": retries must be an integer >= 0, got -1`);
    const [err] = batonJson<{ file: string; line: number; message: string }[]>(await baton(["dags", "errors", "--json"], env));
    expect(err).toMatchObject({ file, line: 3, message: 'DAG "bad_option", task "a": retries must be an integer >= 0, got -1' });
  });
});

describe("baton dags errors: the exit code says whether there are errors", () => {
  it("exits 1 with errors (text and --json), each error once; exits 0 with a clear line when there are none", async () => {
    const bad = join(root, "dags", "bad-option.ts");
    const broken = join(root, "dags", "broken.ts");
    writeFileSync(bad, BAD_OPTION);
    writeFileSync(broken, `import { dag } from "baton";\nexport default dag({ id: "broken" }, () => {\n  const x = ;\n});\n`);
    const text = await baton(["dags", "errors"], env);
    expect(text.code).toBe(1);
    const headers = text.stdout.split("\n").filter((l) => l.startsWith(root));
    expect(headers).toEqual([`${bad}:3: DAG "bad_option", task "a": retries must be an integer >= 0, got -1`, `${broken}:3:13: Unexpected ";"`]);
    const json = await baton(["dags", "errors", "--json"], env);
    expect(json.code).toBe(1);
    expect(batonJson<unknown[]>(json)).toHaveLength(2);

    rmSync(bad);
    writeFileSync(broken, `import { dag } from "baton";\nexport default dag({ id: "fixed" }, (d) => { d.task("a", () => 1); });\n`);
    const none = await baton(["dags", "errors"], env);
    expect(none.stdout).toBe("No DAG import errors.\n");
    expect(none.code).toBe(0);
    const noneJson = await baton(["dags", "errors", "--json"], env);
    expect(batonJson<unknown[]>(noneJson)).toEqual([]);
    expect(noneJson.code).toBe(0);
  });
});
