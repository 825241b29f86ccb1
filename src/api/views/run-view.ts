import type { RunRecord } from "../../core/model/records.js";
import { durationMs, iso } from "./iso.js";

export function runView(r: RunRecord) {
  return {
    dagId: r.dagId,
    runId: r.runId,
    runType: r.runType,
    state: r.state,
    logicalDate: iso(r.logicalDate),
    dataIntervalStart: iso(r.dataIntervalStart),
    dataIntervalEnd: iso(r.dataIntervalEnd),
    conf: r.conf,
    dagVersion: r.dagVersion,
    backfillId: r.backfillId,
    createdAt: iso(r.createdAt),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    durationMs: durationMs(r.startedAt, r.endedAt),
    note: r.note,
    triggeredBy: r.triggeredBy ?? null,
  };
}
