import type { DagRecord } from "../core/model/records.js";
import type { Clock } from "../core/ports/clock.js";
import type { Executor } from "../core/ports/executor.js";
import type { Logger } from "../core/ports/logger.js";
import type { CommandInbox } from "../core/ports/command-inbox.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { Store } from "../core/ports/store.js";
import type { Metrics } from "../core/ports/metrics.js";
import type { ActiveRun } from "./active-run.js";
import type { Dispatcher } from "./dispatcher.js";
import type { SensorWaits } from "./sensor-waits.js";
import type { UnitOfWork } from "./unit-of-work.js";
import type { StateWriter } from "./state-writer.js";
import type { InFlightAttempts } from "./in-flight.js";
import type { DagVersions } from "./dag-versions.js";
import type { RunWaiters } from "./run-waiters.js";
import type { TaskOutputs } from "./task-outputs.js";
import type { ValueOffloader } from "./value-offloader.js";
import type { LeaseTiming, SchedulerLease } from "./scheduler-lease.js";
import type { PoolGrants } from "./pool-grants.js";
import type { DagOwnership } from "./dag-ownership.js";

export interface SchedulerOptions {
  logsDir: string;
  maxOutputBytes: number;
  /** How often to look for due schedules, new runs and backfills (ms). */
  pollMs: number;
  heartbeatMs?: number;
  /** Group-commit window (ms) on the clock; 0 commits on the next turn of the event loop. Default 5. */
  commitDelayMs?: number;
  schedulerId?: string;
  /**
   * The id this scheduler's lease registers under when `leases` are given (docs/adr/0007); unique
   * per process start. Default `<schedulerId>:<8 random hex>`. The composition root picks it when
   * something else must know it first (the remote executor's rows carry it: docs/workers.md).
   */
  leaseId?: string;
  /** Baton's version, registered with the lease for operators (the home page); default "unknown". */
  version?: string;
  /** Lease heartbeat and expiry when `leases` are given (docs/adr/0007); default 1,000 / 8,000 ms (a dead scheduler's runs are adopted within 10 s). */
  lease?: LeaseTiming;
  /** False for `dags test`: only runs created by the caller are executed. */
  createScheduledRuns?: boolean;
  /**
   * Airflow's task_queued_timeout: an attempt handed to the executor that has not started within
   * this many ms is taken back and queued again (twice), then its task fails. Default 600,000
   * (Airflow's 600 s); 0: never.
   */
  taskQueuedTimeoutMs?: number;
}

/**
 * What the scheduler's parts (the tick, the run lifecycle, the dispatch loop) share: its
 * collaborators and its one copy of the mutable state. Built once by {@link Scheduler}; no part
 * keeps its own copy of any of it.
 */
export interface SchedulerState {
  readonly store: Store;
  /** Where clear/mark/cancel requests arrive; none → no commands. */
  readonly inbox: CommandInbox | undefined;
  /** Dataset events and cursors; none → outlets record nothing and dataset schedules never fire. */
  readonly datasets: DatasetStore | undefined;
  readonly executor: Executor;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly opts: Required<SchedulerOptions>;
  readonly uow: UnitOfWork;
  /** The one path for changes to task instances, attempts and runs (memory, write, event). */
  readonly writer: StateWriter;
  readonly outputs: TaskOutputs;
  /** Large return values to the value store (BATON_VALUE_STORE); null: they stay in the database. */
  readonly offloader: ValueOffloader | null;
  /** Parsed DAG versions, an LRU of at most 256 (DEFAULT_MAX_CACHED_VERSIONS), and each DAG's latest limits. */
  readonly versions: DagVersions;
  readonly dispatcher: Dispatcher;
  readonly inFlight: InFlightAttempts;
  readonly sensorWaits: SensorWaits;
  readonly waiters: RunWaiters;
  /** The runs this scheduler holds in memory, by primary key. */
  readonly runs: Map<number, ActiveRun>;
  dags: Map<string, DagRecord>;
  pools: Map<string, number>;
  /** Set once there are leases (docs/adr/0007): this scheduler's lease and the DAGs it owns. */
  ha: { lease: SchedulerLease; ownership: DagOwnership } | null;
  /** Pool slots granted to this scheduler; null when it is the only one (the grant is the whole pool). */
  grants: PoolGrants | null;
  /**
   * Gives up the remote attempts of runs about to be recovered, and of fenced schedulers
   * (remote-release.ts); null without remote workers.
   */
  readonly releaseRemote: ((runPks: number[]) => Promise<void>) | null;
  /** Stopping (or fenced): no more dispatches, retries or ticks. */
  stopping: boolean;
  /** Started: runs are loaded and the dispatch loop may run. */
  live: boolean;
}
