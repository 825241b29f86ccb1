import { describe, expect, it } from "vitest";
import { makeDag, makeTask, tasksFromEdges } from "../testing/spec-builders.js";
import { buildGraph } from "./dag-graph.js";

describe("buildGraph", () => {
  const diamond = buildGraph(makeDag(tasksFromEdges("a>b", "a>c", "b>d", "c>d", "e")));

  it("indexes upstream and downstream both ways", () => {
    expect(diamond.upstream.get("d")).toEqual(["b", "c"]);
    expect(diamond.downstream.get("a")).toEqual(["b", "c"]);
    expect(diamond.downstream.get("d")).toEqual([]);
    expect(diamond.tasks.get("c")?.taskId).toBe("c");
  });

  it("finds roots and leaves (an isolated task is both)", () => {
    expect(diamond.roots).toEqual(["a", "e"]);
    expect(diamond.leaves).toEqual(["d", "e"]);
  });

  it("orders upstreams before downstreams, stable in spec order", () => {
    expect(diamond.topoOrder).toEqual(["a", "e", "b", "c", "d"]);
    const tasks = [makeTask("z", { upstream: ["y"] }), makeTask("y", { upstream: ["x"] }), makeTask("x")];
    expect(buildGraph(makeDag(tasks)).topoOrder).toEqual(["x", "y", "z"]);
  });

  it("priority = own weight + weights of distinct descendants (a diamond counts d once)", () => {
    expect(Object.fromEntries(diamond.priority)).toEqual({ a: 4, b: 2, c: 2, d: 1, e: 1 });
    const weighted = buildGraph(makeDag([makeTask("a", { priorityWeight: 10 }), makeTask("b", { upstream: ["a"], priorityWeight: 5 })]));
    expect(weighted.priority.get("a")).toBe(15);
  });

  it("priority is clamped to int32", () => {
    const g = buildGraph(makeDag([makeTask("a", { priorityWeight: 2 ** 31 - 1 }), makeTask("b", { upstream: ["a"], priorityWeight: 5 })]));
    expect(g.priority.get("a")).toBe(2 ** 31 - 1);
  });

  it("merges duplicate upstream entries", () => {
    const g = buildGraph(makeDag([makeTask("a"), makeTask("b", { upstream: ["a", "a"] })]));
    expect(g.upstream.get("b")).toEqual(["a"]);
    expect(g.downstream.get("a")).toEqual(["b"]);
  });

  it("handles a 3,000-task layered DAG quickly with exact priorities", () => {
    const width = 30;
    const depth = 100;
    const tasks = [];
    for (let l = 0; l < depth; l++) {
      for (let i = 0; i < width; i++) {
        const upstream = l === 0 ? [] : Array.from({ length: width }, (_, j) => `t${l - 1}_${j}`);
        tasks.push(makeTask(`t${l}_${i}`, { upstream }));
      }
    }
    const started = performance.now();
    const g = buildGraph(makeDag(tasks));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(g.topoOrder).toHaveLength(3000);
    expect(g.priority.get("t0_0")).toBe(1 + width * (depth - 1));
    expect(g.priority.get(`t${depth - 1}_0`)).toBe(1);
  });
});
