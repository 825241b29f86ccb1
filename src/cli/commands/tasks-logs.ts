import { existsSync, readFileSync } from "node:fs";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { attemptLogPath } from "../../scheduler/attempt-request.js";
import { printJson } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

export interface LogsOptions extends CommonOptions {
  try?: string;
  mapIndex?: string;
}

/** Prints the log of one attempt (default: the latest) of a task instance. */
export async function tasksLogs(dagId: string, runId: string, taskId: string, opts: LogsOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const run = await rt.store.getRun(dagId, runId);
    if (!run) throw new NotFoundError(`DAG ${dagId} has no run "${runId}"; list runs with \`baton runs list --dag ${dagId}\``);
    const mapIndex = opts.mapIndex === undefined ? -1 : Number(opts.mapIndex);
    if (!Number.isInteger(mapIndex) || mapIndex < -1) throw new InvalidInputError(`--map-index must be -1 or a copy's index (0, 1, …), got ${opts.mapIndex}`);
    const tis = (await rt.store.listTaskInstances(run.id)).filter((t) => t.taskId === taskId);
    const ti = tis.find((t) => t.mapIndex === mapIndex);
    if (!ti) {
      if (tis.length === 0) throw new NotFoundError(`run ${runId} has no task "${taskId}"`);
      const copies = tis.filter((t) => t.mapIndex >= 0 && t.state !== "removed").length;
      throw new NotFoundError(
        copies === 0 ? `task "${taskId}" is not mapped; leave out --map-index` : `task "${taskId}" has copies 0-${copies - 1}; no copy ${mapIndex}`,
      );
    }
    if (mapIndex === -1 && tis.some((t) => t.mapIndex >= 0) && ti.tryNumber === 0) {
      const copies = tis.filter((t) => t.mapIndex >= 0 && t.state !== "removed").length;
      throw new InvalidInputError(`task "${taskId}" is mapped: its ${copies} copies have the logs; add --map-index 0…${copies - 1}`);
    }
    const attempt = opts.try === undefined ? ti.tryNumber : Number(opts.try);
    if (!Number.isInteger(attempt) || attempt < 1 || attempt > Math.max(1, ti.tryNumber)) {
      throw new InvalidInputError(`--try must be between 1 and ${ti.tryNumber} (attempts made so far)`);
    }
    const path = attemptLogPath(rt.config.logsDir, run, taskId, attempt, mapIndex);
    const text = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (opts.json) printJson({ dagId, runId, taskId, mapIndex, try: attempt, path, state: ti.state, log: text });
    else process.stdout.write(text || `(attempt ${attempt} of ${taskId} wrote no output)\n`);
    return 0;
  });
}
