// `baton explain` through the real binary, with no scheduler running: a paused DAG, its queued
// run and a task of it, in plain words and as JSON; unknown names exit 2.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson } from "./baton-cli.js";

const HELLO = `import { dag } from "baton";
export default dag({ id: "hello", schedule: "@daily", startDate: "2026-01-01" }, (d) => {
  const greet = d.task("greet", { pool: "default_pool" }, () => "hi");
  d.task("shout", { inputs: { greet } }, (_ctx, { greet }) => greet.toUpperCase());
});
`;

let root: string;
let env: Record<string, string>;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-explain-"));
  const dags = join(root, "dags");
  mkdirSync(dags);
  writeFileSync(join(dags, "hello.ts"), HELLO);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

type Explanation = { state: string; running: boolean; reasons: { code: string; message: string; facts: Record<string, unknown> }[] };

describe("baton explain", () => {
  it("explains a paused DAG, its queued run and a task of it; exits 2 for unknown names", async () => {
    const trigger = await baton(["dags", "trigger", "hello", "--run-id", "manual_1", "--json"], env);
    expect(trigger.code, trigger.stderr).toBe(0);
    expect((await baton(["dags", "pause", "hello"], env)).code).toBe(0);

    const dag = await baton(["explain", "hello"], env);
    expect(dag.code, dag.stderr).toBe(0);
    expect(dag.stdout).toMatch(/^DAG hello: paused \(not running\)\n/);
    expect(dag.stdout).toContain('DAG "hello" is paused');
    expect(dag.stdout).toContain("[no_scheduler]");

    const run = batonJson<Explanation>(await baton(["explain", "hello", "manual_1", "--json"], env));
    expect(run.state).toBe("queued");
    expect(run.running).toBe(false);
    expect(run.reasons.map((r) => r.code)).toEqual(["dag_paused", "no_scheduler"]);
    expect(run.reasons[1]!.message).toContain("no scheduler has ever beaten on this database");

    const task = await baton(["explain", "hello", "manual_1", "shout"], env);
    expect(task.code).toBe(0);
    expect(task.stdout).toContain("Task hello/manual_1/shout: none (not running)");
    expect(task.stdout).toContain('Task "shout" waits for its run "manual_1", which is queued and has not started. [run_not_started]');

    const unknown = await baton(["explain", "nope"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown DAG "nope"');
    expect((await baton(["explain", "hello", "manual_1", "nope"], env)).code).toBe(2);
    expect((await baton(["explain", "hello", "manual_1", "greet", "--map-index", "x"], env)).code).toBe(2);
  });
});
