import type { NotifierDeclaration } from "../model/alerts.js";
import type { EpochMs } from "../model/records.js";

/**
 * What callbacks and alert policies keep in the database (docs/alerts.md): a claim per callback
 * firing, so each fires once across schedulers, which is also the callback log; and the open
 * incidents per dedup key, so a recovery resolves what was alerted and repeats are limited.
 */

/** One firing: the callbacks of `event` for a task instance's try (or a run: taskId null, tryNumber 0). */
export interface CallbackKey {
  runPk: number;
  /** null for a DAG-level (run) callback. */
  taskId: string | null;
  mapIndex: number;
  tryNumber: number;
  /** failure, success, retry, execute, skipped, deadline_missed; recovered, retry_succeeded; policy_failure. */
  event: string;
}

export type CallbackStatus = "running" | "ok" | "failed" | "timed_out";

export interface CallbackRecord extends CallbackKey {
  dagId: string;
  runId: string;
  status: CallbackStatus;
  /** What went wrong (the callbacks' errors, one per line), or null. */
  message: string | null;
  /** The scheduler that claimed it. */
  claimedBy: string;
  claimedAt: EpochMs;
  finishedAt: EpochMs | null;
}

export interface CallbackFilter {
  dagId?: string;
  runId?: string;
  limit: number;
}

/** An alert incident: open from the first failure alert of a dedup key until its recovery. */
export interface AlertIncident {
  dedupKey: string;
  dagId: string;
  openedAt: EpochMs;
  lastAlertAt: EpochMs;
  /** Alerts sent for it (the first and the repeats). */
  alerts: number;
  /** Whoever was alerted, to be told of the recovery. */
  targets: NotifierDeclaration[];
  resolvedAt: EpochMs | null;
}

export interface CallbackStore {
  /** Records the claim unless one exists (insert-if-absent); true when this caller won it and must fire. */
  claimCallback(key: CallbackKey, run: { dagId: string; runId: string }, by: string, at: EpochMs): Promise<boolean>;
  /**
   * The claimant, while it fires, refreshes its `running` claim's time (every 15 s), so a claim
   * nobody refreshed is known to be lost with its process. True while `by` still holds the claim.
   */
  renewCallback(key: CallbackKey, by: string, at: EpochMs): Promise<boolean>;
  /**
   * Takes over a `running` claim last refreshed before `staleBefore` (its claimant died while
   * firing): conditional, one winner among several takers. True when `by` won it and must fire.
   */
  retakeCallback(key: CallbackKey, by: string, at: EpochMs, staleBefore: EpochMs): Promise<boolean>;
  /** Records how a claimed firing ended. */
  finishCallback(key: CallbackKey, status: Exclude<CallbackStatus, "running">, message: string | null, at: EpochMs): Promise<void>;
  /** Newest first. */
  listCallbacks(filter: CallbackFilter): Promise<CallbackRecord[]>;
  /**
   * A failure alert for `dedupKey` is due: opens the incident (or re-opens a resolved one) and
   * returns true; while it is open, returns true only when `repeatEveryMs` (null: never) has passed
   * since its last alert, and then counts the repeat. `targets` join the incident's either way.
   * Safe against several schedulers: conditional writes, one winner.
   */
  alertIncident(dedupKey: string, dagId: string, targets: NotifierDeclaration[], at: EpochMs, repeatEveryMs: number | null): Promise<boolean>;
  /** Closes the open incident of `dedupKey` and returns it; undefined when none is open (or another closed it). */
  resolveIncident(dedupKey: string, at: EpochMs): Promise<AlertIncident | undefined>;
  getIncident(dedupKey: string): Promise<AlertIncident | undefined>;
}
