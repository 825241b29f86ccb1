import { describe, expect, it } from "vitest";
import { dag } from "../sdk/index.js";
import { testDag } from "./index.js";

// Setup and teardown tasks (Airflow's as_setup()/as_teardown(); docs/trigger-rules.md, "Setup and
// teardown"), through the real scheduler, an in-memory SQLite store and the in-process executor.

const T0 = Date.parse("2026-03-01T08:00:00Z");

const cluster = (opts: { failRun?: boolean } = {}) =>
  dag({ id: "cluster", defaults: { triggerRule: "all_success" } }, (d) => {
    const create = d.task("create_cluster", { setup: true }, () => "cluster-1");
    const work = d.task("run_query", { inputs: { c: create } }, (_ctx, { c }) => `ran on ${c}`);
    const report = d.task("report", { after: work, triggerRule: "all_done" }, () => "report");
    d.task("delete_cluster", { teardown: { setups: create, ...opts }, after: report }, () => "deleted");
  });

describe("setup and teardown", () => {
  it("all succeed: the teardown runs last, the run succeeds", async () => {
    const run = await testDag(cluster(), { now: T0 });
    expect(run.states()).toEqual({ create_cluster: "success", run_query: "success", report: "success", delete_cluster: "success" });
    expect(run.state).toBe("success");
  });

  it("the work fails: the teardown still runs (one setup succeeded) and the run fails from the work, not the teardown", async () => {
    const run = await testDag(cluster(), { now: T0, tasks: { report: { fail: "bad report" } } });
    expect(run.task("delete_cluster").state).toBe("success");
    expect(run.state).toBe("failed");
  });

  it("a failed teardown does not fail the run by default", async () => {
    const run = await testDag(cluster(), { now: T0, tasks: { delete_cluster: { fail: "could not delete" } } });
    expect(run.states()).toMatchObject({ run_query: "success", report: "success", delete_cluster: "failed" });
    expect(run.state).toBe("success");
  });

  it("a failed teardown with failRun fails the run (Airflow's on_failure_fail_dagrun)", async () => {
    const run = await testDag(cluster({ failRun: true }), { now: T0, tasks: { delete_cluster: { fail: "could not delete" } } });
    expect(run.task("delete_cluster").state).toBe("failed");
    expect(run.state).toBe("failed");
  });

  it("the setup fails: every task in its scope is upstream_failed, whatever its trigger rule (report is all_done), and so is the teardown", async () => {
    const run = await testDag(cluster(), { now: T0, tasks: { create_cluster: { fail: "no capacity" } } });
    expect(run.states()).toEqual({ create_cluster: "failed", run_query: "upstream_failed", report: "upstream_failed", delete_cluster: "upstream_failed" });
    expect(run.state).toBe("failed");
  });

  it("the setup is skipped (a branch chose another path): its scope and its teardown are skipped", async () => {
    const branched = dag({ id: "branched" }, (d) => {
      const pick = d.branch("pick", () => "other");
      const create = d.task("create", { setup: true, after: pick }, () => 1);
      const work = d.task("work", { after: create }, () => 2);
      const after = d.task("after_work", { after: work, triggerRule: "all_done" }, () => 3);
      d.task("delete", { teardown: { setups: [create] }, after }, () => 4);
      d.task("other", { after: pick }, () => 5);
    });
    const run = await testDag(branched, { now: T0 });
    expect(run.states()).toEqual({ pick: "success", create: "skipped", work: "skipped", after_work: "skipped", delete: "skipped", other: "success" });
    expect(run.state).toBe("success");
  });

  it("rejects a trigger rule on a teardown, a task both setup and teardown, and a teardown's setup that is not a setup", () => {
    expect(() =>
      dag({ id: "bad1" }, (d) => {
        const s = d.task("s", { setup: true }, () => 1);
        d.task("t", { teardown: { setups: s }, triggerRule: "all_done" }, () => 2);
      }).toSpec(),
    ).toThrow(/teardown's trigger rule is fixed/);
    expect(() =>
      dag({ id: "bad2" }, (d) => {
        d.task("t", { setup: true, teardown: true }, () => 2);
      }).toSpec(),
    ).toThrow(/both a setup and a teardown/);
    expect(() =>
      dag({ id: "bad3" }, (d) => {
        const s = d.task("s", () => 1);
        d.task("t", { teardown: { setups: s } }, () => 2);
      }).toSpec(),
    ).toThrow(/"s" in its setups is not a setup task/);
  });
});
