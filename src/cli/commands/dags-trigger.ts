import { InvalidInputError } from "../../core/errors.js";
import { parseDate } from "../../core/model/dates.js";
import { requireDagVersion, triggerRun } from "../../scheduler/requests/trigger-run.js";
import { iso, parseJsonOption, printJson } from "../output.js";
import { syncDags, withRuntime, type CommonOptions } from "../runtime.js";

export interface TriggerOptions extends CommonOptions {
  conf?: string;
  date?: string;
  runId?: string;
}

/** Parses `--date`: an ISO date or date-time; a bare date is midnight in the DAG's time zone. */
export function parseDateOption(text: string | undefined, timezone: string, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDate(text, timezone);
  if (Number.isNaN(ms)) throw new InvalidInputError(`--date "${text}" is not a date; use YYYY-MM-DD or an ISO 8601 date-time`);
  return ms;
}

/** Creates a manual run (queued); the scheduler starts it. */
export async function dagsTrigger(dagId: string, opts: TriggerOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    await syncDags(rt);
    const version = await requireDagVersion(rt.store, dagId);
    const conf = parseJsonOption(opts.conf, "--conf");
    const now = Date.now();
    const logicalDate = parseDateOption(opts.date, version.spec.timezone, now);
    const created = await triggerRun(rt.store, dagId, { conf, logicalDate, runId: opts.runId ?? null }, now);
    const dag = await rt.store.getDag(dagId);
    if (opts.json) {
      printJson({ dagId, runId: created.runId, state: created.state, logicalDate: iso(created.logicalDate), conf: created.conf });
    } else {
      process.stdout.write(`Queued run ${created.runId} of ${dagId}.\n`);
      if (dag?.paused) process.stdout.write(`Note: ${dagId} is paused; the run starts when it is unpaused.\n`);
    }
    return 0;
  });
}
