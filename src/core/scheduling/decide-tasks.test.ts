import { describe, expect, it } from "vitest";
import { buildGraph } from "../graph/dag-graph.js";
import type { TaskSpec } from "../model/dag-spec.js";
import type { TaskState } from "../model/states.js";
import { makeDag, makeTask, tasksFromEdges } from "../testing/spec-builders.js";
import { decideTasks, type TaskView } from "./decide-tasks.js";

type ViewSpec = TaskState | [TaskState, string[] | null];
const views = (spec: Record<string, ViewSpec>) =>
  new Map<string, TaskView>(Object.entries(spec).map(([id, v]) => [id, Array.isArray(v) ? { state: v[0], followed: v[1] } : { state: v, followed: null }]));
/** Replaces tasks of an edge list with customised ones. */
const withTasks = (base: TaskSpec[], ...custom: TaskSpec[]) => base.map((t) => custom.find((c) => c.taskId === t.taskId) ?? t);
const decisions = (m: Map<string, string>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

describe("decideTasks: trigger rules and propagation", () => {
  it("with no candidates given, a fresh run schedules only its roots", () => {
    const g = buildGraph(makeDag(tasksFromEdges("a>b", "b>c", "x")));
    expect(decisions(decideTasks(g, new Map()))).toEqual({ a: "scheduled", x: "scheduled" });
  });

  it("returns only changes: already scheduled or finished tasks are left out, undecided ones omitted", () => {
    const g = buildGraph(makeDag(tasksFromEdges("a>c", "b>c", "c>d")));
    expect(decisions(decideTasks(g, views({ a: "success", b: "running" })))).toEqual({});
    expect(decisions(decideTasks(g, views({ a: "success", b: "success", c: "queued" })))).toEqual({});
  });

  it("a skip cascades through a chain of all_success tasks in one call", () => {
    const g = buildGraph(makeDag(tasksFromEdges("a>b", "b>c", "c>d", "a>e")));
    expect(decisions(decideTasks(g, views({ a: "skipped" }), g.downstream.get("a")))).toEqual({ b: "skipped", c: "skipped", d: "skipped", e: "skipped" });
  });

  it("a failure cascades upstream_failed; cleanup (all_done) and alert (one_failed) run", () => {
    const tasks = withTasks(
      tasksFromEdges("extract>transform", "transform>load", "load>cleanup", "extract>alert"),
      makeTask("cleanup", { upstream: ["load"], triggerRule: "all_done" }),
      makeTask("alert", { upstream: ["extract"], triggerRule: "one_failed" }),
    );
    const g = buildGraph(makeDag(tasks));
    expect(decisions(decideTasks(g, views({ extract: "failed" }), g.downstream.get("extract")))).toEqual({
      alert: "scheduled",
      transform: "upstream_failed",
      load: "upstream_failed",
      cleanup: "scheduled",
    });
  });

  it("eager: all_success fails at once when one upstream failed while another still runs", () => {
    const g = buildGraph(makeDag(tasksFromEdges("a>c", "b>c")));
    expect(decisions(decideTasks(g, views({ a: "failed", b: "running" }), ["c"]))).toEqual({ c: "upstream_failed" });
  });

  it("failure wins over skip for all_success when both are visible", () => {
    const g = buildGraph(makeDag(tasksFromEdges("a>c", "b>c")));
    expect(decisions(decideTasks(g, views({ a: "skipped", b: "failed" }), ["c"]))).toEqual({ c: "upstream_failed" });
  });

  it("ignores candidates that are not in state none", () => {
    const g = buildGraph(makeDag(tasksFromEdges("a>b")));
    expect(decisions(decideTasks(g, views({ a: "success", b: "failed" }), ["b"]))).toEqual({});
  });
});

describe("decideTasks: branching", () => {
  // start > pick (branch) > {a > a2, b} > join (none_failed_min_one_success)
  const tasks = withTasks(
    tasksFromEdges("start>pick", "pick>a", "pick>b", "a>a2", "a2>join", "b>join"),
    makeTask("pick", { kind: "branch", upstream: ["start"] }),
    makeTask("join", { upstream: ["a2", "b"], triggerRule: "none_failed_min_one_success" }),
  );
  const g = buildGraph(makeDag(tasks));

  it("the chosen branch is scheduled, the other skipped, and the join runs after the chosen path", () => {
    const afterBranch = views({ start: "success", pick: ["success", ["a"]] });
    expect(decisions(decideTasks(g, afterBranch, g.downstream.get("pick")))).toEqual({ a: "scheduled", b: "skipped" });
    const later = views({ start: "success", pick: ["success", ["a"]], a: "success", a2: "success", b: "skipped" });
    expect(decisions(decideTasks(g, later, g.downstream.get("a2")))).toEqual({ join: "scheduled" });
  });

  it("a branch choosing none skips every direct downstream whatever its rule, and the join", () => {
    const t = withTasks(tasks, makeTask("b", { upstream: ["pick"], triggerRule: "always" }));
    const gg = buildGraph(makeDag(t));
    expect(decisions(decideTasks(gg, views({ start: "success", pick: ["success", []] }), gg.downstream.get("pick")))).toEqual({
      a: "skipped",
      a2: "skipped",
      b: "skipped",
      join: "skipped",
    });
  });

  it("a join wired to both the branch and the chosen task is followed, not skipped (Airflow followed rule)", () => {
    const t = withTasks(
      tasksFromEdges("pick>a", "pick>b", "pick>join", "a>join"),
      makeTask("pick", { kind: "branch" }),
      makeTask("join", { upstream: ["pick", "a"], triggerRule: "none_failed_min_one_success" }),
    );
    const gg = buildGraph(makeDag(t));
    expect(decisions(decideTasks(gg, views({ pick: ["success", ["a"]] }), gg.downstream.get("pick")))).toEqual({ a: "scheduled", b: "skipped" });
    expect(decisions(decideTasks(gg, views({ pick: ["success", ["a"]], a: "success", b: "skipped" }), ["join"]))).toEqual({ join: "scheduled" });
  });

  it("a join reachable only through the skipped path is left to its trigger rule", () => {
    const t = withTasks(tasksFromEdges("pick>a", "pick>b", "pick>join", "b>join"), makeTask("pick", { kind: "branch" }));
    const gg = buildGraph(makeDag(t));
    expect(decisions(decideTasks(gg, views({ pick: ["success", ["a"]] }), gg.downstream.get("pick")))).toEqual({
      a: "scheduled",
      b: "skipped",
      join: "skipped",
    });
  });

  it("a failed branch task lets trigger rules decide (all_success → upstream_failed)", () => {
    expect(decisions(decideTasks(g, views({ start: "success", pick: "failed" }), g.downstream.get("pick")))).toEqual({
      a: "upstream_failed",
      b: "upstream_failed",
      a2: "upstream_failed",
      join: "upstream_failed",
    });
  });
});

describe("decideTasks: short circuit", () => {
  // check (short_circuit) > a > b > c(all_done); check > d; other > c
  const tasks = withTasks(
    tasksFromEdges("check>a", "a>b", "b>c", "check>d", "other>c"),
    makeTask("check", { kind: "short_circuit" }),
    makeTask("c", { upstream: ["b", "other"], triggerRule: "all_done" }),
  );
  const g = buildGraph(makeDag(tasks));

  it("falsy skips the whole subgraph, ignoring trigger rules (c is all_done and has a live upstream)", () => {
    expect(decisions(decideTasks(g, views({ check: ["success", []], other: "running" }), g.downstream.get("check")))).toEqual({
      a: "skipped",
      b: "skipped",
      c: "skipped",
      d: "skipped",
    });
  });

  it("continue (followed=null) schedules the direct downstreams", () => {
    expect(decisions(decideTasks(g, views({ check: ["success", null], other: "running" }), g.downstream.get("check")))).toEqual({
      a: "scheduled",
      d: "scheduled",
    });
  });
});

describe("decideTasks cost", () => {
  /** A Map that counts reads, to check the work stays local to the affected tasks. */
  class CountingMap<K, V> extends Map<K, V> {
    reads = 0;
    override get(key: K): V | undefined {
      this.reads++;
      return super.get(key);
    }
  }

  it("deciding the downstream of one finished task in a 10,000-task DAG reads only nearby states", () => {
    // 100 independent chains of 100 tasks.
    const tasks: TaskSpec[] = [];
    for (let c = 0; c < 100; c++) for (let i = 0; i < 100; i++) tasks.push(makeTask(`c${c}_${i}`, { upstream: i === 0 ? [] : [`c${c}_${i - 1}`] }));
    const g = buildGraph(makeDag(tasks));
    const states = new CountingMap<string, TaskView>();
    for (const t of tasks) states.set(t.taskId, { state: "success", followed: null });
    states.set("c7_50", { state: "success", followed: null });
    for (let i = 51; i < 100; i++) states.set(`c7_${i}`, { state: "none", followed: null });
    states.reads = 0;
    expect(decisions(decideTasks(g, states, g.downstream.get("c7_50")))).toEqual({ c7_51: "scheduled" });
    expect(states.reads).toBeLessThan(10);
  });
});
