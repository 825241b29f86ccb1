import { join } from "node:path";
import type { CallbackFirerDeps } from "../alerts/callbacks/callback-firer.js";
import { attemptLogPath } from "../scheduler/attempt-request.js";

/**
 * Where callback functions write (docs/alerts.md): a task-level callback appends to the log of the
 * attempt it is about; a DAG-level one (or one about a task that never ran) to the run's
 * `callbacks.log`, beside its tasks' folders.
 */
export function callbackLogPaths(logsDir: string): CallbackFirerDeps["logPaths"] {
  return {
    attempt: (run, taskId, tryNumber, mapIndex) => attemptLogPath(logsDir, run, taskId, tryNumber, mapIndex),
    run: (run) => join(logsDir, `dag_id=${run.dagId}`, `run_id=${run.runId}`, "callbacks.log"),
  };
}
