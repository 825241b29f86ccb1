import { describe, expect, it } from "vitest";
import { buildGraph } from "../graph/dag-graph.js";
import type { TaskState } from "../model/states.js";
import { makeDag, makeTask, tasksFromEdges } from "../testing/spec-builders.js";
import type { TaskView } from "./decide-tasks.js";
import { runOutcome } from "./run-outcome.js";

const views = (spec: Record<string, TaskState>) => new Map<string, TaskView>(Object.entries(spec).map(([id, state]) => [id, { state, followed: null }]));
const chain = buildGraph(makeDag(tasksFromEdges("a>b", "b>c")));

describe("runOutcome", () => {
  it("success when every task finished and no leaf failed (skipped leaves are fine)", () => {
    expect(runOutcome(chain, views({ a: "success", b: "success", c: "success" }))).toBe("success");
    expect(runOutcome(chain, views({ a: "success", b: "skipped", c: "skipped" }))).toBe("success");
  });

  it("failed when a leaf failed or is upstream_failed", () => {
    expect(runOutcome(chain, views({ a: "success", b: "success", c: "failed" }))).toBe("failed");
    expect(runOutcome(chain, views({ a: "failed", b: "upstream_failed", c: "upstream_failed" }))).toBe("failed");
  });

  it("Airflow footgun: an all_done leaf that succeeds makes the run succeed after a failure", () => {
    const g = buildGraph(makeDag([makeTask("work"), makeTask("cleanup", { upstream: ["work"], triggerRule: "all_done" })]));
    expect(runOutcome(g, views({ work: "failed", cleanup: "success" }))).toBe("success");
  });

  it("a removed leaf does not fail the run", () => {
    expect(runOutcome(chain, views({ a: "success", b: "success", c: "removed" }))).toBe("success");
  });

  it("running while any task is active (scheduled, queued, running, up_for_retry)", () => {
    for (const s of ["scheduled", "queued", "running", "up_for_retry"] as const) {
      expect(runOutcome(chain, views({ a: "success", b: s }))).toBe("running");
    }
  });

  it("running while a waiting task is decidable (missing states count as none)", () => {
    expect(runOutcome(chain, views({ a: "success" }))).toBe("running");
    expect(runOutcome(chain, new Map())).toBe("running");
  });

  it("deadlocked when waiting tasks can never be decided; running when one is blocked outside the run", () => {
    // Only an inconsistent graph can get here with trigger rules alone: every rule decides once
    // all upstreams finished. A cycle (which validateDagSpec rejects) is such a graph.
    const cyclic = buildGraph(makeDag([makeTask("a", { upstream: ["b"] }), makeTask("b", { upstream: ["a"] }), makeTask("c")]));
    expect(runOutcome(cyclic, views({ c: "success" }))).toBe("deadlocked");
    expect(runOutcome(cyclic, views({ c: "success" }), new Set(["a"]))).toBe("running");
  });
});
