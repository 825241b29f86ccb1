import type { EpochMs } from "../model/records.js";
import type { RunState } from "../model/states.js";

/** Which runs `baton db clean` may delete: finished (success or failed) and ended before `endedBefore`. */
export interface RetentionFilter {
  /** A run counts as ended at its `endedAt`, or its `createdAt` when it has none (a run marked finished without an end time). */
  endedBefore: EpochMs;
  /** Only this DAG's runs. */
  dagId?: string;
}

/** Rows that go with the runs a filter selects. */
export interface RetentionCounts {
  runs: number;
  taskInstances: number;
  attempts: number;
}

/** One batch deleted by {@link RetentionStore.purgeFinishedRuns}. */
export interface PurgedRuns extends RetentionCounts {
  /** The runs deleted (their logs are the caller's to delete). */
  deleted: { id: number; dagId: string; runId: string }[];
}

/** How much one call of {@link RetentionStore.purgeFinishedRuns} deletes, at most. */
export interface PurgeLimits {
  /** At most this many runs (at least one is deleted when any matches). */
  maxRuns: number;
  /** Stop adding runs once their task instances would pass this many (a single larger run is still deleted alone). */
  maxTaskInstances: number;
}

/** What {@link RetentionStore.deleteDag} did. */
export type DagDeletion =
  | (RetentionCounts & {
      outcome: "deleted";
      /** DAG versions deleted. */
      versions: number;
      /** The runs deleted (their logs are the caller's to delete). */
      deleted: { id: number; dagId: string; runId: string }[];
    })
  /** Nothing was deleted: no DAG, run or version has that id. */
  | { outcome: "unknown" }
  /** Nothing was deleted: these runs are queued or running. */
  | { outcome: "active_runs"; activeRuns: { runId: string; state: RunState }[] };

/** What {@link RetentionStore.purgeBundles} did. */
export interface PurgedBundles {
  /** `dag_bundles` rows deleted. */
  deleted: number;
  /** The sha256 of the bundles still in use (a DAG's current version, a remaining run's version): their files are kept too. */
  inUse: string[];
}

/**
 * Deleting old history (docs/storage.md, "Backup, restore and retention"). Never touches a
 * queued or running run. Implemented by src/store on SQLite and PostgreSQL; proven by the
 * retention contract.
 */
export interface RetentionStore {
  /** What {@link purgeFinishedRuns} would delete in total, without deleting anything. */
  countFinishedRuns(filter: RetentionFilter): Promise<RetentionCounts>;
  /**
   * Deletes, in one transaction, the oldest (by id) matching runs within `limits` with their task
   * instances, attempts, callback claims, missed deadlines, task metrics, anomalies and remote
   * mailbox rows. Dataset events and the audit trail are kept. Returns what it deleted; call again
   * until `runs` is 0.
   */
  purgeFinishedRuns(filter: RetentionFilter, limits: PurgeLimits): Promise<PurgedRuns>;
  /**
   * `baton dags delete`: deletes, in one transaction, a DAG with all its runs (and their rows, as
   * {@link purgeFinishedRuns} does), backfills, versions, dataset cursor and its own row — unless
   * one of its runs is queued or running, when nothing is deleted. Dataset events, the audit
   * trail, notification deliveries and alert incidents are kept. A large DAG's finished runs are
   * best purged in batches first ({@link purgeFinishedRuns} with its `dagId`).
   */
  deleteDag(dagId: string): Promise<DagDeletion>;
  /**
   * Deletes the stored DAG bundles (`dag_bundles`, for remote workers) that no DAG's current
   * version and no remaining run's version uses, saved — or saved again by the DAG sync, which
   * re-saves a bundle whenever it points a DAG at a version — before `savedBefore`. Returns the
   * count and the bundles in use, whose files the caller keeps.
   */
  purgeBundles(savedBefore: EpochMs): Promise<PurgedBundles>;
}
