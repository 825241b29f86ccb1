import type { WorkerRecord } from "../../core/model/workers.js";
import type { SchedulerLeaseRecord } from "../../core/ports/scheduler-leases.js";

/**
 * The timings a component's heartbeat is judged by: the same settings the schedulers and the
 * worker hub act on (docs/ui.md#home). Defaults are theirs.
 */
export interface LivenessSettings {
  /** BATON_SCHEDULER_HEARTBEAT_MS: how often a scheduler beats its lease. */
  schedulerHeartbeatMs: number;
  /** BATON_SCHEDULER_LEASE_MS: a lease whose beat stood still this long is fenced by another scheduler. */
  schedulerLeaseMs: number;
  /** BATON_WORKER_HEARTBEAT_MS: how often remote workers heartbeat. */
  workerHeartbeatMs: number;
  /** BATON_WORKER_LOST_MS: a worker not heard from this long is declared lost. */
  workerLostMs: number;
}

export const DEFAULT_LIVENESS: LivenessSettings = { schedulerHeartbeatMs: 1_000, schedulerLeaseMs: 8_000, workerHeartbeatMs: 2_000, workerLostMs: 10_000 };

/** healthy: beating on time; late: missed beats, not yet given up on; lost: given up on (or about to be); stopped: left cleanly. */
export type Liveness = "healthy" | "late" | "lost" | "stopped";

/** How much a component's state matters on the home page: inactive components (stopped) do not. */
export type Level = "ok" | "warning" | "critical" | "inactive";

/**
 * A scheduler by its lease: fenced by itself → stopped; fenced by another (which adopted its work)
 * → lost; else by the age of its last beat (its own clock, as /health compares it): up to two
 * heartbeats → healthy, up to the lease → late, beyond → lost (no scheduler has fenced it yet).
 */
export function schedulerLiveness(lease: SchedulerLeaseRecord, now: number, s: LivenessSettings): Liveness {
  if (lease.fencedAt !== null) return lease.fencedBy === lease.id ? "stopped" : "lost";
  const age = now - lease.beatAt;
  // A scheduler alone on its SQLite file beats every max(heartbeat, lease / 4) while idle (scheduler.ts):
  // one such beat and a heartbeat of slack is still healthy, so an idle standalone does not show as late.
  const idleEvery = Math.max(s.schedulerHeartbeatMs, Math.floor(s.schedulerLeaseMs / 4));
  if (age <= Math.max(2 * s.schedulerHeartbeatMs, idleEvery + s.schedulerHeartbeatMs)) return "healthy";
  return age <= s.schedulerLeaseMs ? "late" : "lost";
}

/**
 * A remote worker: its registry state when lost or stopped; an active or draining one by its
 * last-seen age (the API server's clock, written at most once a second): up to two heartbeats and
 * a second → healthy, under BATON_WORKER_LOST_MS → late, beyond → lost (not declared yet: no API
 * server is sweeping).
 */
export function workerLiveness(w: WorkerRecord, now: number, s: LivenessSettings): Liveness {
  if (w.state === "lost" || w.state === "stopped") return w.state;
  const age = now - w.lastSeenAt;
  if (age <= 2 * s.workerHeartbeatMs + 1_000) return "healthy";
  return age < s.workerLostMs ? "late" : "lost";
}

/** A lost scheduler whose work another one adopted is a warning; one nobody fenced yet is critical. */
export function livenessLevel(l: Liveness, adopted = false): Level {
  if (l === "healthy") return "ok";
  if (l === "stopped") return "inactive";
  if (l === "late") return "warning";
  return adopted ? "warning" : "critical";
}

const RANK: Record<Level, number> = { inactive: 0, ok: 1, warning: 2, critical: 3 };

/** The worst of `levels` (ok when there are none). */
export function worstLevel(levels: Level[]): Exclude<Level, "inactive"> {
  const worst = levels.reduce<Level>((a, b) => (RANK[b] > RANK[a] ? b : a), "ok");
  return worst === "inactive" ? "ok" : worst;
}
