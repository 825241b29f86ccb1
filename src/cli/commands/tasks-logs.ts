import { existsSync, readFileSync } from "node:fs";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { attemptLogPath } from "../../scheduler/attempt-request.js";
import { printJson } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

export interface LogsOptions extends CommonOptions {
  try?: string;
}

/** Prints the log of one attempt (default: the latest) of a task instance. */
export async function tasksLogs(dagId: string, runId: string, taskId: string, opts: LogsOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const run = await rt.store.getRun(dagId, runId);
    if (!run) throw new NotFoundError(`DAG ${dagId} has no run "${runId}"; list runs with \`baton runs list --dag ${dagId}\``);
    const ti = (await rt.store.listTaskInstances(run.id)).find((t) => t.taskId === taskId);
    if (!ti) throw new NotFoundError(`run ${runId} has no task "${taskId}"`);
    const attempt = opts.try === undefined ? ti.tryNumber : Number(opts.try);
    if (!Number.isInteger(attempt) || attempt < 1 || attempt > Math.max(1, ti.tryNumber)) {
      throw new InvalidInputError(`--try must be between 1 and ${ti.tryNumber} (attempts made so far)`);
    }
    const path = attemptLogPath(rt.config.logsDir, run, taskId, attempt);
    const text = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (opts.json) printJson({ dagId, runId, taskId, try: attempt, path, state: ti.state, log: text });
    else process.stdout.write(text || `(attempt ${attempt} of ${taskId} wrote no output)\n`);
    return 0;
  });
}
