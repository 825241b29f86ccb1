import { InvalidInputError } from "../../core/errors.js";
import { RUN_STATES, type RunState } from "../../core/model/states.js";
import { iso, printJson, printTable } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

export interface RunsListOptions extends CommonOptions {
  dag?: string;
  state?: string;
  limit?: string;
}

export async function runsList(opts: RunsListOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const states = opts.state?.split(",").map((s) => s.trim());
    for (const s of states ?? []) {
      if (!RUN_STATES.includes(s as RunState)) throw new InvalidInputError(`--state "${s}" is not one of: ${RUN_STATES.join(", ")}`);
    }
    const limit = opts.limit === undefined ? 100 : Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError("--limit must be a positive integer");
    const runs = await rt.store.listRuns({ dagId: opts.dag, states: states as RunState[] | undefined, limit });
    const rows = runs.map((r) => ({
      dagId: r.dagId,
      runId: r.runId,
      runType: r.runType,
      state: r.state,
      logicalDate: iso(r.logicalDate),
      dataIntervalStart: iso(r.dataIntervalStart),
      dataIntervalEnd: iso(r.dataIntervalEnd),
      startedAt: iso(r.startedAt),
      endedAt: iso(r.endedAt),
      conf: r.conf,
      dagVersion: r.dagVersion,
      note: r.note,
      triggeredBy: r.triggeredBy ?? null,
    }));
    if (opts.json) printJson(rows);
    else printTable(rows, ["dagId", "runId", "state", "logicalDate", "startedAt", "endedAt", "note"]);
    return 0;
  });
}
