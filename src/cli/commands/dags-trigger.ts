import { InvalidInputError } from "../../core/errors.js";
import { parseIsoDate } from "../../core/model/iso-date.js";
import { requireDagVersion, triggerRun } from "../../scheduler/requests/trigger-run.js";
import { cliActorName, recordCliAudit } from "../cli-audit.js";
import { iso, parseJsonOption, printJson } from "../output.js";
import { syncDags, withRuntime, type CommonOptions } from "../runtime.js";

export interface TriggerOptions extends CommonOptions {
  conf?: string;
  date?: string;
  runId?: string;
}

/**
 * Parses a date flag (`--date`, `--from`, `--to`) with the one date parser: `YYYY-MM-DD` (midnight
 * in the DAG's time zone) or an ISO 8601 date-time; anything else is bad input (exit code 2).
 */
export function parseDateOption(text: string | undefined, timezone: string, fallback: number, flag = "--date"): number {
  if (text === undefined) return fallback;
  try {
    return parseIsoDate(text, timezone);
  } catch (error) {
    throw new InvalidInputError(`${flag}: ${(error as Error).message}`);
  }
}

/** Creates a manual run (queued); the scheduler starts it. */
export async function dagsTrigger(dagId: string, opts: TriggerOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    await syncDags(rt);
    const version = await requireDagVersion(rt.store, dagId);
    const conf = parseJsonOption(opts.conf, "--conf");
    const now = Date.now();
    const logicalDate = parseDateOption(opts.date, version.spec.timezone, now);
    const created = await triggerRun(rt.store, dagId, { conf, logicalDate, runId: opts.runId ?? null, triggeredBy: cliActorName() }, now);
    await recordCliAudit(rt.store, "run.trigger", {
      command: "dags trigger",
      target: { type: "run", id: created.runId },
      dagId,
      after: { state: created.state, logicalDate: iso(created.logicalDate), conf: created.conf },
    });
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
