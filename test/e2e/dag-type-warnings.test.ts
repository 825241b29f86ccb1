// Issue 13: the standalone type-checks the DAG folder in the background and shows type errors as
// import WARNINGS: the DAG still loads and runs; the warning is in GET /api/v1/import-errors
// (severity "warning") and `baton dags errors` (exit 0); fixing the file clears it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, stopProcess } from "./baton-cli.js";

// Line 4, column 9: `total` is declared a number but given a string.
const TYPE_ERROR = `import { dag } from "baton";
export default dag({ id: "typed" }, (d) => {
  d.task("add", () => {
    const total: number = "forty-two";
    return total;
  });
});
`;
const FIXED = TYPE_ERROR.replace(`const total: number = "forty-two";`, `const total: number = 42;`);
const BROKEN = `import { dag } from "baton";\nexport default dag({ id: "broken" }, (d) => { throw new Error("no load"); });\n`;

interface Problem {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
  severity: "error" | "warning";
  code: number | null;
}

let root: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-typewarn-"));
  mkdirSync(join(root, "dags"));
  env = {
    BATON_HOME: join(root, "home"),
    BATON_DAGS: join(root, "dags"),
    BATON_API_PORT: "0",
    BATON_POLL_MS: "100",
    BATON_LOG_LEVEL: "info",
    BATON_AUTH: "local",
    BATON_DAG_TYPECHECK: "on",
  };
});
afterEach(async () => {
  await stopProcess(proc);
  proc = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function problems(api: string, query = ""): Promise<Problem[]> {
  const res = await fetch(`${api}/api/v1/import-errors${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { errors: Problem[] }).errors;
}

describe("type errors as import warnings (the real standalone)", () => {
  it("a DAG with a type error loads, runs and shows a warning; fixing the file clears it", { timeout: 180_000 }, async () => {
    const file = join(root, "dags", "typed.ts");
    writeFileSync(file, TYPE_ERROR);
    writeFileSync(join(root, "dags", "broken.ts"), BROKEN);
    const s = await startStandalone(env);
    proc = s.proc;
    const api = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())![1]!;

    // It runs: the warning refuses nothing.
    const runId = batonJson<{ runId: string }>(await baton(["dags", "trigger", "typed", "--json"], env)).runId;
    const run = await poll(async () => {
      const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "typed", "--json"], env));
      return runs.find((r) => r.runId === runId && ["success", "failed"].includes(r.state));
    }, 60_000);
    expect(run.state).toBe("success");

    const warning = await poll(async () => (await problems(api)).find((p) => p.severity === "warning"), 90_000);
    expect(warning).toMatchObject({ file, line: 4, column: 11, severity: "warning", code: 2322 });
    expect(warning.message).toContain("Type 'string' is not assignable to type 'number'");
    const all = await problems(api);
    expect(all.filter((p) => p.severity === "error").map((p) => p.file)).toEqual([join(root, "dags", "broken.ts")]);
    expect(all[0]!.severity).toBe("error"); // load errors first
    expect((await problems(api, "?severity=warning")).map((p) => p.severity)).toEqual(["warning"]);
    expect((await problems(api, "?severity=error")).map((p) => p.severity)).toEqual(["error"]);
    expect((await fetch(`${api}/api/v1/import-errors?severity=fatal`)).status).toBe(400);
    // The DAG itself carries no import error.
    const dag = (await (await fetch(`${api}/api/v1/dags/typed`)).json()) as { importError: unknown };
    expect(dag.importError).toBeNull();

    // baton dags errors: the warning as `warning:`; exit 1 for the load error only.
    const listed = await baton(["dags", "errors"], env);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain(`${file}:4:11: warning: Type 'string' is not assignable to type 'number'.`);
    rmSync(join(root, "dags", "broken.ts"));
    const onlyWarnings = await poll(async () => {
      const r = await baton(["dags", "errors", "--json"], env);
      return r.code === 0 ? r : undefined;
    }, 30_000);
    expect(batonJson<Problem[]>(onlyWarnings)).toEqual([expect.objectContaining({ file, line: 4, column: 11, severity: "warning", code: 2322 })]);

    // Fixed: the next check clears it.
    writeFileSync(file, FIXED);
    await poll(async () => ((await problems(api)).length === 0 ? true : undefined), 90_000);
    const clean = await baton(["dags", "errors"], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe("No DAG import errors.\n");
    expect(s.output()).toMatch(/DAG type check done/);
  });

  it("BATON_DAG_TYPECHECK=off: no check, no warnings", { timeout: 120_000 }, async () => {
    writeFileSync(join(root, "dags", "typed.ts"), TYPE_ERROR);
    const s = await startStandalone({ ...env, BATON_DAG_TYPECHECK: "off" });
    proc = s.proc;
    const api = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())![1]!;
    await new Promise((r) => setTimeout(r, 8_000)); // longer than a check takes here (logged as "DAG type check done" when on)
    expect(await problems(api)).toEqual([]);
    expect(s.output()).not.toMatch(/DAG type check/);
    const bad = await baton(["dags", "errors"], { ...env, BATON_DAG_TYPECHECK: "maybe" });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('BATON_DAG_TYPECHECK must be "on" or "off", got "maybe"');
  });
});
