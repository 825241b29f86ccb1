import type { RunRecord } from "../core/model/records.js";
import type { PrevSuccessRun } from "../core/ports/executor.js";
import type { Store } from "../core/ports/store.js";
import type { ActiveRun } from "./active-run.js";

/**
 * Airflow's previous successful run (the context's prev_data_interval_start_success and friends):
 * the DAG's run with the latest logical date before this run's whose state is success, of any
 * run type; none for a run without a logical date. Airflow reads it when the task runs (the
 * execution API's previous-successful-dagrun); Baton reads it when the run is loaded and moves it
 * on as earlier runs succeed (see {@link notePrevSuccess}), so an attempt sees the same run.
 */
export async function loadPrevSuccess(store: Pick<Store, "getPreviousRun">, run: RunRecord): Promise<PrevSuccessRun | null> {
  if (run.logicalDate === null) return null;
  const prev = await store.getPreviousRun(run.dagId, run.logicalDate, { state: "success" });
  return prev ? prevSuccessOf(prev) : null;
}

/** A run that just succeeded becomes the previous successful run of the DAG's later runs held in memory. */
export function notePrevSuccess(ended: RunRecord, runs: Iterable<ActiveRun>): void {
  const at = ended.logicalDate;
  if (at === null || ended.state !== "success") return;
  for (const r of runs) {
    const own = r.run.logicalDate;
    if (r.dagId !== ended.dagId || own === null || own <= at) continue;
    const known = r.prevSuccess?.logicalDate ?? null;
    if (known === null || known <= at) r.prevSuccess = prevSuccessOf(ended);
  }
}

function prevSuccessOf(run: RunRecord): PrevSuccessRun {
  return {
    runId: run.runId,
    logicalDate: run.logicalDate,
    dataIntervalStart: run.dataIntervalStart,
    dataIntervalEnd: run.dataIntervalEnd,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
  };
}
