import type { EpochMs } from "../model/records.js";

/** A scheduler process as it registered itself (docs/adr/0007-several-active-schedulers.md). */
export interface NewSchedulerLease {
  /** Unique per process start (`host:pid:random`); never reused. */
  id: string;
  host: string;
  pid: number;
  /** Baton's version, shown to operators. */
  version: string;
  startedAt: EpochMs;
}

export interface SchedulerLeaseRecord extends NewSchedulerLease {
  /** Heartbeat counter; observers time its changes on their own clocks. */
  beat: number;
  /** The scheduler's own clock at its last beat (for display; never compared across machines). */
  beatAt: EpochMs;
  /** Set once another scheduler (or this one, stopping) ended the lease; a fenced lease never writes again. */
  fencedAt: EpochMs | null;
  fencedBy: string | null;
}

/** What a commit must be fenced by: it lands only while this scheduler's lease is not fenced. */
export interface CommitFence {
  schedulerId: string;
}

/**
 * Leases, DAG ownership and pool slot grants, shared by every scheduler on one database. Each
 * method is one transaction; the lock order is scheduler_leases, pools, dags, pool_grants.
 */
export interface SchedulerLeases {
  registerScheduler(lease: NewSchedulerLease): Promise<void>;
  /** Adds one to the lease's beat. False when the lease is fenced or unknown: stop at once. */
  beatScheduler(id: string, at: EpochMs): Promise<boolean>;
  listSchedulerLeases(): Promise<SchedulerLeaseRecord[]>;
  /**
   * Fences lease `id` if its beat is still `seenBeat` and it is not fenced (compare-and-set), and
   * in the same transaction hands back its DAGs (owner := null) and deletes its pool grants.
   * True when this call fenced it.
   */
  fenceScheduler(id: string, seenBeat: number, by: string, at: EpochMs): Promise<boolean>;
  /**
   * Makes `schedulerId` the owner of at most `limit` DAGs owned by nobody or by a fenced or
   * unknown lease, in DAG id order, skipping rows another claimer has locked (SKIP LOCKED where
   * the store supports it). Returns the DAG ids claimed by this call.
   */
  claimDags(schedulerId: string, limit: number): Promise<string[]>;
  /** The DAG ids `schedulerId` owns, by id. */
  listOwnedDags(schedulerId: string): Promise<string[]>;
  /** Gives up ownership of `dagIds` (only those `schedulerId` owns). */
  releaseDags(schedulerId: string, dagIds: string[]): Promise<void>;
  /**
   * Sets `schedulerId`'s grant of `pool` to `wanted` slots, or as many as the pool has left once
   * the grants of other unfenced schedulers are counted (the pool row is locked meanwhile).
   * Returns the grant; 0 for an unknown pool.
   */
  grantPoolSlots(pool: string, schedulerId: string, wanted: number): Promise<number>;
}
