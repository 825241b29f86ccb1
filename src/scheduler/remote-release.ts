import type { Logger } from "../core/ports/logger.js";
import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";
import type { WorkerStore } from "../core/ports/worker-store.js";

/** The mailbox call a scheduler makes when it recovers runs (docs/workers.md). */
export type RemoteAttempts = Pick<WorkerStore, "releaseRemoteAttempts">;

/** Why a recovered run's remote attempts were stopped: the worker's log and the API server say it. */
export const RELEASED_AT_RECOVERY = "stopped: its scheduler stopped or was lost, and the run was recovered by another scheduler";

/**
 * Gives up, before runs left by a stopped, dead or fenced scheduler are recovered, the remote
 * attempts of those runs and every attempt submitted under a fenced lease (docs/workers.md,
 * "Recovery"): `queued` ones are deleted and `assigned`/`running` ones stopped on their workers,
 * their outcomes never applied. Only then do the recovery rules (recovery.ts) record those tries
 * interrupted and run new ones, so an old try never finishes a task its new try is running.
 */
export async function releaseBeforeRecovery(
  remote: RemoteAttempts,
  leases: Pick<SchedulerLeases, "listSchedulerLeases"> | undefined,
  runPks: number[],
  logger: Logger,
): Promise<void> {
  const fenced = leases ? (await leases.listSchedulerLeases()).filter((l) => l.fencedAt !== null).map((l) => l.id) : [];
  if (fenced.length === 0 && runPks.length === 0) return;
  const released = await remote.releaseRemoteAttempts({ schedulerIds: fenced, runPks }, RELEASED_AT_RECOVERY);
  if (released.deleted + released.orphaned > 0) logger.info({ ...released, runs: runPks.length }, "remote attempts of recovered runs released");
}
