import { nextScheduledRun } from "../timetable/timetable.js";
import type { DagFacts, Explanation, ExplainReason } from "./explain-types.js";
import { maxActiveRunsReason } from "./run-group-reasons.js";
import { noSchedulerReason } from "./scheduler-liveness.js";
import { isoTime, listOf, when } from "./when.js";

/**
 * Why a DAG has no run going, or no new one coming: paused, gone from its file, no schedule or a
 * dataset schedule, outside its start/end dates, the next run's time, max active runs (naming
 * the runs holding it) and queued runs, and no scheduler alive.
 *
 * @example explainDag(facts).reasons.map((r) => r.code) // ["dag_paused", "next_run"]
 */
export function explainDag(f: DagFacts): Explanation {
  const { dag, group, now } = f;
  const reasons: ExplainReason[] = [];
  const running = group.running.length > 0;
  if (!dag.active) {
    reasons.push({
      code: "dag_inactive",
      message: `DAG "${dag.dagId}" is no longer defined by its file ${dag.fileloc}: no runs are created for it.`,
      facts: { fileloc: dag.fileloc },
    });
  }
  if (dag.paused) {
    reasons.push({
      code: "dag_paused",
      message: `DAG "${dag.dagId}" is paused: no scheduled run is created and queued runs do not start (running ones go on). Unpause it with \`baton dags unpause ${dag.dagId}\` or the toggle in the UI.`,
      facts: { paused: true },
    });
  }
  reasons.push(...scheduleReasons(f));
  const limit = maxActiveRunsReason(dag.dagId, group);
  if (limit && group.queued.length > 0) reasons.push(limit);
  if (group.queued.length > 0) {
    const due = group.queued.filter((r) => r.runAfter <= now);
    reasons.push({
      code: "run_queued",
      message:
        `${group.queued.length} run${group.queued.length === 1 ? " is" : "s are"} queued (${listOf(group.queued.map((r) => r.runId))}); ` +
        `${due.length} ${due.length === 1 ? "is" : "are"} due. Ask \`baton explain ${dag.dagId} <run>\` about one.`,
      facts: { queued: group.queued.map((r) => ({ runId: r.runId, logicalDate: isoTime(r.logicalDate), runAfter: isoTime(r.runAfter) })) },
    });
  }
  if (running) {
    reasons.push({
      code: "run_running",
      message: `${listOf(group.running.map((r) => r.runId))} ${group.running.length === 1 ? "is" : "are"} running.`,
      facts: { runs: group.running.map((r) => ({ runId: r.runId, startedAt: isoTime(r.startedAt) })) },
    });
  }
  const noScheduler = noSchedulerReason(f.schedulers, now);
  if (noScheduler && dag.active) reasons.push(noScheduler);
  return { state: !dag.active ? "inactive" : dag.paused ? "paused" : running ? "running" : "idle", running, reasons };
}

/** The schedule's side: no schedule, datasets, before start, ended, or when the next run comes. */
function scheduleReasons(f: DagFacts): ExplainReason[] {
  const { dag, version, now } = f;
  const spec = version.spec;
  const s = spec.schedule;
  if (s.kind === "none") {
    return [
      {
        code: "no_schedule",
        message: `DAG "${dag.dagId}" has no schedule: it runs only when triggered (UI, API, \`baton dags trigger\`) or backfilled.`,
        facts: { schedule: null },
      },
    ];
  }
  if (s.kind === "datasets") {
    return [
      {
        code: "waiting_for_datasets",
        message: `DAG "${dag.dagId}" runs when every one of its datasets has been updated since its last dataset-triggered run: ${listOf(s.uris)}.`,
        facts: { datasets: s.uris },
      },
    ];
  }
  const dates = { startDate: isoTime(spec.startDate), endDate: isoTime(spec.endDate), lastScheduledLogicalDate: isoTime(dag.lastScheduledLogicalDate) };
  let next;
  try {
    next = nextScheduledRun(
      { schedule: s, startDate: spec.startDate, endDate: spec.endDate, timezone: spec.timezone, catchup: spec.catchup },
      dag.lastScheduledLogicalDate,
      now,
    );
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return [
      {
        code: "schedule_ended",
        message: `DAG "${dag.dagId}"'s schedule cannot be computed (${error}): no scheduled run is created.`,
        facts: { ...dates, error },
      },
    ];
  }
  if (next === null) {
    const why =
      s.kind === "once"
        ? 'its one scheduled run (schedule "@once") was already created'
        : spec.endDate !== null
          ? `its end date ${isoTime(spec.endDate)} has passed`
          : "its schedule has no further run";
    return [{ code: "schedule_ended", message: `DAG "${dag.dagId}" has no more scheduled runs: ${why}. Trigger or backfill it for more.`, facts: dates }];
  }
  const out: ExplainReason[] = [];
  if (spec.startDate !== null && now < spec.startDate) {
    out.push({ code: "before_start_date", message: `DAG "${dag.dagId}" starts on ${when(spec.startDate, now)}: no scheduled run before then.`, facts: dates });
  }
  const paused = dag.paused ? " once unpaused" : "";
  const due = next.runAfter <= now;
  // As in Airflow, no scheduled run is created while the DAG's active runs fill maxActiveRuns.
  const active = f.group.running.length + f.group.queued.length;
  const full = active >= f.group.limit;
  const creates = full
    ? `maxActiveRuns is ${f.group.limit} and ${active} of the DAG's runs ${active === 1 ? "is" : "are"} queued or running: the scheduler creates it once one of them ends`
    : "the scheduler creates it on its next tick";
  out.push({
    code: "next_run",
    message: due
      ? `The scheduled run for ${isoTime(next.logicalDate)} is due since ${when(next.runAfter, now)}; ${creates}${paused}.`
      : `The next scheduled run (logical date ${isoTime(next.logicalDate)}, data interval ${isoTime(next.dataIntervalStart)} – ${isoTime(next.dataIntervalEnd)}) is created at ${when(next.runAfter, now)}${paused}.`,
    facts: {
      ...dates,
      logicalDate: isoTime(next.logicalDate),
      dataIntervalStart: isoTime(next.dataIntervalStart),
      dataIntervalEnd: isoTime(next.dataIntervalEnd),
      runAfter: isoTime(next.runAfter),
      due,
    },
  });
  return out;
}
