import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { DagDefinition } from "../sdk/definition.js";
import { loadDagFiles, type LoadResult } from "./load-dag-files.js";
import { tempProject } from "./temp-project.js";

const TYPED = `import { dag, chain, z } from "baton";

interface Row {
  id: number;
}
type Rows = Row[];

export default dag(
  { id: "sales_etl", schedule: "@daily", startDate: "2026-01-01", params: z.object({ region: z.enum(["eu", "us"]).default("eu") }) },
  (d) => {
    const extract = d.task("extract", async (ctx) => ({ rows: [{ id: 1 }, { id: 2 }] as Rows, ds: ctx.ds }));
    const double = d.task("double", { inputs: { e: extract }, retries: 3 }, async (_ctx, { e }) => e.rows.length * 2);
    const archive = d.shell("archive", { command: "echo archiving {{ ds }} for {{ params.region }}" });
    const gate = d.shortCircuit("gate", (ctx) => ctx.params.region === "eu");
    chain(extract, [double, gate], archive);
  },
);

export const second = dag({ id: "second" }, (d) => {
  d.task("only", () => "x");
});
`;

function one(results: LoadResult[], suffix: string): LoadResult {
  const r = results.find((x) => x.file.endsWith(suffix));
  if (!r) throw new Error(`no result for ${suffix}`);
  return r;
}

describe("loadDagFiles (real child process and esbuild)", () => {
  const p = tempProject();
  let results: LoadResult[];
  const files = {
    typed: p.write("typed.ts", TYPED),
    syntax: p.write("syntax.ts", `import { dag } from "baton";\n\nconst broken = {;\n`),
    throws: p.write(
      "throws.ts",
      `import { dag } from "baton";\ninterface A { a: number }\n\nfunction load(): A {\n  throw new Error("cannot reach the warehouse");\n}\nload();\n`,
    ),
    cycle: p.write(
      "cycle.ts",
      `import { dag } from "baton";\nexport default dag({ id: "cyclic" }, (d) => {\n  const a = d.task("a", () => 1);\n  const b = d.task("b", () => 2);\n  a.then(b).then(a);\n});\n`,
    ),
    dupTask: p.write(
      "dup-task.ts",
      `import { dag } from "baton";\nexport default dag({ id: "dup_task" }, (d) => {\n  d.task("a", () => 1);\n  d.task("a", () => 2);\n});\n`,
    ),
    unknownRef: p.write(
      "unknown-ref.ts",
      `import { dag, task } from "baton";\nexport default dag({ id: "unknown_ref" }, () => {\n  task("a", () => 1);\n  task("b", { after: ["a", "nope"] }, () => 2);\n});\n`,
    ),
    badOption: p.write(
      "bad-option.ts",
      `import { dag } from "baton";\nexport const good = dag({ id: "good" }, (d) => void d.task("a", () => 1));\nexport const bad = dag({ id: "bad_option" }, (d) => {\n  d.task("a", { retries: -1 }, () => 1);\n});\n`,
    ),
    hangs: p.write("hangs.ts", `import { dag } from "baton";\nwhile (true) {}\n`),
    exits: p.write("exits.ts", `process.exit(3);\n`),
    npm: p.write(
      "uses-npm.ts",
      `import { dag } from "baton";\nimport { Cron } from "croner";\nimport cjs from "cjs-pkg";\nconst required = require("cjs-pkg");\nconst next = new Cron("0 0 * * *", { paused: true }).nextRun();\nexport default dag({ id: "uses_npm", description: String(next !== null) + cjs.greet() + required.greet() }, (d) => void d.task("a", () => 1));\n`,
    ),
    empty: p.write("no-dags.ts", `export const answer = 42;\n`),
    dupDag1: p.write("dup-a.ts", `import { dag } from "baton";\nexport default dag({ id: "twice" }, (d) => void d.task("a", () => 1));\n`),
    dupDag2: p.write("dup-b.ts", `import { dag } from "baton";\nexport default dag({ id: "twice" }, (d) => void d.task("b", () => 1));\n`),
    outside: p.write("outside.ts", `import { task } from "baton";\n\ntask("loose", () => 1);\n`),
  };
  p.write("../node_modules/cjs-pkg/package.json", JSON.stringify({ name: "cjs-pkg", main: "index.js" }));
  p.write("../node_modules/cjs-pkg/index.js", `exports.greet = () => " from cjs";\n`);

  beforeAll(async () => {
    results = await loadDagFiles(Object.values(files), { bundleDir: p.bundleDir, timeoutMs: 8_000 });
  }, 120_000);

  it("returns one result per file, in order", () => {
    expect(results.map((r) => r.file)).toEqual(Object.values(files));
  });

  it("loads every DAG a file exports, with specs, content hashes, bundle and source", () => {
    const r = one(results, "typed.ts");
    expect(r.errors).toEqual([]);
    expect(r.dags.map((d) => d.dagId)).toEqual(["sales_etl", "second"]);
    const [sales, second] = r.dags;
    expect(sales!.spec.fileloc).toBe(files.typed);
    expect(sales!.source).toBe(TYPED);
    expect(sales!.versionHash).toMatch(/^[0-9a-f]{64}$/);
    expect(sales!.versionHash).not.toBe(second!.versionHash);
    expect(sales!.bundlePath).toBe(second!.bundlePath);
    expect(sales!.bundlePath).toMatch(/bundles\/[0-9a-f]{64}\.mjs$/);
    expect(existsSync(sales!.bundlePath)).toBe(true);
    // Lines are those of the .ts file (type declarations above shift nothing): source maps work.
    const lines = TYPED.split("\n");
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    expect(sales!.spec.tasks.map((t) => [t.taskId, t.line])).toEqual([
      ["extract", lineOf('d.task("extract"')],
      ["double", lineOf('d.task("double"')],
      ["archive", lineOf('d.shell("archive"')],
      ["gate", lineOf('d.shortCircuit("gate"')],
    ]);
    expect(sales!.spec.tasks.find((t) => t.taskId === "archive")!.upstream).toEqual(["double", "gate"]);
    expect(sales!.spec.tasks.find((t) => t.taskId === "double")).toMatchObject({ inputs: { e: "extract" }, retries: 3 });
    expect(sales!.spec.paramsDefaults).toEqual({ region: "eu" });
  });

  it("writes a bundle the task runner can import and run with the same SDK", async () => {
    const bundle = one(results, "typed.ts").dags[0]!.bundlePath;
    expect(readFileSync(bundle, "utf8")).toContain("dist/src/sdk/index.js");
    const mod = (await import(pathToFileURL(bundle).href)) as { default: DagDefinition };
    const double = mod.default.getTask("double")!;
    const ctx = { params: {}, ds: "2026-01-02" } as never;
    expect(await double.run(ctx, { e: { rows: [1, 2, 3], ds: null } })).toBe(6);
  });

  it("reports a syntax error with file, line and column", () => {
    const r = one(results, "syntax.ts");
    expect(r.dags).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ file: files.syntax, line: 3, column: 17, message: expect.stringContaining("Expected") })]);
  });

  it("reports an exception thrown at import at its line in the .ts file", () => {
    const [err] = one(results, "throws.ts").errors;
    expect(err).toMatchObject({ file: files.throws, line: 5, column: 9 });
    expect(err!.message).toMatch(/^Error: cannot reach the warehouse\n/);
    expect(err!.message).toContain(`${files.throws}:7:`);
  });

  it("reports a cycle", () => {
    const r = one(results, "cycle.ts");
    expect(r.dags).toEqual([]);
    expect(r.errors.map((e) => e.message).join("\n")).toMatch(/cycle: a → b → a|cycle: b → a → b/);
  });

  it("reports a duplicate task id at its line", () => {
    const r = one(results, "dup-task.ts");
    expect(r.dags).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('duplicate task id "a"') })]);
  });

  it("reports an unknown reference in after", () => {
    const r = one(results, "unknown-ref.ts");
    expect(r.dags).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('upstream "nope" is not a task of this DAG') })]);
  });

  it("reports an invalid option at the task's line and still loads the file's other DAGs", () => {
    const r = one(results, "bad-option.ts");
    expect(r.dags.map((d) => d.dagId)).toEqual(["good"]);
    expect(r.errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining("retries must be an integer >= 0, got -1") })]);
  });

  it("regression issue-8-11: a definition error's message does not repeat the file:line the record carries", () => {
    for (const name of ["dup-task.ts", "unknown-ref.ts", "bad-option.ts"]) {
      const [err] = one(results, name).errors;
      expect(err!.line).toBe(4);
      expect(err!.message).not.toContain(err!.file);
      expect(err!.message).toMatch(/^DAG "/);
    }
  });

  it("kills a file that never finishes importing and loads the files after it", () => {
    expect(one(results, "hangs.ts").errors).toEqual([expect.objectContaining({ message: expect.stringContaining("timed out after 8 s") })]);
    expect(one(results, "uses-npm.ts").dags).toHaveLength(1);
  });

  it("reports a file that exits the process and loads the files after it", () => {
    expect(one(results, "exits.ts").errors).toEqual([expect.objectContaining({ message: expect.stringContaining("called process.exit(3)") })]);
    expect(one(results, "no-dags.ts").errors).toEqual([]);
  });

  it("loads npm packages (ESM and CommonJS) from the DAG file's own node_modules", () => {
    const r = one(results, "uses-npm.ts");
    expect(r.errors).toEqual([]);
    expect(r.dags[0]!.spec.description).toBe("true from cjs from cjs");
  });

  it("treats a file without DAGs as no DAGs, not an error", () => {
    expect(one(results, "no-dags.ts")).toMatchObject({ dags: [], errors: [] });
  });

  it("keeps a DAG id defined by two files in the first and reports both files", () => {
    const a = one(results, "dup-a.ts");
    const b = one(results, "dup-b.ts");
    expect(a.dags.map((d) => d.dagId)).toEqual(["twice"]);
    expect(b.dags).toEqual([]);
    expect(a.errors[0]!.message).toContain(`also defined in ${files.dupDag2}`);
    expect(b.errors[0]!.message).toContain(`already defined in ${files.dupDag1}`);
  });

  it("reports task() called outside dag() at its line", () => {
    expect(one(results, "outside.ts").errors).toEqual([
      expect.objectContaining({ line: 3, message: expect.stringContaining("task() was called outside a dag() callback") }),
    ]);
  });
});
