import type { DagGraph } from "../core/graph/dag-graph.js";
import type { BackfillRecord, DagVersionRecord, RunRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";
import { intervalsInRange } from "../core/timetable/timetable.js";
import { buildRun, newTaskInstances } from "./run-factory.js";
import { timetableOf } from "./scheduled-runs.js";
import type { StateWriter } from "./state-writer.js";

interface PlannerContext {
  store: Store;
  /** Where run, task-instance and backfill changes go (written with the tick's next flush). */
  writer: StateWriter;
  version: (hash: string) => Promise<{ version: DagVersionRecord; graph: DagGraph } | undefined>;
  isActive: (runPk: number) => boolean;
  now: number;
}

function shouldRerun(b: BackfillRecord, existing: RunRecord): boolean {
  if (existing.state === "queued" || existing.state === "running") return false;
  if (b.reprocess === "completed") return true;
  return b.reprocess === "failed" && existing.state === "failed";
}

/**
 * Backfills are run by the scheduler (Airflow 3's model), not by the CLI that asked for them:
 * a queued backfill gets a run per interval in its range — existing runs are kept, or cleared
 * and re-run per the reprocess behaviour; a running backfill is done when none of its runs is
 * queued or running.
 */
export async function planBackfills(ctx: PlannerContext): Promise<void> {
  for (const b of await ctx.store.listBackfills({ states: ["queued", "running"] })) {
    const range = { dagId: b.dagId, logicalDateFrom: b.fromDate, logicalDateTo: b.toDate, limit: 1_000_000 };
    if (b.state === "running") {
      const open = await ctx.store.listRuns({ ...range, states: ["queued", "running"] });
      if (open.length === 0) ctx.writer.backfill({ id: b.id, state: "done", endedAt: ctx.now });
      continue;
    }
    const dag = await ctx.store.getDag(b.dagId);
    const v = dag && (await ctx.version(dag.latestVersion));
    if (!v) {
      ctx.writer.backfill({ id: b.id, state: "cancelled", endedAt: ctx.now });
      continue;
    }
    const existing = new Map<number, RunRecord>();
    for (const r of await ctx.store.listRuns(range)) {
      if (r.logicalDate !== null && !existing.has(r.logicalDate)) existing.set(r.logicalDate, r);
    }
    for (const interval of intervalsInRange(timetableOf(v.version.spec), b.fromDate, b.toDate)) {
      const found = existing.get(interval.logicalDate);
      if (!found) {
        const { run, tis } = buildRun({ version: v.version, runType: "backfill", interval, conf: b.conf, backfillId: b.id, now: ctx.now });
        await ctx.store.createRun({ ...run, runAfter: ctx.now }, tis);
      } else if (shouldRerun(b, found) && !ctx.isActive(found.id)) {
        await clearRun(ctx, found, v.version);
      }
    }
    ctx.writer.backfill({ id: b.id, state: "running" });
  }
}

/** Resets every task instance of a finished run and queues the run again (tries are kept). */
async function clearRun(ctx: PlannerContext, run: RunRecord, latest: DagVersionRecord): Promise<void> {
  const version = (await ctx.version(run.dagVersion))?.version ?? latest;
  const fresh = new Map(newTaskInstances(version.spec, ctx.now).map((t) => [t.taskId, t]));
  for (const ti of await ctx.store.listTaskInstances(run.id)) {
    const base = fresh.get(ti.taskId);
    const reset = {
      ...ti,
      state: "none" as const,
      maxTries: ti.tryNumber + (base ? base.maxTries : 1),
      infraTries: 0,
      queuedAt: null,
      startedAt: null,
      endedAt: null,
      nextRetryAt: null,
      output: null,
      error: null,
      followed: null,
      updatedAt: ctx.now,
    };
    ctx.writer.storedTask(run, ti.state, reset, ctx.now);
  }
  ctx.writer.run(run, { state: "queued", startedAt: null, endedAt: null, note: "cleared by backfill" }, ctx.now);
}
