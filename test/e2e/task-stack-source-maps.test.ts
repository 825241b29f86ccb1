import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, stopProcess } from "./baton-cli.js";

// Regression, issue 13 item A: a task's failure named the compiled bundle
// (`…/bundles/b269f8….mjs:44:103`), not the user's .ts file and line.

// Line numbers matter: "bad" throws on line 7 of stacky.ts, "deep" on line 3 of lib/explode.ts.
const DAG = `import { dag } from "baton";
import { explode } from "../lib/explode";

export default dag({ id: "stacky" }, (d) => {
  d.task("bad", async () => {
    const n: number = 2;
    throw new Error("thrown on line 7, n=" + n);
  });
  d.task("deep", async () => explode("deep"));
});
`;
const HELPER = `export function explode(what: string): never {
  const label: string = what.toUpperCase();
  throw new TypeError("exploded " + label);
}
`;

let root: string;
let dags: string;
let env: Record<string, string>;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-stacks-"));
  dags = join(root, "dags");
  mkdirSync(dags);
  mkdirSync(join(root, "lib"));
  writeFileSync(join(dags, "stacky.ts"), DAG);
  writeFileSync(join(root, "lib", "explode.ts"), HELPER);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_API_PORT: "0", BATON_POLL_MS: "100", BATON_WORKERS: "1" };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The frames name the original files and lines, never a bundle. */
function expectMapped(text: string, task: "bad" | "deep"): void {
  expect(text).not.toMatch(/\.mjs:\d+/);
  if (task === "bad") {
    expect(text).toContain("Error: thrown on line 7, n=2");
    expect(text).toContain(`${join(dags, "stacky.ts")}:7:`);
  } else {
    expect(text).toContain("TypeError: exploded DEEP");
    expect(text).toContain(`${join(root, "lib", "explode.ts")}:3:`);
    expect(text).toContain(`${join(dags, "stacky.ts")}:9:`);
  }
}

/** Every file under `dir`, read. */
function readAll(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

describe("stack traces of failed tasks name the DAG's .ts files and lines", () => {
  it("baton dags test: the stored error and the attempt logs", async () => {
    const r = await baton(["dags", "test", "stacky", "--json"], env);
    expect(r.code, r.stderr).toBe(1);
    const out = batonJson<{ tasks: { taskId: string; error?: string }[] }>(r);
    const byId = Object.fromEntries(out.tasks.map((t) => [t.taskId, t.error ?? ""]));
    expectMapped(byId.bad!, "bad");
    expectMapped(byId.deep!, "deep");
    const logs = readAll(join(root, "home", "test-logs"));
    expectMapped(logs, "bad");
    expectMapped(logs, "deep");
  });

  it("baton tasks test: the error and the log", async () => {
    for (const task of ["bad", "deep"] as const) {
      const r = await baton(["tasks", "test", "stacky", task, "--json"], env);
      expect(r.code, r.stderr).toBe(1);
      const out = batonJson<{ error: string; log: string }>(r);
      expectMapped(out.error, task);
      expectMapped(out.log, task);
    }
  });

  it("standalone (the local worker pool): the attempt's stored error, the API and the log", async () => {
    const s = await startStandalone(env);
    try {
      const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())?.[1];
      expect(base, s.output()).toBeDefined();
      const runId = batonJson<{ runId: string }>(await baton(["dags", "trigger", "stacky", "--json"], env)).runId;
      await poll(async () => {
        const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "stacky", "--json"], env));
        return runs.find((x) => x.runId === runId && x.state === "failed");
      }, 60_000);
      for (const task of ["bad", "deep"] as const) {
        const ti = (await (await fetch(`${base}/api/v1/dags/stacky/runs/${runId}/tasks/${task}`)).json()) as { error: string; attempts: { error: string }[] };
        expectMapped(ti.error, task);
        expectMapped(ti.attempts[0]!.error, task);
        const log = await baton(["tasks", "logs", "stacky", runId, task], env);
        expect(log.code, log.stderr).toBe(0);
        expectMapped(log.stdout, task);
      }
    } finally {
      await stopProcess(s.proc);
    }
  }, 90_000);
});
