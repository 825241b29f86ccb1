import type { DagGraph } from "../core/graph/dag-graph.js";
import type { DagVersionRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import type { PrevSuccessRun } from "../core/ports/executor.js";
import { isFinished, type TaskState } from "../core/model/states.js";
import type { UpstreamCounts } from "../core/rules/trigger-rules.js";
import type { TaskView } from "../core/scheduling/decide-tasks.js";

/** States of a task instance that will change without anyone deciding it again. */
const ACTIVE: ReadonlySet<TaskState> = new Set(["scheduled", "queued", "running", "up_for_retry", "up_for_reschedule", "deferred"]);

type Bucket = "success" | "skipped" | "failed" | "upstreamFailed" | "removed" | null;
const BUCKET: Partial<Record<TaskState, Bucket>> = {
  success: "success",
  skipped: "skipped",
  failed: "failed",
  upstream_failed: "upstreamFailed",
  removed: "removed",
};

/**
 * The key of a task instance in a run: the task id, or `task[i]` for copy i of a mapped task
 * (task ids cannot contain brackets, so the two never collide).
 */
export function tiKey(taskId: string, mapIndex: number): string {
  return mapIndex < 0 ? taskId : `${taskId}[${mapIndex}]`;
}

/**
 * A running DAG run held in memory by the scheduler: its task instances, the views the core
 * decision functions read, and counters that make "is the run over?" O(1).
 *
 * A mapped task has one instance per copy (map index ≥ 0) besides its own (map index -1). The
 * core decisions see only the latter: it turns "running" when the copies are created and takes
 * its final state from theirs.
 */
export class ActiveRun {
  /** Task instances by {@link tiKey}. */
  readonly tis = new Map<string, TaskInstanceRecord>();
  /** Per mapped task, its current copies by map index. */
  readonly copies = new Map<string, TaskInstanceRecord[]>();
  /** Per mapped task, copies queued or running (for maxActiveCopies). */
  readonly activeCopies = new Map<string, number>();
  /** Per mapped task, copies that were ready while maxActiveCopies were running. */
  readonly waitingCopies = new Map<string, string[]>();
  readonly views = new Map<string, TaskView>();
  /** Per task, its direct upstreams' states counted, kept current by update(): O(1) trigger rules. */
  readonly counts = new Map<string, UpstreamCounts>();
  /** Tasks waiting on something outside the run (depends_on_past). */
  readonly blocked = new Set<string>();
  /** Per task instance ({@link tiKey}), infrastructure failures in a row: the wait before its next attempt. */
  readonly infraFailures = new Map<string, number>();
  /**
   * The DAG's latest earlier run that succeeded (Airflow's prev_*_success): read when the run is
   * loaded, moved on when an earlier run ends successfully meanwhile (RunLifecycle).
   */
  prevSuccess: PrevSuccessRun | null = null;
  /** Task instances in scheduled/queued/running/up_for_retry. */
  active = 0;
  unfinished = 0;

  constructor(
    public run: RunRecord,
    readonly version: DagVersionRecord,
    readonly graph: DagGraph,
    readonly params: Record<string, unknown>,
    tis: TaskInstanceRecord[],
  ) {
    for (const ti of tis) {
      if (ti.mapIndex >= 0) {
        this.addCopy(ti);
        continue;
      }
      this.tis.set(ti.taskId, ti);
      this.views.set(ti.taskId, { state: ti.state, followed: ti.followed });
      if (ACTIVE.has(ti.state)) this.active++;
      if (!isFinished(ti.state)) this.unfinished++;
    }
    for (const [taskId, ups] of graph.upstream) {
      const c: UpstreamCounts = { total: ups.length, success: 0, skipped: 0, failed: 0, upstreamFailed: 0, removed: 0 };
      for (const u of ups) {
        const b = BUCKET[this.tis.get(u)?.state ?? "none"];
        if (b) c[b]++;
      }
      this.counts.set(taskId, c);
    }
  }

  readonly countsOf = (taskId: string): UpstreamCounts | undefined => this.counts.get(taskId);

  get pk(): number {
    return this.run.id;
  }

  get dagId(): string {
    return this.run.dagId;
  }

  /**
   * Adds (or replaces) copy `ti.mapIndex` of a mapped task. A copy that is not part of the current
   * expansion (state "removed") is kept only as a row.
   */
  addCopy(ti: TaskInstanceRecord): void {
    const key = tiKey(ti.taskId, ti.mapIndex);
    const old = this.tis.get(key);
    if (old) this.update(key, { state: "removed" }, ti.updatedAt);
    this.tis.set(key, ti);
    if (ti.state !== "removed") {
      const list = this.copies.get(ti.taskId) ?? [];
      list[ti.mapIndex] = ti;
      this.copies.set(ti.taskId, list);
    }
    this.count(ti, null, ti.state);
  }

  /** Forgets the copies of a mapped task (they are marked removed; a new expansion replaces them). */
  dropCopies(taskId: string, now: number): TaskInstanceRecord[] {
    const list = this.copies.get(taskId) ?? [];
    this.copies.delete(taskId);
    this.waitingCopies.delete(taskId);
    return list.map((c) => this.update(tiKey(taskId, c.mapIndex), { state: "removed", endedAt: c.endedAt ?? now }, now));
  }

  /**
   * Applies a change to a task instance (by {@link tiKey}), keeping views and counters right;
   * returns the row. Rows are updated in place: the unit of work snapshots them when it writes.
   */
  update(key: string, patch: Partial<TaskInstanceRecord>, now: number): TaskInstanceRecord {
    const next = this.tis.get(key);
    if (!next) throw new Error(`task instance ${key} not in run ${this.run.runId}`);
    const prev = { state: next.state };
    Object.assign(next, patch);
    next.updatedAt = now;
    this.count(next, prev.state, next.state);
    const view = this.views.get(key);
    if (!view) return next;
    view.state = next.state;
    view.followed = next.followed;
    const taskId = key;
    const was = BUCKET[prev.state];
    const now_ = BUCKET[next.state];
    if (was !== now_) {
      for (const d of this.graph.downstream.get(taskId) ?? []) {
        const c = this.counts.get(d)!;
        if (was) c[was]--;
        if (now_) c[now_]++;
      }
    }
    return next;
  }

  /** Keeps the active/unfinished counters (and, for copies, the active-copy count) right. */
  private count(ti: TaskInstanceRecord, from: TaskState | null, to: TaskState): void {
    if (from !== null && ACTIVE.has(from)) this.active--;
    if (ACTIVE.has(to)) this.active++;
    if (from !== null && !isFinished(from)) this.unfinished--;
    if (!isFinished(to)) this.unfinished++;
    if (ti.mapIndex >= 0) {
      const running = (s: TaskState | null) => s === "queued" || s === "running";
      const delta = (running(to) ? 1 : 0) - (running(from) ? 1 : 0);
      if (delta !== 0) this.activeCopies.set(ti.taskId, (this.activeCopies.get(ti.taskId) ?? 0) + delta);
    }
  }
}
