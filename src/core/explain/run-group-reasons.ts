import type { EpochMs } from "../model/records.js";
import type { ExplainReason, RunGroupFacts } from "./explain-types.js";
import { isoTime, listOf } from "./when.js";

/** Whose limit it is, for a sentence. */
function groupName(dagId: string, g: RunGroupFacts): string {
  return g.backfillId === null ? `DAG "${dagId}"` : `backfill ${g.backfillId} of DAG "${dagId}"`;
}

/** "max_active_runs" when the group's running runs fill its limit (naming them). */
export function maxActiveRunsReason(dagId: string, g: RunGroupFacts): ExplainReason | null {
  if (g.running.length < g.limit) return null;
  const ids = g.running.map((r) => r.runId);
  return {
    code: "max_active_runs",
    message:
      `${groupName(dagId, g)} allows ${g.limit} active run${g.limit === 1 ? "" : "s"} (maxActiveRuns) and ` +
      `${ids.length === 1 ? "run" : "runs"} ${listOf(ids)} ${ids.length === 1 ? "holds" : "hold"} ${g.limit === 1 ? "it" : "them"}: ` +
      "a queued run starts when one of them finishes.",
    facts: { limit: g.limit, backfillId: g.backfillId, activeRuns: g.running.map((r) => ({ runId: r.runId, startedAt: isoTime(r.startedAt) })) },
  };
}

/** The queued runs that start before `runId` (due and older), in the scheduler's order. */
export function runsAhead(g: RunGroupFacts, runId: string, now: EpochMs): RunGroupFacts["queued"] {
  const ahead: RunGroupFacts["queued"] = [];
  for (const r of g.queued) {
    if (r.runId === runId) return ahead;
    if (r.runAfter <= now) ahead.push(r);
  }
  return ahead;
}
