import type { TaskKind } from "../../core/model/dag-spec.js";
import type { AttemptRecord, TaskInstanceRecord } from "../../core/model/records.js";
import { durationMs, iso } from "./iso.js";

export function taskInstanceView(ti: TaskInstanceRecord, kind: TaskKind | null) {
  return {
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    kind,
    state: ti.state,
    tryNumber: ti.tryNumber,
    maxTries: ti.maxTries,
    pool: ti.pool,
    priority: ti.priority,
    queuedAt: iso(ti.queuedAt),
    startedAt: iso(ti.startedAt),
    endedAt: iso(ti.endedAt),
    durationMs: durationMs(ti.startedAt, ti.endedAt),
    nextRetryAt: iso(ti.nextRetryAt),
    error: ti.error,
    sensor: sensorView(ti),
  };
}

/** A waiting sensor's progress; the check's arguments are not shown (they may hold rendered headers). */
function sensorView(ti: TaskInstanceRecord) {
  const w = ti.sensorWait;
  if (!w) return null;
  return {
    firstPokeAt: iso(w.firstPokeAt),
    pokes: w.pokes,
    timeoutAt: w.trigger ? iso(w.trigger.timeoutAt) : null,
    deferredCheck: w.trigger?.kind ?? null,
  };
}

export function attemptView(a: AttemptRecord) {
  return {
    tryNumber: a.tryNumber,
    state: a.state,
    startedAt: iso(a.startedAt),
    endedAt: iso(a.endedAt),
    durationMs: durationMs(a.startedAt, a.endedAt),
    error: a.error,
  };
}
