import type { DagRecord, DagVersionRecord, RunRecord } from "../../core/model/records.js";
import { nextScheduledRun } from "../../core/timetable/timetable.js";
import { describeSchedule } from "../../core/timetable/describe-schedule.js";
import { iso } from "./iso.js";
import { triggerView } from "./trigger-view.js";

/** Recent runs shown with a DAG. */
export const RECENT_RUNS = 10;

export function dagSummaryView(dag: DagRecord, version: DagVersionRecord, recentRuns: RunRecord[], now: number) {
  const s = version.spec;
  const next = dag.paused ? null : nextRunOf(dag, version, now);
  return {
    dagId: dag.dagId,
    description: s.description,
    owner: s.owner,
    tags: s.tags,
    schedule: describeSchedule(s.schedule),
    timezone: s.timezone,
    paused: dag.paused,
    fileloc: dag.fileloc,
    taskCount: s.tasks.length,
    version: dag.latestVersion,
    nextRunAfter: iso(next?.runAfter),
    recentRuns: recentRuns.map((r) => ({ runId: r.runId, state: r.state, logicalDate: iso(r.logicalDate) })),
    lastRun: lastRunView(recentRuns[0]),
  };
}

/** The newest run (the first of `recentRuns`), with its times: the DAG list's last run columns. */
function lastRunView(r: RunRecord | undefined) {
  return r === undefined ? null : { runId: r.runId, state: r.state, logicalDate: iso(r.logicalDate), startedAt: iso(r.startedAt), endedAt: iso(r.endedAt) };
}

/** The next scheduled run; null when there is none or the schedule cannot be computed (e.g. a bad time zone). */
function nextRunOf(dag: DagRecord, version: DagVersionRecord, now: number) {
  const s = version.spec;
  try {
    return nextScheduledRun(
      { schedule: s.schedule, startDate: s.startDate, endDate: s.endDate, timezone: s.timezone, catchup: s.catchup },
      dag.lastScheduledLogicalDate,
      now,
    );
  } catch {
    return null;
  }
}

export function dagDetailView(dag: DagRecord, version: DagVersionRecord, recentRuns: RunRecord[], now: number) {
  const s = version.spec;
  return {
    ...dagSummaryView(dag, version, recentRuns, now),
    params: { schema: s.paramsSchema, defaults: s.paramsDefaults },
    maxActiveRuns: s.maxActiveRuns,
    maxActiveTasks: s.maxActiveTasks,
    catchup: s.catchup,
    startDate: iso(s.startDate),
    endDate: iso(s.endDate),
    triggers: (s.triggers ?? []).map(triggerView),
    tasks: s.tasks.map((t) => ({
      taskId: t.taskId,
      kind: t.kind,
      upstream: t.upstream,
      triggerRule: t.triggerRule,
      retries: t.retries,
      pool: t.pool,
      priorityWeight: t.priorityWeight,
      command: t.command,
      doc: t.doc,
      mapped: t.map ? { over: Object.keys(t.map.over).concat(Object.keys(t.map.values)), maxLength: t.map.maxLength, maxActive: t.map.maxActive } : null,
    })),
  };
}
