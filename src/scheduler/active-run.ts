import type { DagGraph } from "../core/graph/dag-graph.js";
import type { DagVersionRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import { isFinished, type TaskState } from "../core/model/states.js";
import type { UpstreamCounts } from "../core/rules/trigger-rules.js";
import type { TaskView } from "../core/scheduling/decide-tasks.js";

const ACTIVE: ReadonlySet<TaskState> = new Set(["scheduled", "queued", "running", "up_for_retry"]);

type Bucket = "success" | "skipped" | "failed" | "upstreamFailed" | "removed" | null;
const BUCKET: Partial<Record<TaskState, Bucket>> = {
  success: "success",
  skipped: "skipped",
  failed: "failed",
  upstream_failed: "upstreamFailed",
  removed: "removed",
};

/**
 * A running DAG run held in memory by the scheduler: its task instances, the views the core
 * decision functions read, and counters that make "is the run over?" O(1).
 */
export class ActiveRun {
  readonly tis = new Map<string, TaskInstanceRecord>();
  readonly views = new Map<string, TaskView>();
  /** Per task, its direct upstreams' states counted, kept current by update(): O(1) trigger rules. */
  readonly counts = new Map<string, UpstreamCounts>();
  /** Tasks waiting on something outside the run (depends_on_past). */
  readonly blocked = new Set<string>();
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
   * Applies a change to a task instance, keeping views and counters right; returns the row.
   * Rows are updated in place: the unit of work snapshots them when it writes.
   */
  update(taskId: string, patch: Partial<TaskInstanceRecord>, now: number): TaskInstanceRecord {
    const next = this.tis.get(taskId);
    const view = this.views.get(taskId);
    if (!next || !view) throw new Error(`task instance ${taskId} not in run ${this.run.runId}`);
    const prev = { state: next.state };
    Object.assign(next, patch);
    next.updatedAt = now;
    view.state = next.state;
    view.followed = next.followed;
    if (ACTIVE.has(prev.state)) this.active--;
    if (ACTIVE.has(next.state)) this.active++;
    if (!isFinished(prev.state)) this.unfinished--;
    if (!isFinished(next.state)) this.unfinished++;
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
}
