import type { TaskInstanceRecord } from "../model/records.js";

type Tries = Pick<TaskInstanceRecord, "tryNumber" | "maxTries" | "infraTries">;

/** Tries that count against the task's retries: those started, less the ones the machine failed. */
export function countedTries(ti: Tries): number {
  return ti.tryNumber - (ti.infraTries ?? 0);
}

/**
 * Whether a task instance whose try `tryNumber` just failed may run again: the one place that
 * decides it. Infrastructure tries do not count, so with `retries` = maxTries − 1 this is
 * `tryNumber − infraTries ≤ retries`.
 */
export function mayRetry(ti: Tries): boolean {
  return countedTries(ti) < ti.maxTries;
}
