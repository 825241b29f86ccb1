import type { DagGraph } from "../core/graph/dag-graph.js";
import type { DagRecord, DagVersionRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";
import { nextScheduledRun, type RunInterval, type TimetableInput } from "../core/timetable/timetable.js";
import { buildRun } from "./run-factory.js";
import type { UnitOfWork } from "./unit-of-work.js";

/** Most runs one DAG gets per tick when catching up (the rest come on the next ticks). */
const MAX_RUNS_PER_TICK = 50;

export function timetableOf(spec: DagVersionRecord["spec"]): TimetableInput {
  return { schedule: spec.schedule, startDate: spec.startDate, endDate: spec.endDate, timezone: spec.timezone, catchup: spec.catchup };
}

interface DueDag {
  dag: DagRecord;
  version: DagVersionRecord;
  next: RunInterval;
}

/**
 * Creates the scheduled runs that are due, oldest first: with catch-up every missed interval,
 * without it only the latest. As in Airflow, a DAG gets a new scheduled run only while fewer than
 * its maxActiveRuns of its runs are active (queued or running, of any type but a backfill's): a
 * DAG catching up a week with maxActiveRuns 1 gets one run, and the next once that one has ended
 * (a later tick). Idempotent: run ids derive from logical dates, and a run that already exists
 * (another scheduler made it) is passed over without taking room.
 */
export async function createDueRuns(ctx: {
  store: Store;
  uow: UnitOfWork;
  dags: Map<string, DagRecord>;
  version: (hash: string) => Promise<{ version: DagVersionRecord; graph: DagGraph } | undefined>;
  now: number;
}): Promise<void> {
  const due: DueDag[] = [];
  for (const dag of ctx.dags.values()) {
    if (!dag.active || dag.paused) continue;
    const v = await ctx.version(dag.latestVersion);
    if (!v || v.version.spec.schedule.kind === "none") continue;
    const next = nextDue(timetableOf(v.version.spec), dag.lastScheduledLogicalDate, ctx.now);
    if (next) due.push({ dag, version: v.version, next });
  }
  if (due.length === 0) return;
  // Read only for DAGs with a run due: most ticks read nothing.
  const active = await ctx.store.countActiveRuns(due.map((d) => d.dag.dagId));
  for (const { dag, version, next: first } of due) {
    let room = version.spec.maxActiveRuns - (active.get(dag.dagId) ?? 0);
    const t = timetableOf(version.spec);
    let last = dag.lastScheduledLogicalDate;
    let next: RunInterval | null = first;
    for (let i = 0; next && room > 0 && i < MAX_RUNS_PER_TICK; i++) {
      const { run, tis } = buildRun({ version, runType: "scheduled", interval: next, now: ctx.now });
      if (await ctx.store.createRun(run, tis)) room--;
      last = next.logicalDate;
      next = nextDue(t, last, ctx.now);
    }
    if (last !== null && last !== dag.lastScheduledLogicalDate) {
      dag.lastScheduledLogicalDate = last;
      ctx.uow.dagSchedule(dag.dagId, last);
    }
  }
}

/** The interval after `last` when its run is due by `now`, else null. */
function nextDue(t: TimetableInput, last: number | null, now: number): RunInterval | null {
  const next = nextScheduledRun(t, last, now);
  if (!next || next.runAfter > now || (last !== null && next.logicalDate <= last)) return null;
  return next;
}
