import type { TaskInstanceRecord } from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { AttemptReport } from "../core/ports/executor.js";
import type { ActiveRun } from "./active-run.js";
import type { StateWriter } from "./state-writer.js";

/** The wait after the first infrastructure failure in a row; it doubles up to {@link INFRA_RETRY_MAX_MS}. */
export const INFRA_RETRY_BASE_MS = 1_000;
export const INFRA_RETRY_MAX_MS = 60_000;

/**
 * Records an attempt the machine failed (`infra_failed`: its log could not be written), not the
 * task. The try is not counted: the task instance waits as up_for_retry with `infraTries` one
 * higher, so the next attempt runs with a new try number and, however often the disk is full,
 * the task's retries stay whole (core/retry/may-retry.ts). The wait doubles with each such
 * failure in a row (1 s, 2 s, 4 s … 60 s); any other outcome resets it.
 */
export function applyInfraFailure(
  w: StateWriter,
  run: ActiveRun,
  key: string,
  report: AttemptReport,
  error: string,
  now: number,
): { ti: TaskInstanceRecord; attemptState: TaskState } {
  const ti = run.tis.get(key)!;
  const inARow = (run.infraFailures.get(key) ?? 0) + 1;
  run.infraFailures.set(key, inARow);
  const waitMs = Math.min(INFRA_RETRY_MAX_MS, INFRA_RETRY_BASE_MS * 2 ** (inARow - 1));
  const patch = {
    startedAt: report.startedAt,
    endedAt: report.endedAt,
    state: "up_for_retry" as const,
    infraTries: (ti.infraTries ?? 0) + 1,
    nextRetryAt: now + waitMs,
    error,
  };
  return { ti: w.task(run, key, patch, now), attemptState: "up_for_retry" };
}
