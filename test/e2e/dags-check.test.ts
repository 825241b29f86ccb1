import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, ROOT, type CliResult } from "./baton-cli.js";

/** The built `baton` run in `cwd` (diagnostics name files relative to it). */
function batonIn(cwd: string, args: string[], nodeArgs: string[] = []): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, BIN, ...args],
      { cwd, env: { ...process.env, BATON_HOME: join(cwd, "home") }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const GOOD = `import { dag } from "baton";

export default dag({ id: "good", schedule: null, startDate: "2026-01-01" }, (d) => {
  const a = d.task("a", async () => 42);
  d.task("b", { inputs: { a } }, async (_ctx, { a }) => a + 1);
});
`;

// "a" returns a string where "b" wants a number; "c" has retries as a string.
const BAD = `import { dag } from "baton";

export default dag({ id: "bad", schedule: null, startDate: "2026-01-01" }, (d) => {
  const a = d.task("a", async () => "forty-two");
  d.task("b", { inputs: { a } }, async (_ctx, { a }) => {
    const n: number = a;
    return n + 1;
  });
  d.task("c", { retries: "3" }, async () => 1);
});
`;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-check-"));
  mkdirSync(join(root, "dags"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("baton dags check (the built CLI)", () => {
  it("reports each type error as file:line:col: message, relative to the current folder, and exits 1", async () => {
    writeFileSync(join(root, "dags", "good.ts"), GOOD);
    writeFileSync(join(root, "dags", "bad.ts"), BAD);
    const r = await batonIn(root, ["dags", "check"]);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("dags/bad.ts:6:11: Type 'string' is not assignable to type 'number'.");
    expect(lines[1]).toMatch(/^dags\/bad\.ts:9:17: No overload matches this call\..*Type 'string' is not assignable to type 'number'\.$/);
    expect(r.stderr).toContain("2 error(s), 0 warning(s) in 2 DAG file(s)");
  });

  it("--json gives the list, with paths relative to the current folder and the compiler's codes", async () => {
    writeFileSync(join(root, "dags", "bad.ts"), BAD);
    const r = await batonIn(root, ["dags", "check", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const list = JSON.parse(r.stdout) as { file: string; line: number; column: number; category: string; code: number; message: string }[];
    expect(list.map((d) => [d.file, d.line, d.column, d.category, d.code])).toEqual([
      ["dags/bad.ts", 6, 11, "error", 2322],
      ["dags/bad.ts", 9, 17, "error", 2769],
    ]);
  });

  it("exits 0 on clean DAGs, with `baton` resolved to this package's types without any tsconfig or node_modules", async () => {
    writeFileSync(join(root, "dags", "good.ts"), GOOD);
    const r = await batonIn(root, ["dags", "check", "--dags", "dags"]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("No type errors in 1 DAG file(s)");
    expect(r.stderr).toContain("Baton's default compiler options");
    expect(r.code).toBe(0);
  });

  it("uses the compiler options of the tsconfig.json found above the DAGs folder", async () => {
    // Clean under the defaults; noUnusedLocals (from the user's tsconfig) makes the unused constant an error.
    writeFileSync(join(root, "dags", "good.ts"), `${GOOD}const unused = 1;\n`);
    expect((await batonIn(root, ["dags", "check"])).code).toBe(0);
    // Its include, rootDir and outDir are about its own build: the DAGs folder is outside them and still checked.
    const compilerOptions = { strict: true, module: "ESNext", moduleResolution: "Bundler", noUnusedLocals: true, rootDir: "src", outDir: "out" };
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["src"] }));
    const r = await batonIn(root, ["dags", "check"]);
    expect(r.stdout.trim()).toBe("dags/good.ts:7:7: 'unused' is declared but its value is never read.");
    expect(r.stderr).toContain("compiler options of tsconfig.json");
    expect(r.code).toBe(1);
  });

  it("the examples check clean", async () => {
    const r = await batonIn(ROOT, ["dags", "check", "--dags", "examples/dags"]);
    expect(r.stdout).toBe("");
    expect(r.code, r.stderr).toBe(0);
  });

  it("without the typescript package: exit 2 and how to install it", async () => {
    writeFileSync(join(root, "dags", "good.ts"), GOOD);
    // Resolving "typescript" fails here: a resolve hook, and a DAGs folder outside any project that has it.
    const hooks = `export async function resolve(s, c, next) { if (s === "typescript") throw new Error("not installed"); return next(s, c); }`;
    const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const r = await batonIn(root, ["dags", "check"], ["--import", `data:text/javascript,${encodeURIComponent(register)}`]);
    expect(r.stderr).toContain("baton dags check needs the typescript package: npm install --save-dev typescript");
    expect(r.code).toBe(2);
  });
});
