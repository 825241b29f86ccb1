import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, stopProcess } from "./baton-cli.js";

// Issue 13, "Large return values", through the real binary: a standalone with
// BATON_VALUE_STORE_THRESHOLD offloads a large value to $BATON_HOME/values, the API returns it
// transparently, `tasks test --from-run` reads it, and `db clean` deletes the objects with the run.
const DAG = `import { dag } from "baton";
export default dag({ id: "big_values" }, (d) => {
  const extract = d.task("extract", () => ({ rows: Array.from({ length: 3000 }, (_, i) => ({ id: i, name: "row-" + i })) }));
  d.task("count", { inputs: { e: extract } }, (_ctx, { e }) => ({ rows: e.rows.length, last: e.rows[e.rows.length - 1].name }));
});
`;

let root: string;
let env: Record<string, string>;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-values-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "big_values.ts"), DAG);
  env = {
    BATON_HOME: join(root, "home"),
    BATON_DAGS: join(root, "dags"),
    BATON_API_PORT: "0",
    BATON_POLL_MS: "100",
    BATON_WORKERS: "1",
    BATON_VALUE_STORE_THRESHOLD: "4KiB",
  };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("large return values (the real binary)", () => {
  it("standalone offloads a value over BATON_VALUE_STORE_THRESHOLD; the API, tasks test --from-run and db clean follow the reference", async () => {
    const s = await startStandalone(env);
    let runId: string;
    let extract: { returnValue: { rows: unknown[] }; offloaded: { url: string; bytes: number; sha256: string; error: string | null } | null };
    let count: { returnValue: unknown; offloaded: unknown };
    try {
      const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())?.[1];
      expect(base, s.output()).toBeDefined();
      runId = batonJson<{ runId: string }>(await baton(["dags", "trigger", "big_values", "--json"], env)).runId;
      const state = await poll(async () => {
        const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "big_values", "--json"], env));
        const run = runs.find((r) => r.runId === runId);
        return run && ["success", "failed"].includes(run.state) ? run.state : undefined;
      }, 60_000);
      expect(state).toBe("success");
      extract = (await (await fetch(`${base}/api/v1/dags/big_values/runs/${runId}/tasks/extract`)).json()) as typeof extract;
      count = (await (await fetch(`${base}/api/v1/dags/big_values/runs/${runId}/tasks/count`)).json()) as typeof count;
    } finally {
      await stopProcess(s.proc);
    }
    expect(extract.returnValue.rows).toHaveLength(3000);
    const valuesDir = join(root, "home", "values");
    expect(extract.offloaded).toMatchObject({
      url: `file://${valuesDir}/dag_id=big_values/run_id=${encodeURIComponent(runId!)}/task_id=extract/value.json`,
      error: null,
    });
    expect(extract.offloaded!.bytes).toBeGreaterThan(4096);
    expect(count).toMatchObject({ returnValue: { rows: 3000, last: "row-2999" }, offloaded: null });

    const test = await baton(["tasks", "test", "big_values", "count", "--from-run", runId!, "--json"], env);
    expect(test.code, test.stderr).toBe(0);
    expect(batonJson(test)).toMatchObject({ state: "success", returnValue: { rows: 3000, last: "row-2999" } });

    await new Promise((r) => setTimeout(r, 1_100));
    const clean = await baton(["db", "clean", "--older-than", "1s", "--json"], env);
    expect(clean.code, clean.stderr).toBe(0);
    expect(batonJson(clean)).toMatchObject({ runs: 1, valueObjects: 1 });
    expect(readdirSync(join(valuesDir, "dag_id=big_values"))).toEqual([]);
    expect(existsSync(join(valuesDir, "dag_id=big_values", `run_id=${encodeURIComponent(runId!)}`))).toBe(false);
  }, 120_000);
});
