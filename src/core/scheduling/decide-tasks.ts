import type { DagGraph } from "../graph/dag-graph.js";
import { isFinished, type TaskState } from "../model/states.js";
import { countUpstream, evaluateTriggerRule, type SetupCounts, type TriggerDecision, type UpstreamCounts } from "../rules/trigger-rules.js";
import { followedDownstream } from "./branch-reach.js";

/** What the scheduler knows about one task instance of a run. */
export interface TaskView {
  state: TaskState;
  /** For a succeeded branch/short_circuit task: the chosen direct downstream ids; short_circuit uses [] for "falsy" and null for "continue"; null otherwise. */
  followed: string[] | null;
}

export type TaskDecision = "scheduled" | "skipped" | "upstream_failed";

/**
 * Upstream counts a caller maintains incrementally (they must agree with `states`), so that
 * deciding a task costs O(1) instead of O(fan-in). Without it, counts are computed per task.
 */
export type UpstreamCountsOf = (taskId: string) => UpstreamCounts | undefined;

/** Upstream tasks that can skip their downstream (branch, short_circuit), per task; cached per graph. */
const controlUpstreamCache = new WeakMap<DagGraph, Map<string, string[]>>();
function controlUpstream(graph: DagGraph): Map<string, string[]> {
  let m = controlUpstreamCache.get(graph);
  if (!m) {
    m = new Map();
    for (const [id, ups] of graph.upstream) {
      const control = ups.filter((u) => {
        const kind = graph.tasks.get(u)?.kind;
        return kind === "branch" || kind === "short_circuit";
      });
      if (control.length > 0) m.set(id, control);
    }
    controlUpstreamCache.set(graph, m);
  }
  return m;
}

/**
 * Per task, the tasks whose success may still skip it whatever its trigger rule: its direct
 * branch upstreams and every short_circuit ancestor. Cached per graph; tasks with none are absent.
 */
const skippersCache = new WeakMap<DagGraph, Map<string, string[]>>();
function skippers(graph: DagGraph): Map<string, string[]> {
  let m = skippersCache.get(graph);
  if (m) return m;
  m = new Map();
  const shortCircuitAncestors = new Map<string, Set<string>>();
  for (const id of graph.topoOrder) {
    const mine = new Set<string>();
    const direct: string[] = [];
    for (const u of graph.upstream.get(id) ?? []) {
      for (const a of shortCircuitAncestors.get(u) ?? []) mine.add(a);
      const kind = graph.tasks.get(u)?.kind;
      if (kind === "short_circuit") mine.add(u);
      else if (kind === "branch") direct.push(u);
    }
    if (mine.size > 0) shortCircuitAncestors.set(id, mine);
    if (mine.size + direct.length > 0) m.set(id, [...direct, ...mine]);
  }
  skippersCache.set(graph, m);
  return m;
}

/**
 * For each candidate task (default all) in state "none", decides from its direct upstreams'
 * states: "scheduled" (may run now), "skipped" or "upstream_failed"; undecided tasks are
 * omitted. Branching: a direct downstream of a succeeded branch task that is not in `followed`
 * and not reachable from a followed task is skipped whatever its trigger rule (Airflow
 * NotPreviouslySkippedDep); a succeeded branch with followed=null is treated as having chosen
 * nothing. A succeeded short_circuit task with followed=[] skips ALL its descendants ignoring
 * trigger rules. Decisions propagate: tasks downstream of newly skipped/upstream_failed tasks are
 * evaluated too, to a fixpoint. So that the outcome does not depend on the order upstreams
 * finish in, a task is not set upstream_failed while one of its direct upstreams and a branch or
 * short_circuit that could still skip it are unfinished (it is decided when that upstream ends).
 * Returns only changes. Cost is O(affected tasks and their edges);
 * tasks missing from `states` count as "none".
 *
 * @example decideTasks(graph, states, graph.downstream.get("extract")) // Map { "transform" => "scheduled" }
 */
export function decideTasks(
  graph: DagGraph,
  states: ReadonlyMap<string, TaskView>,
  candidates?: Iterable<string>,
  countsOf?: UpstreamCountsOf,
): Map<string, TaskDecision> {
  const decided = new Map<string, TaskDecision>();
  /** Skips and upstream failures decided in this call, per downstream task (on top of countsOf). */
  const extra = new Map<string, { skipped: number; upstreamFailed: number }>();
  const control = controlUpstream(graph);
  const stateOf = (id: string): TaskState => decided.get(id) ?? states.get(id)?.state ?? "none";
  const expandedShortCircuits = new Set<string>();
  const branchKeeps = new Map<string, Set<string>>();
  const queue: string[] = [...(candidates ?? graph.topoOrder)];

  const decide = (id: string, decision: TaskDecision) => {
    decided.set(id, decision);
    if (decision === "scheduled") return;
    for (const d of graph.downstream.get(id) ?? []) {
      queue.push(d);
      if (!countsOf) continue;
      let e = extra.get(d);
      if (!e) extra.set(d, (e = { skipped: 0, upstreamFailed: 0 }));
      if (decision === "skipped") e.skipped++;
      else e.upstreamFailed++;
    }
  };
  const skipAllDescendants = (root: string) => {
    expandedShortCircuits.add(root);
    const seen = new Set<string>();
    const stack = [...(graph.downstream.get(root) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (stateOf(id) === "none") decided.set(id, "skipped");
      stack.push(...(graph.downstream.get(id) ?? []));
    }
  };
  const keptByBranch = (branchId: string, followed: readonly string[]) => {
    let kept = branchKeeps.get(branchId);
    if (!kept) branchKeeps.set(branchId, (kept = followedDownstream(graph, branchId, followed)));
    return kept;
  };

  const countsFor = (id: string): UpstreamCounts => {
    const base = countsOf?.(id);
    if (!base) return countUpstream((graph.upstream.get(id) ?? []).map(stateOf));
    const e = extra.get(id);
    return e ? { ...base, skipped: base.skipped + e.skipped, upstreamFailed: base.upstreamFailed + e.upstreamFailed } : base;
  };

  /** A branch or short circuit above `id` is unfinished and one of its direct upstreams too, so it will be decided again. */
  const mayStillBeSkipped = (id: string, c: UpstreamCounts): boolean => {
    const above = skippers(graph).get(id);
    if (!above) return false;
    const finished = c.success + c.skipped + c.failed + c.upstreamFailed + c.removed;
    return finished < c.total && above.some((u) => !isFinished(stateOf(u)));
  };

  /** Airflow's setup constraint: the setups above a task whose scope it is in must have succeeded. */
  const setupConstraint = (id: string): TriggerDecision => {
    const above = graph.indirectSetups.get(id);
    if (!above) return "run";
    const states = above.map(stateOf);
    if (states.some((s) => s === "failed" || s === "upstream_failed")) return "upstream_failed";
    if (states.some((s) => s === "skipped")) return "skip";
    return states.every((s) => s === "success") ? "run" : "wait";
  };
  const setupCountsOf = (id: string): SetupCounts | undefined => {
    const setups = graph.setupsOf.get(id);
    if (!setups) return undefined;
    const states = setups.map(stateOf);
    return { total: states.length, success: states.filter((s) => s === "success").length, skipped: states.filter((s) => s === "skipped").length };
  };

  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const task = graph.tasks.get(id);
    if (!task) continue;
    let skippedByBranch = false;
    for (const u of control.get(id) ?? []) {
      const view = states.get(u);
      if (view?.state !== "success") continue;
      const kind = graph.tasks.get(u)?.kind;
      if (kind === "short_circuit" && view.followed?.length === 0 && !expandedShortCircuits.has(u)) skipAllDescendants(u);
      if (kind === "branch" && !keptByBranch(u, view.followed ?? []).has(id)) skippedByBranch = true;
    }
    if (stateOf(id) !== "none") continue;
    if (skippedByBranch) {
      decide(id, "skipped");
      continue;
    }
    const setupGate = setupConstraint(id);
    if (setupGate === "wait") continue;
    if (setupGate !== "run") {
      decide(id, setupGate === "skip" ? "skipped" : "upstream_failed");
      continue;
    }
    const counts = countsFor(id);
    const verdict = evaluateTriggerRule(task.triggerRule, counts, setupCountsOf(id));
    if (verdict === "run") decide(id, "scheduled");
    else if (verdict === "skip") decide(id, "skipped");
    else if (verdict === "upstream_failed" && !mayStillBeSkipped(id, counts)) decide(id, "upstream_failed");
  }
  return decided;
}
