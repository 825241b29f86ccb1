import type { ExplainReason, RunFacts } from "./explain-types.js";
import { maxActiveRunsReason, runsAhead } from "./run-group-reasons.js";
import { isoTime, listOf, when } from "./when.js";

/**
 * Why a queued run has not started: its DAG paused or gone, its backfill paused, its version missing, not due yet,
 * max active runs reached (naming the runs holding it), queued behind older runs, or simply
 * waiting for the scheduler's next tick.
 */
export function queuedRunReasons(f: RunFacts): ExplainReason[] {
  const { run, now, group, dag } = f;
  const out: ExplainReason[] = [];
  if (dag?.paused) {
    out.push({
      code: "dag_paused",
      message: `DAG "${run.dagId}" is paused: its queued runs do not start until it is unpaused (\`baton dags unpause ${run.dagId}\`).`,
      facts: { paused: true },
    });
  }
  if (group.backfillId !== null && group.paused) {
    out.push({
      code: "backfill_paused",
      message:
        `Backfill ${group.backfillId} of DAG "${run.dagId}" is paused: none of its queued runs starts until it is unpaused ` +
        `(\`baton backfills unpause ${group.backfillId}\` or Resume on the Backfills page); its running runs go on.`,
      facts: { backfillId: group.backfillId, paused: true },
    });
  }
  if (dag && !dag.active) {
    out.push({
      code: "dag_inactive",
      message: `DAG "${run.dagId}" is no longer defined by its file ${dag.fileloc}: its queued runs do not start.`,
      facts: { fileloc: dag.fileloc },
    });
  }
  if (!f.version) {
    out.push({
      code: "dag_version_missing",
      message: `The DAG version "${run.dagVersion}" this run uses is not in the store: the scheduler fails the run when it starts it.`,
      facts: { dagVersion: run.dagVersion },
    });
  }
  if (run.runAfter > now) {
    out.push({
      code: "run_not_due",
      message: `The run is not due before ${when(run.runAfter, now)} (its data interval has not ended).`,
      facts: { runAfter: isoTime(run.runAfter) },
    });
  }
  const full = maxActiveRunsReason(run.dagId, group);
  if (full) out.push(full);
  const ahead = runsAhead(group, run.runId, now);
  if (!full && ahead.length > 0 && group.running.length + ahead.length >= group.limit) {
    out.push({
      code: "queued_behind",
      message:
        `${ahead.length} older queued run${ahead.length === 1 ? "" : "s"} (${listOf(ahead.map((r) => r.runId))}) start${ahead.length === 1 ? "s" : ""} first and fill the ` +
        `${group.limit} active run${group.limit === 1 ? "" : "s"} allowed (maxActiveRuns; ${group.running.length} running).`,
      facts: { limit: group.limit, running: group.running.length, ahead: ahead.map((r) => ({ runId: r.runId, logicalDate: isoTime(r.logicalDate) })) },
    });
  } else if (full && ahead.length > 0) {
    out.push({
      code: "queued_behind",
      message: `When a slot frees, ${ahead.length} older queued run${ahead.length === 1 ? "" : "s"} (${listOf(ahead.map((r) => r.runId))}) start${ahead.length === 1 ? "s" : ""} before this one.`,
      facts: { limit: group.limit, running: group.running.length, ahead: ahead.map((r) => ({ runId: r.runId, logicalDate: isoTime(r.logicalDate) })) },
    });
  }
  if (out.length === 0) {
    out.push({
      code: "waiting_for_scheduler_tick",
      message: "Nothing holds the run back: the scheduler starts it on its next tick (every BATON_POLL_MS, 500 ms by default).",
      facts: { limit: group.limit, running: group.running.length },
    });
  }
  return out;
}

/** A finished run: its final state and why (its note, or the tasks that failed). */
export function runFinishedReason(f: RunFacts): ExplainReason {
  const { run } = f;
  const failed = f.taskInstances.filter((t) => t.mapIndex < 0 && (t.state === "failed" || t.state === "upstream_failed"));
  const direct = failed.filter((t) => t.state === "failed").map((t) => t.taskId);
  const at = run.endedAt === null ? "" : ` at ${isoTime(run.endedAt)}`;
  let why = "";
  if (run.note) why = `: ${run.note}`;
  else if (run.state === "failed" && direct.length > 0) why = `: task${direct.length === 1 ? "" : "s"} ${listOf(direct.map((t) => `"${t}"`))} failed`;
  else if (run.state === "failed" && failed.length > 0) why = `: ${listOf(failed.map((t) => `"${t.taskId}"`))} did not run (upstream failed)`;
  return {
    code: "run_finished",
    message: `The run "${run.runId}" is finished: ${run.state}${at}${why}. Clear it to run it again.`,
    facts: { runId: run.runId, state: run.state, endedAt: isoTime(run.endedAt), note: run.note, failedTasks: direct },
  };
}
