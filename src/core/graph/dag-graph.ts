import type { DagSpec, TaskSpec } from "../model/dag-spec.js";
import { descendantWeightSums } from "./descendant-sets.js";

/** A DAG spec indexed for scheduling: adjacency both ways, roots, leaves, order and priorities. */
export interface DagGraph {
  spec: DagSpec;
  tasks: Map<string, TaskSpec>;
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
  roots: string[];
  leaves: string[];
  /** Upstreams before downstreams; ties keep the spec's task order. */
  topoOrder: string[];
  /** priority weight with Airflow's "downstream" weight rule: own + sum over all descendants */
  priority: Map<string, number>;
  /**
   * The tasks whose states decide the run's (Airflow's "effective leaves"): tasks with no downstream
   * but teardowns, teardowns excluded, unless they set `failRun`. With only teardowns: the leaves.
   */
  runStateLeaves: string[];
  /** Per teardown, its direct upstream setups (absent when none). */
  setupsOf: Map<string, string[]>;
  /**
   * Per non-teardown task, the setups above it (not direct upstreams) whose scope it is in: each must
   * have succeeded before it runs (Airflow's setup constraint). Absent for tasks with none.
   */
  indirectSetups: Map<string, string[]>;
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/**
 * Indexes a spec. Assumes {@link validateDagSpec} returned no error: unknown upstream ids are
 * ignored, duplicate upstream entries are merged, and a cycle would leave tasks out of topoOrder.
 *
 * @example const g = buildGraph(spec); g.downstream.get("extract") // ["transform"]
 */
export function buildGraph(spec: DagSpec): DagGraph {
  const tasks = new Map<string, TaskSpec>();
  for (const t of spec.tasks) if (!tasks.has(t.taskId)) tasks.set(t.taskId, t);
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const id of tasks.keys()) downstream.set(id, []);
  for (const [id, t] of tasks) {
    const ups = [...new Set(t.upstream)].filter((u) => tasks.has(u) && u !== id);
    upstream.set(id, ups);
    for (const u of ups) downstream.get(u)!.push(id);
  }
  const ids = [...tasks.keys()];
  const roots = ids.filter((id) => upstream.get(id)!.length === 0);
  const leaves = ids.filter((id) => downstream.get(id)!.length === 0);
  const topoOrder = topologicalOrder(ids, upstream, downstream);
  return {
    spec,
    tasks,
    upstream,
    downstream,
    roots,
    leaves,
    topoOrder,
    priority: downstreamPriority(topoOrder, tasks, downstream),
    ...setupsAndTeardowns(ids, tasks, upstream, downstream, leaves),
  };
}

/** Airflow's setup/teardown indexes (docs/trigger-rules.md, "Setup and teardown"); cheap when a DAG has none. */
function setupsAndTeardowns(
  ids: string[],
  tasks: Map<string, TaskSpec>,
  upstream: Map<string, string[]>,
  downstream: Map<string, string[]>,
  leaves: string[],
): Pick<DagGraph, "runStateLeaves" | "setupsOf" | "indirectSetups"> {
  const setupsOf = new Map<string, string[]>();
  const indirectSetups = new Map<string, string[]>();
  const setups = ids.filter((id) => tasks.get(id)!.setup === true);
  const isTeardown = (id: string) => tasks.get(id)!.teardown !== undefined;
  if (setups.length === 0 && !ids.some(isTeardown)) return { runStateLeaves: leaves, setupsOf, indirectSetups };

  for (const id of ids) {
    if (!isTeardown(id)) continue;
    const mine = upstream.get(id)!.filter((u) => tasks.get(u)!.setup === true);
    if (mine.length > 0) setupsOf.set(id, mine);
  }
  const walk = (from: string, next: Map<string, string[]>): Set<string> => {
    const seen = new Set<string>();
    const stack = [...next.get(from)!];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...next.get(id)!);
    }
    return seen;
  };
  const ancestorsOf = new Map<string, Set<string>>();
  for (const s of setups) {
    const teardowns = downstream.get(s)!.filter(isTeardown);
    const scopes = teardowns.map((t) => {
      let a = ancestorsOf.get(t);
      if (!a) ancestorsOf.set(t, (a = walk(t, upstream)));
      return a;
    });
    for (const d of walk(s, downstream)) {
      if (isTeardown(d) || upstream.get(d)!.includes(s)) continue;
      // In scope: the setup has no teardown, or one of its teardowns comes after this task.
      if (teardowns.length > 0 && !scopes.some((a) => a.has(d))) continue;
      const list = indirectSetups.get(d);
      if (list) list.push(s);
      else indirectSetups.set(d, [s]);
    }
  }
  const decides = (id: string) => !isTeardown(id) || tasks.get(id)!.teardown!.failRun;
  const effective = ids.filter((id) => decides(id) && downstream.get(id)!.every((d) => !decides(d)));
  return { runStateLeaves: effective.length > 0 ? effective : leaves, setupsOf, indirectSetups };
}

/** Kahn's algorithm; ready tasks are taken in spec order for a stable result. */
function topologicalOrder(ids: string[], upstream: Map<string, string[]>, downstream: Map<string, string[]>): string[] {
  const pending = new Map(ids.map((id) => [id, upstream.get(id)!.length]));
  const order = ids.filter((id) => pending.get(id) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const d of downstream.get(order[i]!)!) {
      const left = pending.get(d)! - 1;
      pending.set(d, left);
      if (left === 0) order.push(d);
    }
  }
  return order;
}

/** Own weight plus the weights of every distinct descendant, clamped to int32 like Airflow. */
function downstreamPriority(topoOrder: string[], tasks: Map<string, TaskSpec>, downstream: Map<string, string[]>): Map<string, number> {
  const sums = descendantWeightSums(
    topoOrder,
    downstream,
    topoOrder.map((id) => tasks.get(id)!.priorityWeight),
  );
  return new Map(topoOrder.map((id, i) => [id, Math.min(INT32_MAX, Math.max(INT32_MIN, sums[i]!))]));
}
