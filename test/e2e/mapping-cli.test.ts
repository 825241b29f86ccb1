// Dynamic task mapping through the real `baton` binary: `dags test --json` lists a mapped task's
// copies; `tasks logs --map-index` prints one copy's log from a standalone run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, waitExit } from "./baton-cli.js";

const MAPPED = `import { dag } from "baton";
export default dag({ id: "mapped" }, (d) => {
  const regions = d.task("regions", () => ["eu", "us", "apac"]);
  const counts = d.task("count", { map: { region: regions }, partial: { base: 100 } }, (ctx, { region, base }) => {
    console.log("copy " + ctx.mapIndex + " counts " + region);
    return base + region.length;
  });
  d.task("total", { inputs: { counts } }, (ctx, { counts }) => counts.reduce((a, b) => a + b, 0));
});
`;

let root: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-map-"));
  const dags = join(root, "dags");
  mkdirSync(dags);
  writeFileSync(join(dags, "mapped.ts"), MAPPED);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_POLL_MS: "100", BATON_WORKERS: "2", BATON_API_PORT: "0" };
});
afterEach(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill("SIGKILL");
    await waitExit(proc).catch(() => {});
  }
  proc = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe("mapped tasks in the CLI", () => {
  it("dags test --json shows one entry per task, with a mapped task's copies under it (the pool it names is created)", async () => {
    writeFileSync(join(env.BATON_DAGS!, "mapped.ts"), MAPPED.replace("partial: { base: 100 }", 'partial: { base: 100 }, pool: "regional_api"'));
    const r = await baton(["dags", "test", "mapped", "--json"], env);
    expect(r.code).toBe(0);
    const out = batonJson<{ state: string; tasks: { taskId: string; state: string; copies?: { mapIndex: number; state: string; attempts: number }[] }[] }>(r);
    expect(out.state).toBe("success");
    expect(out.tasks.map((t) => t.taskId)).toEqual(["regions", "count", "total"]);
    expect(out.tasks[1]!.copies).toEqual([
      { mapIndex: 0, state: "success", attempts: 1 },
      { mapIndex: 1, state: "success", attempts: 1 },
      { mapIndex: 2, state: "success", attempts: 1 },
    ]);
    expect(out.tasks[2]!.copies).toBeUndefined();
  });

  it("tasks logs --map-index prints one copy's log; the mapped task itself points to its copies", async () => {
    const s = await startStandalone(env);
    proc = s.proc;
    const { runId } = batonJson<{ runId: string }>(await baton(["dags", "trigger", "mapped", "--json"], env));
    const done = await poll(async () => {
      const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "mapped", "--json"], env));
      const run = runs.find((x) => x.runId === runId);
      return run && (run.state === "success" || run.state === "failed") ? run : undefined;
    });
    expect(done.state).toBe("success");
    const one = await baton(["tasks", "logs", "mapped", runId, "count", "--map-index", "1"], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("copy 1 counts us");
    expect(one.stdout).not.toContain("counts eu");
    const whole = await baton(["tasks", "logs", "mapped", runId, "count"], env);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toContain("add --map-index 0…2");
    const missing = await baton(["tasks", "logs", "mapped", runId, "count", "--map-index", "9"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no copy 9");
    proc.kill("SIGTERM");
    expect(await waitExit(proc)).toBe(0);
  });
});
