import { describe, expect, it } from "vitest";
import { buildGraph, type DagGraph } from "../graph/dag-graph.js";
import type { TaskSpec } from "../model/dag-spec.js";
import { TRIGGER_RULES, type TaskState } from "../model/states.js";
import { countUpstream } from "../rules/trigger-rules.js";
import { makeDag, makeTask, tasksFromEdges } from "../testing/spec-builders.js";
import { decideTasks, type TaskView } from "./decide-tasks.js";

/**
 * Issue 8, item 10: a run's final states must not depend on the order in which upstream tasks
 * finish. Each scenario feeds the same completions in every order, the way the scheduler does
 * (decide the direct downstreams of the task that just finished, with or without incremental
 * upstream counts), and asserts one final state per task.
 */
type Completion = [taskId: string, state: TaskState, followed?: string[] | null];

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

function replay(graph: DagGraph, completions: Completion[], withCounts: boolean): Record<string, TaskState> {
  const views = new Map<string, TaskView>();
  const countsOf = (id: string) => countUpstream((graph.upstream.get(id) ?? []).map((u) => views.get(u)?.state ?? "none"));
  for (const [taskId, state, followed] of completions) {
    views.set(taskId, { state, followed: followed ?? null });
    for (const [id, decision] of decideTasks(graph, views, graph.downstream.get(taskId), withCounts ? countsOf : undefined)) {
      views.set(id, { state: decision, followed: null });
    }
  }
  return Object.fromEntries([...views].map(([id, v]) => [id, v.state]).sort(([a], [b]) => a!.localeCompare(b!)));
}

/** The final states of every order of `completions`, deduplicated: one entry when order does not matter. */
function outcomes(graph: DagGraph, completions: Completion[]): Record<string, TaskState>[] {
  const seen = new Map<string, Record<string, TaskState>>();
  for (const order of permutations(completions)) {
    for (const withCounts of [false, true]) {
      const result = replay(graph, order, withCounts);
      seen.set(JSON.stringify(result), result);
    }
  }
  return [...seen.values()];
}

const withTasks = (base: TaskSpec[], ...custom: TaskSpec[]) => base.map((t) => custom.find((c) => c.taskId === t.taskId) ?? t);

describe("decideTasks: final states do not depend on the order upstreams finish in", () => {
  it("all_success after a skipped and a failed upstream ends upstream_failed in both orders, and so does its downstream", () => {
    const g = buildGraph(makeDag(tasksFromEdges("a>c", "b>c", "c>d")));
    expect(
      outcomes(g, [
        ["a", "skipped"],
        ["b", "failed"],
      ]),
    ).toEqual([{ a: "skipped", b: "failed", c: "upstream_failed", d: "upstream_failed" }]);
  });

  it("every rule, with upstreams finishing skipped, failed and success in every order, ends in one state", () => {
    for (const rule of TRIGGER_RULES) {
      const g = buildGraph(makeDag(withTasks(tasksFromEdges("a>j", "b>j", "c>j"), makeTask("j", { upstream: ["a", "b", "c"], triggerRule: rule }))));
      for (const finals of [
        ["skipped", "failed", "success"],
        ["skipped", "upstream_failed", "skipped"],
        ["skipped", "success", "success"],
      ] as TaskState[][]) {
        const completions: Completion[] = finals.map((s, i) => [["a", "b", "c"][i]!, s]);
        expect([rule, finals, outcomes(g, completions).length]).toEqual([rule, finals, 1]);
      }
    }
  });

  it("a branch's unchosen downstream is skipped whether another upstream of it failed before or after the branch chose", () => {
    const g = buildGraph(makeDag(withTasks(tasksFromEdges("pick>x", "pick>y", "t>x"), makeTask("pick", { kind: "branch" }))));
    expect(
      outcomes(g, [
        ["pick", "success", ["y"]],
        ["t", "failed"],
      ]),
    ).toEqual([{ pick: "success", t: "failed", x: "skipped", y: "scheduled" }]);
  });

  it("a branch's chosen downstream with a failed upstream ends upstream_failed in both orders", () => {
    const g = buildGraph(makeDag(withTasks(tasksFromEdges("pick>x", "pick>y", "t>x"), makeTask("pick", { kind: "branch" }))));
    expect(
      outcomes(g, [
        ["pick", "success", ["x"]],
        ["t", "failed"],
      ]),
    ).toEqual([{ pick: "success", t: "failed", x: "upstream_failed", y: "skipped" }]);
  });

  it("a falsy short circuit skips a descendant whether its other upstream failed before or after", () => {
    const g = buildGraph(makeDag(withTasks(tasksFromEdges("check>a", "a>c", "other>c"), makeTask("check", { kind: "short_circuit" }))));
    expect(
      outcomes(g, [
        ["check", "success", []],
        ["other", "failed"],
      ]),
    ).toEqual([{ a: "skipped", c: "skipped", check: "success", other: "failed" }]);
  });

  it("a join after a branch (all_success) is skipped once the chosen path is done, and fails if the chosen path fails", () => {
    const tasks = withTasks(tasksFromEdges("pick>a", "pick>b", "a>join", "b>join"), makeTask("pick", { kind: "branch" }));
    const g = buildGraph(makeDag(tasks));
    const views = new Map<string, TaskView>([["pick", { state: "success", followed: ["a"] }]]);
    const first = decideTasks(g, views, g.downstream.get("pick"));
    expect(Object.fromEntries(first)).toEqual({ a: "scheduled", b: "skipped" });
    expect(
      replay(
        g,
        [
          ["pick", "success", ["a"]],
          ["a", "success"],
        ],
        true,
      ),
    ).toMatchObject({ b: "skipped", join: "skipped" });
    expect(
      replay(
        g,
        [
          ["pick", "success", ["a"]],
          ["a", "failed"],
        ],
        true,
      ),
    ).toMatchObject({ b: "skipped", join: "upstream_failed" });
  });
});
