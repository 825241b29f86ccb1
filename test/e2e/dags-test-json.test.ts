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

const DAG = `import { dag, SkipTask, FailTask } from "baton";
export default dag({ id: "mixed" }, (d) => {
  const ok = d.task("ok", async () => 1);
  const bad = d.task("bad", async () => { throw new FailTask("bad input"); });
  const quiet = d.task("quiet", async () => { throw new SkipTask("nothing new"); });
  d.task("after_bad", { after: [ok, bad] }, async () => 1);
  d.task("after_quiet", { after: [quiet] }, async () => 1);
});
`;

/** Regression issue-8-11: the README's `dags test --json` shape left out the `error` key. */
describe("baton dags test --json: the documented shape, error key included", () => {
  it("gives error for a failed task and a task skipped with a reason, and durationMs null for tasks that never ran", async () => {
    writeFileSync(join(root, "dags", "mixed.ts"), DAG);
    const r = await baton(["dags", "test", "mixed", "--json"], env);
    expect(r.code).toBe(1);
    const out = batonJson<{ dagId: string; runId: string; state: string; tasks: Record<string, unknown>[] }>(r);
    expect(Object.keys(out)).toEqual(["dagId", "runId", "state", "tasks"]);
    expect(out.state).toBe("failed");
    const byId = Object.fromEntries(out.tasks.map((t) => [t.taskId, t]));
    expect(Object.keys(byId.ok!)).toEqual(["taskId", "state", "attempts", "durationMs"]);
    expect(byId.bad).toMatchObject({ state: "failed", attempts: 1, error: expect.stringContaining("bad input") });
    expect(byId.quiet).toMatchObject({ state: "skipped", error: "nothing new" });
    expect(byId.after_bad).toEqual({ taskId: "after_bad", state: "upstream_failed", attempts: 0, durationMs: null });
    expect(byId.after_quiet).toEqual({ taskId: "after_quiet", state: "skipped", attempts: 0, durationMs: null });
  });
});
