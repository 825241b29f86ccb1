import type { MissedDeadlineRecord } from "../../core/model/deadlines.js";
import type { RunRecord } from "../../core/model/records.js";
import type { DeadlineStore } from "../../core/ports/deadline-store.js";
import { iso } from "./iso.js";

export function missedDeadlineView(m: MissedDeadlineRecord) {
  return {
    id: m.id,
    dagId: m.dagId,
    runId: m.runId,
    taskId: m.taskId,
    mapIndex: m.mapIndex,
    tryNumber: m.tryNumber,
    deadline: m.description,
    dueAt: iso(m.dueAt),
    detectedAt: iso(m.detectedAt),
  };
}

/**
 * Each run's `deadlineMissed`: true when the run or one of its attempts missed a deadline.
 * Without a deadline store (a stub server) the field is left out.
 */
export async function withDeadlineFlags<V extends object>(
  deadlines: DeadlineStore | undefined,
  runs: RunRecord[],
  view: (r: RunRecord) => V,
): Promise<(V & { deadlineMissed?: boolean })[]> {
  if (deadlines === undefined || runs.length === 0) return runs.map(view);
  const missed = new Set((await deadlines.listMissedDeadlines({ runPks: runs.map((r) => r.id), limit: 100_000 })).map((m) => m.runPk));
  return runs.map((r) => ({ ...view(r), deadlineMissed: missed.has(r.id) }));
}
