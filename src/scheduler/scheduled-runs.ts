import type { DagGraph } from "../core/graph/dag-graph.js";
import type { DagRecord, DagVersionRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";
import { nextScheduledRun, type TimetableInput } from "../core/timetable/timetable.js";
import { buildRun } from "./run-factory.js";
import type { UnitOfWork } from "./unit-of-work.js";

/** Most runs one DAG gets per tick when catching up (the rest come on the next ticks). */
const MAX_RUNS_PER_TICK = 50;

export function timetableOf(spec: DagVersionRecord["spec"]): TimetableInput {
  return { schedule: spec.schedule, startDate: spec.startDate, endDate: spec.endDate, timezone: spec.timezone, catchup: spec.catchup };
}

/**
 * Creates the scheduled runs that are due, oldest first: with catch-up every missed interval,
 * without it only the latest. Idempotent: run ids derive from logical dates.
 */
export async function createDueRuns(ctx: {
  store: Store;
  uow: UnitOfWork;
  dags: Map<string, DagRecord>;
  version: (hash: string) => Promise<{ version: DagVersionRecord; graph: DagGraph } | undefined>;
  now: number;
}): Promise<void> {
  for (const dag of ctx.dags.values()) {
    if (!dag.active || dag.paused) continue;
    const v = await ctx.version(dag.latestVersion);
    if (!v || v.version.spec.schedule.kind === "none") continue;
    const t = timetableOf(v.version.spec);
    let last = dag.lastScheduledLogicalDate;
    for (let i = 0; i < MAX_RUNS_PER_TICK; i++) {
      const next = nextScheduledRun(t, last, ctx.now);
      if (!next || next.runAfter > ctx.now || (last !== null && next.logicalDate <= last)) break;
      const { run, tis } = buildRun({ version: v.version, runType: "scheduled", interval: next, now: ctx.now });
      await ctx.store.createRun(run, tis);
      last = next.logicalDate;
    }
    if (last !== null && last !== dag.lastScheduledLogicalDate) {
      dag.lastScheduledLogicalDate = last;
      ctx.uow.dagSchedule(dag.dagId, last);
    }
  }
}
