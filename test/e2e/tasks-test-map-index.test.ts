import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, stopProcess } from "./baton-cli.js";

// Issue 13: `baton tasks test --from-run` could not give a mapped task's copy its element;
// `--map-index N` takes copy N's elements from the lists stored for the run.

const DAG = `import { dag } from "baton";
export default dag({ id: "fan" }, (d) => {
  const files = d.task("list_files", () => ["a.csv", "bb.csv", "ccc.csv"]);
  const base = d.task("base", () => 100);
  d.task("measure", { map: { file: files, factor: [1, 10] }, partial: { unit: "kB" }, inputs: { base } }, async (ctx, { file, factor, unit, base }) => ({ file, size: base + file.length * factor, unit, copy: ctx.mapIndex }));
  d.task("plain", { inputs: { base } }, (_ctx, { base }) => base);
});
`;

let root: string;
let env: Record<string, string>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-map-index-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "fan.ts"), DAG);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_API_PORT: "0", BATON_POLL_MS: "100", BATON_WORKERS: "1" };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("baton tasks test --map-index", () => {
  it("without a run: the element is named as missing, with --from-run as the way to take it", async () => {
    const r = await baton(["tasks", "test", "fan", "measure", "--map-index", "1", "--inputs", '{"base": 1}'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  file: one element of the list task "list_files" returns');
    expect(r.stderr).toContain("add --from-run latest");
    // Given by hand, index 1 numbers the copies over the other list (factor: [1, 10]).
    const byHand = await baton(["tasks", "test", "fan", "measure", "--map-index", "1", "--inputs", '{"base": 1, "file": "zz"}', "--json"], env);
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(batonJson(byHand)).toMatchObject({ mapIndex: 1, state: "success", returnValue: { file: "zz", size: 21, unit: "kB", copy: 1 } });

    const bad = await baton(["tasks", "test", "fan", "measure", "--map-index", "x"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--map-index: expected a whole number ≥ 0 (a copy of a mapped task), got "x"');
    const notMapped = await baton(["tasks", "test", "fan", "plain", "--map-index", "0", "--inputs", '{"base": 1}'], env);
    expect(notMapped.code).toBe(2);
    expect(notMapped.stderr).toContain('--map-index: task "plain" is not mapped');
  });

  it("--from-run latest --map-index N: copy N's elements from the stored lists (cross product, partial, plain inputs), as the scheduler gave them", async () => {
    const s = await startStandalone(env);
    let runId: string;
    try {
      runId = batonJson<{ runId: string }>(await baton(["dags", "trigger", "fan", "--json"], env)).runId;
      await poll(async () => {
        const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "fan", "--json"], env));
        return runs.find((x) => x.runId === runId && ["success", "failed"].includes(x.state));
      }, 60_000);
    } finally {
      await stopProcess(s.proc);
    }
    // Copies: (a.csv,1) (a.csv,10) (bb.csv,1) (bb.csv,10) (ccc.csv,1) (ccc.csv,10): the last list varies fastest.
    const copy3 = await baton(["tasks", "test", "fan", "measure", "--from-run", "latest", "--map-index", "3", "--json"], env);
    expect(copy3.code, copy3.stderr).toBe(0);
    expect(batonJson(copy3)).toMatchObject({ mapIndex: 3, state: "success", returnValue: { file: "bb.csv", size: 160, unit: "kB", copy: 3 } });

    const text = await baton(["tasks", "test", "fan", "measure", "--from-run", runId, "--map-index", "4"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`from run ${runId} (copy 4)`);
    expect(text.stdout).toContain('Return value: {"file":"ccc.csv","size":107,"unit":"kB","copy":4}');

    // --inputs still overrides what the run gives.
    const overridden = await baton(["tasks", "test", "fan", "measure", "--from-run", "latest", "--map-index", "0", "--inputs", '{"base": 0}', "--json"], env);
    expect(batonJson(overridden)).toMatchObject({ returnValue: { file: "a.csv", size: 5 } });

    const tooFar = await baton(["tasks", "test", "fan", "measure", "--from-run", "latest", "--map-index", "6"], env);
    expect(tooFar.code).toBe(2);
    expect(tooFar.stderr).toContain(`--map-index 6: task "measure" has 6 copies in run ${runId} (map indexes 0…5)`);
  }, 120_000);
});
