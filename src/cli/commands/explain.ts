import { explainDag } from "../../core/explain/explain-dag.js";
import { explainRun } from "../../core/explain/explain-run.js";
import { explainTask } from "../../core/explain/explain-task.js";
import type { Explanation } from "../../core/explain/explain-types.js";
import { InvalidInputError } from "../../core/errors.js";
import { gatherDagFacts, gatherRunFacts } from "../../api/explain/explain-facts.js";
import { requireTaskInstance } from "../../api/lookups.js";
import { printJson } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

export interface ExplainOptions extends CommonOptions {
  mapIndex?: string;
}

/**
 * `baton explain <dag> [<run>] [<task>]`: why the DAG, run or task instance is not running, in
 * plain words (docs/explain.md); `--json` prints the API's answer.
 */
export async function explain(dagId: string, runId: string | undefined, taskId: string | undefined, opts: ExplainOptions): Promise<number> {
  const mapIndex = opts.mapIndex === undefined ? -1 : Number(opts.mapIndex);
  if (!Number.isInteger(mapIndex) || mapIndex < -1) throw new InvalidInputError(`--map-index must be -1 or a copy's index (0, 1, …), got ${opts.mapIndex}`);
  if (opts.mapIndex !== undefined && taskId === undefined) throw new InvalidInputError("--map-index needs a <task>");
  return withRuntime(opts, async (rt) => {
    const sources = { store: rt.store, leases: rt.store, workers: rt.store.workers, now: Date.now() };
    let what: string;
    let e: Explanation;
    if (runId === undefined) {
      what = `DAG ${dagId}`;
      e = explainDag(await gatherDagFacts(sources, dagId));
    } else {
      const facts = await gatherRunFacts(sources, dagId, runId);
      if (taskId === undefined) {
        what = `Run ${dagId}/${runId}`;
        e = explainRun(facts);
      } else {
        const ti = await requireTaskInstance(rt.store, facts.run, taskId, mapIndex);
        what = `Task ${dagId}/${runId}/${taskId}${ti.mapIndex >= 0 ? `[${ti.mapIndex}]` : ""}`;
        e = explainTask(facts, ti.taskId, ti.mapIndex)!;
      }
    }
    if (opts.json) printJson(e);
    else process.stdout.write(render(what, e));
    return 0;
  });
}

/** The explanation for a terminal: a header line, then one bullet per reason (a run's tasks indented under it). */
export function render(what: string, e: Explanation): string {
  const lines = [`${what}: ${e.state} (${e.running ? "running" : "not running"})`];
  if (e.reasons.length === 0) lines.push(e.running ? "  It is running." : "  Nothing holds it back.");
  for (const r of e.reasons) {
    const sub = r.code === "task_waiting" ? (r.facts.reasons as Explanation["reasons"] | undefined) : undefined;
    if (sub) {
      lines.push(`  - ${String(r.facts.taskId)} (${String(r.facts.state)}):`);
      for (const s of sub) lines.push(`      ${s.message} [${s.code}]`);
    } else {
      lines.push(`  - ${r.message} [${r.code}]`);
    }
  }
  return `${lines.join("\n")}\n`;
}
