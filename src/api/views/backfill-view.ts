import type { BackfillRecord } from "../../core/model/records.js";
import { iso } from "./iso.js";

export function backfillView(b: BackfillRecord) {
  return {
    id: b.id,
    dagId: b.dagId,
    from: iso(b.fromDate),
    to: iso(b.toDate),
    reprocess: b.reprocess,
    maxActiveRuns: b.maxActiveRuns,
    conf: b.conf,
    state: b.state,
    paused: b.paused,
    createdAt: iso(b.createdAt),
    endedAt: iso(b.endedAt),
  };
}
